#pragma once

#include <Poco/Net/IPAddress.h>

#include <optional>
#include <string>
#include <vector>

namespace lpr {

// An IPv4/IPv6 network from an `allow_from` list ("10.0.0.7", "10.0.0.0/24", "fd00::/8").
struct IpNetwork {
  Poco::Net::IPAddress address;  // already masked
  Poco::Net::IPAddress mask;
  bool contains(const Poco::Net::IPAddress& ip) const;
};
std::optional<IpNetwork> parseIpNetwork(const std::string& text);

// A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; lists are written in IPv4.
Poco::Net::IPAddress unmappedAddress(const Poco::Net::IPAddress& ip);

// True when the list is empty (any address) or a network contains the address.
bool addressAllowed(const std::vector<IpNetwork>& allowFrom, const Poco::Net::IPAddress& address);

}  // namespace lpr
