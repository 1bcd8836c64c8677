#include "http/ip_network.h"

#include <Poco/NumberParser.h>

#include <algorithm>

namespace lpr {

Poco::Net::IPAddress unmappedAddress(const Poco::Net::IPAddress& ip) {
  if (ip.family() == Poco::Net::IPAddress::IPv6 && ip.isIPv4Mapped()) {
    const auto* bytes = static_cast<const unsigned char*>(ip.addr());
    return Poco::Net::IPAddress(bytes + 12, 4);
  }
  return ip;
}

bool IpNetwork::contains(const Poco::Net::IPAddress& ip) const {
  const Poco::Net::IPAddress plain = unmappedAddress(ip);
  if (plain.family() != address.family()) return false;
  return (plain & mask) == address;
}

std::optional<IpNetwork> parseIpNetwork(const std::string& text) {
  const auto slash = text.find('/');
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(text.substr(0, slash), ip)) return std::nullopt;
  const bool v4 = ip.family() == Poco::Net::IPAddress::IPv4;
  // inet_aton would read "10.0.0" as 10.0.0.0; a shorthand in an allowlist is more likely a typo.
  if (v4 && std::count(text.begin(), text.begin() + std::min(slash, text.size()), '.') != 3) {
    return std::nullopt;
  }
  const unsigned maxBits = v4 ? 32 : 128;
  unsigned bits = maxBits;
  if (slash != std::string::npos) {
    const std::string prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 3 ||
        prefix.find_first_not_of("0123456789") != std::string::npos ||
        !Poco::NumberParser::tryParseUnsigned(prefix, bits) || bits > maxBits) {
      return std::nullopt;
    }
  }
  Poco::Net::IPAddress mask(bits, ip.family());
  return IpNetwork{ip & mask, mask};
}

bool addressAllowed(const std::vector<IpNetwork>& allowFrom, const Poco::Net::IPAddress& address) {
  if (allowFrom.empty()) return true;
  for (const auto& network : allowFrom) {
    if (network.contains(address)) return true;
  }
  return false;
}

}  // namespace lpr
