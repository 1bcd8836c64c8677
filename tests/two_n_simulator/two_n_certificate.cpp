#include "two_n_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace lpr::testing {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;
using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("self-signed certificate: ") + what + " failed");
}

void addExtension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  require(extension != nullptr, value.c_str());
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

std::string hex(const unsigned char* data, unsigned size) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

std::string fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  require(X509_digest(certificate, EVP_sha256(), digest, &size) == 1, "X509_digest");
  return hex(digest, size);
}

}  // namespace

SelfSignedCertificate makeSelfSignedCertificate(const std::string& directory,
                                                const std::vector<std::string>& extraNames) {
  // P-256 rather than RSA: key generation takes microseconds, not a noticeable part of a test.
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  require(key != nullptr, "EC key generation");
  Certificate certificate(X509_new(), &X509_free);
  require(certificate != nullptr, "X509_new");
  X509* x = certificate.get();
  X509_set_version(x, 2);
  unsigned char serial[8];
  require(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("2N simulator"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  std::string altNames = "IP:127.0.0.1,DNS:localhost";
  for (const auto& extra : extraNames) altNames += "," + extra;
  addExtension(x, NID_subject_alt_name, altNames);
  // CA:TRUE so that clients can load the certificate itself as their trust anchor.
  addExtension(x, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(x, NID_key_usage, "critical,digitalSignature,keyCertSign");
  addExtension(x, NID_ext_key_usage, "serverAuth");
  addExtension(x, NID_subject_key_identifier, "hash");
  require(X509_sign(x, key.get(), EVP_sha256()) > 0, "X509_sign");

  SelfSignedCertificate out{directory + "/cert.pem", directory + "/key.pem", fingerprint(x)};
  File certOut(std::fopen(out.certFile.c_str(), "w"));
  require(certOut != nullptr, "opening cert.pem");
  require(PEM_write_X509(certOut.get(), x) == 1, "writing cert.pem");
  File keyOut(std::fopen(out.keyFile.c_str(), "w"));
  require(keyOut != nullptr, "opening key.pem");
  ::chmod(out.keyFile.c_str(), 0600);
  require(PEM_write_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing key.pem");
  return out;
}

std::string certificateSha256(const std::string& pemFile) {
  File in(std::fopen(pemFile.c_str(), "r"));
  require(in != nullptr, ("opening " + pemFile).c_str());
  Certificate certificate(PEM_read_X509(in.get(), nullptr, nullptr, nullptr), &X509_free);
  require(certificate != nullptr, ("reading " + pemFile).c_str());
  return fingerprint(certificate.get());
}

}  // namespace lpr::testing
