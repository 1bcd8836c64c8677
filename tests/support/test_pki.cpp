#include "test_pki.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <stdexcept>

#include "test_env.h"

namespace lpr::testing {

namespace {

void openssl(const std::vector<std::string>& args) {
  static const std::string program = findProgram("openssl");
  if (program.empty()) throw std::runtime_error("openssl not found");
  Poco::Pipe out;
  Poco::ProcessHandle ph = Poco::Process::launch(program, args, nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  std::string text;
  Poco::StreamCopier::copyToString(in, text);
  if (ph.wait() != 0) throw std::runtime_error("openssl " + args.front() + " failed: " + text);
}

}  // namespace

TestPki makeTestPki(const std::string& directory) {
  TestPki pki{directory + "/ca.crt", directory + "/server.crt", directory + "/server.key"};
  const std::string caKey = directory + "/ca.key", csr = directory + "/server.csr",
                    ext = directory + "/san.ext";
  writeFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", caKey, "-out",
           pki.caFile, "-subj", "/CN=lpr-test-ca"});
  openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.keyFile, "-out", csr, "-subj",
           "/CN=127.0.0.1"});
  openssl({"x509", "-req", "-in", csr, "-CA", pki.caFile, "-CAkey", caKey, "-CAcreateserial",
           "-days", "2", "-out", pki.certFile, "-extfile", ext});
  return pki;
}

}  // namespace lpr::testing
