// `flexhil certs check-ca FILE` (alias `flexhil hub --check-ca FILE`): would this CA bundle let
// a device connect to today's Azure IoT Hub? One line per certificate, then the verdict.
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "certs/ca_bundle_check.hpp"
#include "common/error.hpp"
#include "harness/cli/commands.hpp"

namespace flexhil::cli {
namespace {

// "2039-01-01" → seconds since 1970 UTC (midnight).
std::optional<std::int64_t> parse_utc_date(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace

int run_check_ca(const CheckCaArgs& args, std::ostream& out) {
  // The bundle first: an unreadable or non-PEM file is the user's input (exit 2) whatever the
  // state of the reference roots.
  const auto bundle = certs::read_ca_bundle_file(args.file);
  const auto references = certs::load_reference_roots(args.roots.empty() ? certs::default_reference_roots_dir : args.roots);
  std::int64_t at = static_cast<std::int64_t>(std::time(nullptr));
  if (!args.at.empty()) {
    const auto parsed = parse_utc_date(args.at);
    if (!parsed) throw CLI::ValidationError("--at", "'" + args.at + "' is not a date YYYY-MM-DD");
    at = *parsed;
  }
  const auto check = certs::check_ca_bundle(bundle, references, at);
  out << args.file << ": " << bundle.size() << " certificate" << (bundle.size() == 1 ? "" : "s") << ", judged at "
      << certs::utc_date(at) << " against Azure IoT Hub's roots\n";
  for (const auto& e : check.entries) out << certs::describe_entry(e) << '\n';
  if (check.verdict == certs::BundleVerdict::ok) {
    out << "OK (" << check.accepted_root << "): " << check.message << '\n';
    return exit_code::ok;
  }
  out << certs::rule_id(check.verdict) << ": " << check.message << '\n';
  return exit_code::findings;
}

void add_check_ca_options(CLI::App& cmd, CheckCaArgs& args) {
  cmd.add_option("--roots", args.roots,
                 "folder of the reference roots (DigiCert_Global_Root_G2.crt, "
                 "Microsoft_RSA_Root_Certificate_Authority_2017.crt, Baltimore_CyberTrust_Root.crt)")
      ->default_str(certs::default_reference_roots_dir);
  cmd.add_option("--at", args.at, "judge at this date (YYYY-MM-DD, UTC) instead of today");
}

void add_check_ca(CLI::App& certs, int& exit_code) {
  auto args = std::make_shared<CheckCaArgs>();
  auto* cmd = certs.add_subcommand(
      "check-ca", "Judge a device's CA bundle (PEM) against the roots today's Azure IoT Hub chains to.");
  cmd->add_option("file", args->file, "CA bundle: the PEM file the Flexy program names as CAFile")->required();
  add_check_ca_options(*cmd, *args);
  cmd->footer(
      "Prints one line per certificate (subject, SHA-256, validity, which Azure root it is) and the verdict:\n"
      "OK when it holds DigiCert Global Root G2 (or Microsoft RSA Root Certificate Authority 2017),\n"
      "TLS-CA-BUNDLE-OUTDATED when it holds only retired or expired roots (Baltimore CyberTrust Root),\n"
      "TLS-CA-BUNDLE-MISSING-G2 otherwise. Exit 0 ok, 1 finding, 2 unreadable or not PEM.\n"
      "Example: flexhil certs check-ca usr/ca.pem");
  cmd->callback([args, &exit_code] { exit_code = run_check_ca(*args, std::cout); });
}

}  // namespace flexhil::cli
