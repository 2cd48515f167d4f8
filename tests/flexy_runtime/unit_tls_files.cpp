// check_tls_files(): what the emulated Flexy refuses to connect with, before paho sees it —
// each problem names the SETPARAM parameter, the file as the program gave it, and the reason.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "certs/pki.hpp"
#include "sim/flexy/runtime/tls_files.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace flexhil;
using flexy::check_tls_files;
using flexy::TlsFile;

namespace {

certs::KeyPair make_pair(const std::string& cn) {
  certs::CertificateSpec spec;
  spec.common_name = cn;
  spec.key = certs::KeyType::ecdsa_p256;  // fast
  spec.client_auth = true;
  return certs::make_self_signed(spec);
}

struct Usr {
  testing::TempDir dir;
  TlsFile file(const char* parameter, const std::string& name) const {
    return {parameter, "/usr/" + name, dir.file(name)};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_files)

BOOST_AUTO_TEST_CASE(matching_files_pass_and_unset_files_are_not_checked) {
  Usr usr;
  make_pair("Flexy205").write(usr.dir.path().string(), "Flexy205");
  make_pair("ca").write(usr.dir.path().string(), "ca");
  BOOST_TEST(!check_tls_files(usr.file("CAFile", "ca.crt"), usr.file("CertFile", "Flexy205.crt"),
                              usr.file("KeyFile", "Flexy205.key")));
  BOOST_TEST(!check_tls_files({"CAFile", "", ""}, {"CertFile", "", ""}, {"KeyFile", "", ""}));
}

BOOST_AUTO_TEST_CASE(each_problem_names_the_parameter_the_file_and_the_reason) {
  Usr usr;
  const auto dir = usr.dir.path().string();
  make_pair("Flexy205").write(dir, "Flexy205");
  make_pair("Other").write(dir, "Other");
  make_pair("ca").write(dir, "ca");
  usr.dir.write("garbage.pem", "not a certificate\n");
  fs::create_directory(usr.dir.path() / "folder.crt");
  const auto ca = usr.file("CAFile", "ca.crt");
  const auto cert = usr.file("CertFile", "Flexy205.crt");
  const auto key = usr.file("KeyFile", "Flexy205.key");

  struct Case {
    TlsFile ca, cert, key;
    std::string expected;
  };
  const Case cases[] = {
      {usr.file("CAFile", "missing.pem"), cert, key, "CAFile /usr/missing.pem: not found"},
      {usr.file("CAFile", "garbage.pem"), cert, key, "CAFile /usr/garbage.pem: holds no PEM certificate"},
      {ca, usr.file("CertFile", "missing.crt"), key, "CertFile /usr/missing.crt: not found"},
      {ca, usr.file("CertFile", "folder.crt"), key, "CertFile /usr/folder.crt: is a directory, not a file"},
      {ca, usr.file("CertFile", "Flexy205.key"), key, "CertFile /usr/Flexy205.key: holds no PEM certificate"},
      {ca, cert, usr.file("KeyFile", "missing.key"), "KeyFile /usr/missing.key: not found"},
      {ca, cert, usr.file("KeyFile", "Flexy205.crt"), "KeyFile /usr/Flexy205.crt: holds no unencrypted PEM private key"},
      {ca, cert, usr.file("KeyFile", "Other.key"), "KeyFile /usr/Other.key: does not match CertFile /usr/Flexy205.crt"},
      {ca, cert, {"KeyFile", "", ""}, "CertFile /usr/Flexy205.crt: holds no private key and KeyFile is not set"},
      {ca, {"CertFile", "", ""}, key, "KeyFile /usr/Flexy205.key: is set but CertFile is not"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.expected) {
      const auto problem = check_tls_files(c.ca, c.cert, c.key);
      BOOST_REQUIRE(problem.has_value());
      BOOST_TEST(problem->describe() == c.expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_certificate_file_holding_its_key_needs_no_keyfile) {
  Usr usr;
  const auto pair = make_pair("Flexy205");
  usr.dir.write("both.pem", pair.cert_pem + pair.key_pem);
  BOOST_TEST(!check_tls_files({"CAFile", "", ""}, usr.file("CertFile", "both.pem"), {"KeyFile", "", ""}));
}

BOOST_AUTO_TEST_SUITE_END()
