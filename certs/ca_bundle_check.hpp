#pragma once
// Judges a device's CA bundle (the file a Flexy program names with MQTT "SETPARAM","CAFile")
// against the roots today's Azure IoT Hub chains to. During a run the emulated Flexy trusts the
// harness's own CA, so a bundle that would fail on the real hub (only the retired Baltimore
// root, say) passes the run unnoticed: this check tells. docs/hub-behaviour.md lists the roots.
//
//   const auto refs = load_reference_roots();              // Debian's ca-certificates
//   const auto certs = read_ca_bundle_file("my_ca.pem");   // ConfigError when not PEM
//   const auto check = check_ca_bundle(certs, refs, now);  // verdict, accepted root, message
//
// Parsing and judging are pure (text in, values out); only the *_file/load_* helpers read files.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil::certs {

// What Azure IoT Hub makes of a root: the one its server certificates chain to, the documented
// fallback Microsoft asks devices to trust as well, or a root it used to chain to.
enum class RootStatus { current, alternative, retired };
std::string_view to_string(RootStatus status);  // "current", "alternative", "retired"

struct ReferenceRoot {
  std::string name;       // "DigiCert Global Root G2"
  RootStatus status = RootStatus::current;
  std::string sha256;     // upper-case hex of the DER
  std::int64_t not_after = 0;  // seconds since 1970 UTC
};

// Where Debian's ca-certificates keeps the Mozilla roots.
inline constexpr const char* default_reference_roots_dir = "/usr/share/ca-certificates/mozilla";

// DigiCert Global Root G2 (current) and Microsoft RSA Root Certificate Authority 2017
// (alternative) from `dir`, plus Baltimore CyberTrust Root (retired) when the folder still has it
// (a bundle holding only Baltimore is outdated anyway: it has expired). Throws
// InfrastructureError when a required root is missing or unreadable: the package is ours to install.
std::vector<ReferenceRoot> load_reference_roots(const std::string& dir = default_reference_roots_dir);

struct BundleCertificate {
  int index = 0;          // 1-based position in the bundle
  int line = 0;           // line of its -----BEGIN line
  std::string subject;    // RFC 2253 ("CN=DigiCert Global Root G2,OU=…,O=…,C=US")
  std::string sha256;     // upper-case hex of the DER
  std::int64_t not_before = 0, not_after = 0;  // seconds since 1970 UTC
};

// Every certificate of a PEM bundle, in order. Comments and any text between the PEM blocks are
// ignored, as OpenSSL does; other PEM blocks (keys) are skipped. Throws ConfigError naming
// `file` (and the line, for a broken block) when the text is empty, DER, holds no PEM
// certificate, or a certificate block is unterminated or does not decode.
std::vector<BundleCertificate> read_ca_bundle(std::string_view text, const std::string& file);
// The same from a file (ConfigError when it cannot be read).
std::vector<BundleCertificate> read_ca_bundle_file(const std::string& path);

enum class BundleVerdict {
  ok,          // holds a root the hub chains to (G2), or the documented alternative
  missing_g2,  // TLS-CA-BUNDLE-MISSING-G2: neither, and nothing Azure used to chain to either
  outdated,    // TLS-CA-BUNDLE-OUTDATED: only retired roots (Baltimore) or expired certificates
};
std::string_view to_string(BundleVerdict verdict);  // "ok", "missing-g2", "outdated"
// "" for ok, else the rule id of the finding.
std::string_view rule_id(BundleVerdict verdict);

struct BundleEntry {
  BundleCertificate certificate;
  std::string reference;  // name of the reference root it is ("" = none)
  RootStatus status = RootStatus::current;  // meaningful when `reference` is set
  bool expired = false;   // at the judged date (or not yet valid)
};

struct BundleCheck {
  BundleVerdict verdict = BundleVerdict::missing_g2;
  std::string accepted_root;     // the root that makes it ok ("" unless ok)
  std::vector<BundleEntry> entries;
  std::string message;           // one line: the verdict, what is missing, expired certificates named
};

// Judged at `at` (seconds since 1970 UTC; a run passes its scenario clock's date): a root that
// has expired by then counts for nothing, and is named in the message.
BundleCheck check_ca_bundle(const std::vector<BundleCertificate>& bundle, const std::vector<ReferenceRoot>& references,
                            std::int64_t at);

// "2025-05-12" (UTC) of seconds since 1970.
std::string utc_date(std::int64_t epoch_s);
// One line per certificate as `flexhil certs check-ca` prints it:
// "  1. CN=…  sha256 CB3C…  2013-08-01 .. 2038-01-15  DigiCert Global Root G2 (current)".
std::string describe_entry(const BundleEntry& entry);

}  // namespace flexhil::certs
