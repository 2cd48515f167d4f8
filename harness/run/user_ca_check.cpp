#include "harness/run/user_ca_check.hpp"

#include <filesystem>

#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::run {
namespace fs = std::filesystem;

std::optional<UserCaBundle> user_ca_bundle(const scenario::Scenario& s) {
  if (!s.dut.user_ca_file.empty()) return UserCaBundle{s.dut.user_ca_file, "user_ca_file"};
  if (s.dut.kind != scenario::DutKind::emulated || !s.dut.flexy || s.dut.ca_file.empty()) return std::nullopt;
  // The scenario's own usr folder, never the run's copy: a reused --out folder holds the CA the
  // harness installed last time.
  const auto in_usr = flexy::map_usr_path(s.dut.flexy->usr_dir, s.dut.ca_file);
  std::error_code ec;
  if (!fs::is_regular_file(in_usr, ec)) return std::nullopt;
  return UserCaBundle{fs::path(in_usr).lexically_normal().string(), "usr_dir"};
}

Json ca_bundle_event(const scenario::Scenario& s, const UserCaBundle& bundle, const certs::BundleCheck& check,
                     std::int64_t at) {
  auto ev = make_event("ca_bundle");
  ev["device"] = s.dut.device;
  ev["file"] = bundle.path;
  ev["source"] = bundle.source;
  ev["judged_at"] = certs::utc_date(at);
  ev["verdict"] = std::string(certs::to_string(check.verdict));
  ev["accepted_root"] = check.accepted_root;
  ev["message"] = check.message;
  auto list = Json::array();
  for (const auto& e : check.entries) {
    Json c;
    c["index"] = e.certificate.index;
    c["line"] = e.certificate.line;
    c["subject"] = e.certificate.subject;
    c["sha256"] = e.certificate.sha256;
    c["not_before"] = certs::utc_date(e.certificate.not_before);
    c["not_after"] = certs::utc_date(e.certificate.not_after);
    c["expired"] = e.expired;
    c["reference"] = e.reference;
    if (!e.reference.empty()) c["status"] = std::string(certs::to_string(e.status));
    list.push_back(std::move(c));
  }
  ev["certificates"] = std::move(list);
  return ev;
}

std::optional<Json> check_user_ca_bundle(const scenario::Scenario& s, std::int64_t at, const std::string& reference_dir) {
  const auto bundle = user_ca_bundle(s);
  if (!bundle) return std::nullopt;
  const auto certificates = certs::read_ca_bundle_file(bundle->path);
  const auto check = certs::check_ca_bundle(certificates, certs::load_reference_roots(reference_dir), at);
  return ca_bundle_event(s, *bundle, check, at);
}

}  // namespace flexhil::run
