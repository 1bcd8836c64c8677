#pragma once

#include <string>

namespace lpr::testing {

// A throwaway CA and a server certificate for 127.0.0.1 / localhost (in the SAN, which OpenSSL
// clients check), made with the openssl CLI in `directory`.
struct TestPki {
  std::string caFile;
  std::string certFile;  // server certificate signed by the CA
  std::string keyFile;   // its private key
};

TestPki makeTestPki(const std::string& directory);

}  // namespace lpr::testing
