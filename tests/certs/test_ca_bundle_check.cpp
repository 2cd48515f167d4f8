// The CA bundle check against Debian's real root certificates (ca-certificates), bundles built
// from them in a temp dir, and `flexhil certs check-ca` / `flexhil hub --check-ca` as child
// processes.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "certs/ca_bundle_check.hpp"
#include "certs/openssl_handles.hpp"
#include "certs/pki.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil::certs;
using flexhil::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kRoots = default_reference_roots_dir;
const std::string kG2 = kRoots + "/DigiCert_Global_Root_G2.crt";
const std::string kMs2017 = kRoots + "/Microsoft_RSA_Root_Certificate_Authority_2017.crt";
const std::string kBaltimore = kRoots + "/Baltimore_CyberTrust_Root.crt";

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::int64_t date(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<std::int64_t>(::timegm(&tm));
}

BundleCheck check_text(const std::string& text, std::int64_t at = now()) {
  return check_ca_bundle(read_ca_bundle(text, "bundle.pem"), load_reference_roots(), at);
}

KeyPair test_ca(const std::string& cn = "flexhil Test Root CA") {
  CertificateSpec spec;
  spec.common_name = cn;
  spec.is_ca = true;
  return make_self_signed(spec);
}

// The message of the ConfigError `f` throws ("" when it throws nothing).
template <typename F>
std::string config_error_of(F&& f) {
  try {
    f();
  } catch (const flexhil::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ca_bundle_check)

BOOST_AUTO_TEST_CASE(reference_roots_are_debians_files_with_their_real_fingerprints) {
  const auto refs = load_reference_roots();
  BOOST_REQUIRE_EQUAL(refs.size(), 3u);
  BOOST_TEST(refs[0].name == "DigiCert Global Root G2");
  BOOST_TEST((refs[0].status == RootStatus::current));
  BOOST_TEST(refs[0].sha256 == sha256_thumbprint(read_certificate_file(kG2)));
  BOOST_TEST(refs[0].sha256 == "CB3CCBB76031E5E0138F8DD39A23F9DE47FFC35E43C1144CEA27D46A5AB1CB5F");
  BOOST_TEST((refs[1].status == RootStatus::alternative));
  BOOST_TEST(refs[1].sha256 == sha256_thumbprint(read_certificate_file(kMs2017)));
  BOOST_TEST(refs[2].name == "Baltimore CyberTrust Root");
  BOOST_TEST((refs[2].status == RootStatus::retired));
  BOOST_TEST(utc_date(refs[2].not_after) == "2025-05-12");
  BOOST_TEST(utc_date(refs[0].not_after) == "2038-01-15");
}

BOOST_AUTO_TEST_CASE(a_bundle_with_g2_is_ok_and_says_g2) {
  const auto check = check_text(read_text(kG2) + read_text(kMs2017));
  BOOST_TEST((check.verdict == BundleVerdict::ok));
  BOOST_TEST(check.accepted_root == "DigiCert Global Root G2");
  BOOST_TEST(rule_id(check.verdict).empty());
  BOOST_REQUIRE_EQUAL(check.entries.size(), 2u);
  BOOST_TEST(check.entries[1].reference == "Microsoft RSA Root Certificate Authority 2017");
}

BOOST_AUTO_TEST_CASE(a_bundle_with_only_the_microsoft_2017_root_is_ok_and_says_so) {
  const auto check = check_text(read_text(kMs2017));
  BOOST_TEST((check.verdict == BundleVerdict::ok));
  BOOST_TEST(check.accepted_root == "Microsoft RSA Root Certificate Authority 2017");
  BOOST_TEST(check.message.find("not DigiCert Global Root G2") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(a_baltimore_only_bundle_is_outdated_and_names_the_expiry) {
  const auto check = check_text(read_text(kBaltimore));
  BOOST_TEST((check.verdict == BundleVerdict::outdated));
  BOOST_TEST(rule_id(check.verdict) == "TLS-CA-BUNDLE-OUTDATED");
  BOOST_TEST(check.accepted_root.empty());
  BOOST_REQUIRE_EQUAL(check.entries.size(), 1u);
  BOOST_TEST(check.entries[0].expired);
  BOOST_TEST(check.message.find("Baltimore CyberTrust Root") != std::string::npos, check.message);
  BOOST_TEST(check.message.find("expired on 2025-05-12") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(baltimore_is_outdated_by_its_retirement_even_before_it_expired) {
  // Judged in 2024: Baltimore still valid, but the hub had moved to G2 in 2023.
  const auto check = check_text(read_text(kBaltimore), date(2024, 6, 1));
  BOOST_TEST((check.verdict == BundleVerdict::outdated));
  BOOST_TEST(!check.entries[0].expired);
  BOOST_TEST(check.message.find("retired") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(baltimore_next_to_an_unrelated_root_is_still_outdated) {
  const auto check = check_text(read_text(kBaltimore) + test_ca().cert_pem);
  BOOST_TEST((check.verdict == BundleVerdict::outdated));
}

BOOST_AUTO_TEST_CASE(a_bundle_of_other_roots_is_missing_g2_and_lists_their_subjects) {
  const auto check = check_text(test_ca("Bench CA").cert_pem + test_ca("Other CA").cert_pem);
  BOOST_TEST((check.verdict == BundleVerdict::missing_g2));
  BOOST_TEST(rule_id(check.verdict) == "TLS-CA-BUNDLE-MISSING-G2");
  BOOST_TEST(check.message.find("CN=Bench CA") != std::string::npos, check.message);
  BOOST_TEST(check.message.find("CN=Other CA") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(judged_after_2038_g2_has_expired_and_only_the_microsoft_root_saves_the_bundle) {
  const auto after = date(2039, 1, 1);
  const auto g2_only = check_text(read_text(kG2), after);
  BOOST_TEST((g2_only.verdict == BundleVerdict::outdated));
  BOOST_TEST(g2_only.message.find("expired on 2038-01-15") != std::string::npos, g2_only.message);
  const auto both = check_text(read_text(kG2) + read_text(kMs2017), after);
  BOOST_TEST((both.verdict == BundleVerdict::ok));
  BOOST_TEST(both.accepted_root == "Microsoft RSA Root Certificate Authority 2017");
}

BOOST_AUTO_TEST_CASE(an_expired_certificate_in_a_good_bundle_is_named) {
  CertificateSpec spec;
  spec.common_name = "Old Bench CA";
  spec.is_ca = true;
  spec.not_before_offset = std::chrono::hours(-48);
  spec.lifetime = std::chrono::hours(24);
  const auto check = check_text(read_text(kG2) + make_self_signed(spec).cert_pem);
  BOOST_TEST((check.verdict == BundleVerdict::ok));
  BOOST_REQUIRE_EQUAL(check.entries.size(), 2u);
  BOOST_TEST(check.entries[1].expired);
  BOOST_TEST(check.message.find("certificate 2 (CN=Old Bench CA) expired on") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(only_expired_unknown_certificates_are_outdated) {
  CertificateSpec spec;
  spec.common_name = "Old Bench CA";
  spec.is_ca = true;
  spec.not_before_offset = std::chrono::hours(-48);
  spec.lifetime = std::chrono::hours(24);
  const auto check = check_text(make_self_signed(spec).cert_pem);
  BOOST_TEST((check.verdict == BundleVerdict::outdated));
  BOOST_TEST(check.message.find("every one of the 1 certificate has expired") != std::string::npos, check.message);
}

BOOST_AUTO_TEST_CASE(comments_junk_crlf_and_keys_between_certificates_are_tolerated) {
  const auto key_block = test_ca().key_pem;
  std::string text = "# Azure roots for the Flexy, 2024\r\n" + read_text(kBaltimore) + "some junk text\r\n\r\n" + key_block +
                     "Subject: DigiCert Global Root G2\r\n" + read_text(kG2);
  // CRLF endings throughout, as a bundle edited on Windows has them.
  std::string crlf;
  for (const char c : text) {
    if (c == '\n' && (crlf.empty() || crlf.back() != '\r')) crlf += '\r';
    crlf += c;
  }
  const auto certs = read_ca_bundle(crlf, "bundle.pem");
  BOOST_REQUIRE_EQUAL(certs.size(), 2u);
  BOOST_TEST(certs[0].index == 1);
  BOOST_TEST(certs[0].line == 2);
  BOOST_TEST(certs[0].subject.find("CN=Baltimore CyberTrust Root") == 0, certs[0].subject);
  BOOST_TEST(certs[1].index == 2);
  const auto check = check_ca_bundle(certs, load_reference_roots(), now());
  BOOST_TEST((check.verdict == BundleVerdict::ok));
}

BOOST_AUTO_TEST_CASE(a_der_file_empty_file_or_garbage_is_a_clear_error) {
  auto cert = ossl::parse_pem_certificate(read_text(kG2));
  BOOST_REQUIRE(cert);
  const auto der = ossl::to_der(cert.get());
  auto e = config_error_of([&] { read_ca_bundle(der, "g2.cer"); });
  BOOST_TEST(e.find("g2.cer: error: a DER (binary) certificate, not PEM") == 0, e);
  e = config_error_of([&] { read_ca_bundle("", "empty.pem"); });
  BOOST_TEST(e.find("empty.pem: error: the CA bundle is empty") == 0, e);
  e = config_error_of([&] { read_ca_bundle("just some text\n", "notes.txt"); });
  BOOST_TEST(e.find("notes.txt: error: no PEM certificate") == 0, e);
  e = config_error_of([&] { read_ca_bundle(test_ca().key_pem, "key.pem"); });
  BOOST_TEST(e.find("key.pem: error: no PEM certificate") == 0, e);
}

BOOST_AUTO_TEST_CASE(a_broken_certificate_block_is_an_error_at_its_line) {
  const auto g2 = read_text(kG2);
  // Truncated: BEGIN at line 2 without END.
  auto e = config_error_of([&] { read_ca_bundle("# x\n" + g2.substr(0, g2.size() / 2), "cut.pem"); });
  BOOST_TEST(e.find("cut.pem:2:1: error:") == 0, e);
  BOOST_TEST(e.find("never closed") != std::string::npos, e);
  // Corrupted body: the second certificate's base64 damaged.
  auto damaged = read_text(kMs2017);
  const auto at = damaged.find('\n', damaged.find("BEGIN")) + 10;
  damaged.replace(at, 8, "!!!!!!!!");
  const int second_line = 1 + static_cast<int>(std::count(g2.begin(), g2.end(), '\n'));
  e = config_error_of([&] { read_ca_bundle(g2 + damaged, "bad.pem"); });
  BOOST_TEST(e.find("bad.pem:" + std::to_string(second_line) + ":1: error: certificate 2 does not decode") == 0, e);
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_a_config_error_naming_it) {
  TempDir dir;
  auto e = config_error_of([&] { read_ca_bundle_file(dir.file("absent.pem")); });
  BOOST_TEST(e.find("absent.pem: error: cannot read") != std::string::npos, e);
  e = config_error_of([&] { read_ca_bundle_file(dir.path().string()); });
  BOOST_TEST(e.find("is a directory") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(the_reference_folder_can_be_replaced_and_baltimore_is_optional) {
  TempDir dir;
  fs::copy_file(kG2, dir.file("DigiCert_Global_Root_G2.crt"));
  fs::copy_file(kMs2017, dir.file("Microsoft_RSA_Root_Certificate_Authority_2017.crt"));
  const auto refs = load_reference_roots(dir.path().string());
  BOOST_TEST(refs.size() == 2u);
  // Without Baltimore among the references, a Baltimore-only bundle is still outdated: it expired.
  const auto check = check_ca_bundle(read_ca_bundle(read_text(kBaltimore), "b.pem"), refs, now());
  BOOST_TEST((check.verdict == BundleVerdict::outdated));
  fs::remove(dir.file("DigiCert_Global_Root_G2.crt"));
  BOOST_CHECK_THROW(load_reference_roots(dir.path().string()), flexhil::InfrastructureError);
}

// ---------------------------------------------------------------- the CLI

namespace {

struct Cli {
  int status = -1;
  std::string out, err;
};

Cli run_cli(const TempDir& dir, const std::vector<std::string>& args) {
  static int counter = 0;
  const auto tag = std::to_string(++counter);
  flexhil::ChildProcess::Options options;
  options.argv = {flexhil::testing::flexhil_binary()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.stdout_path = dir.file("check-out" + tag);
  options.stderr_path = dir.file("check-err" + tag);
  auto child = flexhil::ChildProcess::spawn(options);
  const auto status = child.wait_for(std::chrono::seconds(30));
  BOOST_REQUIRE_MESSAGE(status, "flexhil did not exit within 30 s");
  return {*status, read_text(*options.stdout_path), read_text(*options.stderr_path)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(cli_check_ca_exits_0_1_2_and_prints_one_line_per_certificate) {
  TempDir dir;
  const auto good = dir.write("good.pem", "# roots\n" + read_text(kG2) + read_text(kBaltimore));
  auto r = run_cli(dir, {"certs", "check-ca", good});
  BOOST_TEST(r.status == 0, r.out << r.err);
  BOOST_TEST(r.out.find("  1. CN=DigiCert Global Root G2") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("  2. CN=Baltimore CyberTrust Root") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("EXPIRED") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("OK (DigiCert Global Root G2)") != std::string::npos, r.out);

  const auto old = dir.write("old.pem", read_text(kBaltimore));
  r = run_cli(dir, {"certs", "check-ca", old});
  BOOST_TEST(r.status == 1, r.out << r.err);
  BOOST_TEST(r.out.find("TLS-CA-BUNDLE-OUTDATED: ") != std::string::npos, r.out);

  const auto other = dir.write("bench.pem", test_ca().cert_pem);
  r = run_cli(dir, {"certs", "check-ca", other});
  BOOST_TEST(r.status == 1, r.out << r.err);
  BOOST_TEST(r.out.find("TLS-CA-BUNDLE-MISSING-G2: ") != std::string::npos, r.out);

  auto cert = ossl::parse_pem_certificate(read_text(kG2));
  BOOST_REQUIRE(cert);
  const auto der = dir.write("g2.cer", ossl::to_der(cert.get()));
  r = run_cli(dir, {"certs", "check-ca", der});
  BOOST_TEST(r.status == 2, r.out << r.err);
  BOOST_TEST(r.err.find("g2.cer: error: a DER") != std::string::npos, r.err);

  // --at moves the judged date past G2's expiry.
  r = run_cli(dir, {"certs", "check-ca", good, "--at", "2039-01-01"});
  BOOST_TEST(r.status == 1, r.out << r.err);
  r = run_cli(dir, {"certs", "check-ca", good, "--at", "someday"});
  BOOST_TEST(r.status == 2, r.out << r.err);
  // Reference roots missing: our installation, not the user's bundle (exit 3).
  r = run_cli(dir, {"certs", "check-ca", good, "--roots", dir.path().string()});
  BOOST_TEST(r.status == 3, r.out << r.err);
  BOOST_TEST(r.err.find("ca-certificates") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(cli_hub_check_ca_is_an_alias_that_starts_no_hub) {
  TempDir dir;
  const auto old = dir.write("old.pem", read_text(kBaltimore));
  const auto alias = run_cli(dir, {"hub", "--check-ca", old});
  const auto certs = run_cli(dir, {"certs", "check-ca", old});
  BOOST_TEST(alias.status == 1, alias.out << alias.err);
  BOOST_TEST(alias.out == certs.out);
  // Without --check-ca the hub still needs its registry.
  const auto bare = run_cli(dir, {"hub"});
  BOOST_TEST(bare.status == 2, bare.out << bare.err);
  BOOST_TEST((bare.out + bare.err).find("--registry is required") != std::string::npos, bare.out << bare.err);
}

BOOST_AUTO_TEST_SUITE_END()
