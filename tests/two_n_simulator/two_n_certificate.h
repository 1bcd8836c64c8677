#pragma once

#include <string>
#include <vector>

namespace lpr::testing {

struct SelfSignedCertificate {
  std::string certFile;  // PEM; also the file a client trusts (it is its own CA)
  std::string keyFile;   // PEM, unencrypted
  std::string sha256;    // fingerprint of the DER, 64 lower-case hex digits
};

// A fresh self-signed certificate (EC P-256, valid from an hour ago for a year) for 127.0.0.1 and
// localhost plus `extraNames` ("IP:10.0.0.5", "DNS:gate.local"), written as cert.pem/key.pem into
// `directory`; stands in for a device's factory certificate. Throws std::runtime_error.
SelfSignedCertificate makeSelfSignedCertificate(const std::string& directory,
                                                const std::vector<std::string>& extraNames = {});

// SHA-256 of a PEM certificate's DER as 64 lower-case hex digits; throws std::runtime_error.
std::string certificateSha256(const std::string& pemFile);

}  // namespace lpr::testing
