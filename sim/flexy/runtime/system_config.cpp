#include "sim/flexy/runtime/system_config.hpp"

#include <cctype>

#include "common/ascii_case.hpp"
#include "sim/flexy/basic/errors.hpp"

namespace flexhil::flexy {

namespace {

std::string text_field(const std::map<std::string, basic::Value>& r, const char* upper) {
  const auto it = r.find(upper);
  if (it == r.end()) return {};
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return {};
}

int number_field(const std::map<std::string, basic::Value>& r, const char* upper, int fallback) {
  const auto it = r.find(upper);
  if (it == r.end()) return fallback;
  if (const auto* n = std::get_if<std::int32_t>(&it->second)) return *n;
  if (const auto* d = std::get_if<double>(&it->second)) return static_cast<int>(*d);
  return fallback;
}

}  // namespace

SystemConfig::SystemConfig(const FlexyConfig& config) {
  const std::pair<const char*, basic::Value> defaults[] = {
      {"Identification", basic::Value{config.device_name}},
      {"Information", basic::Value{std::string()}},
      {"PrgAutorun", basic::Value{std::int32_t{1}}},
      {"NtpServerAddr", basic::Value{std::string("pool.ntp.org")}},
      // The mail and FTP servers SENDMAIL and PUTFTP/GETFTP use ([system]; names inferred).
      {"SmtpServerAddr", basic::Value{config.servers.smtp_server}},
      {"SmtpServerPort", basic::Value{std::int32_t{config.servers.smtp_port}}},
      {"SmtpUserName", basic::Value{config.servers.smtp_user}},
      {"SmtpPassword", basic::Value{config.servers.smtp_password}},
      {"SmtpFromAddr", basic::Value{config.servers.smtp_from}},
      {"FtpServerAddr", basic::Value{config.servers.ftp_server}},
      {"FtpServerPort", basic::Value{std::int32_t{config.servers.ftp_port}}},
      {"FtpUserName", basic::Value{config.servers.ftp_user}},
      {"FtpPassword", basic::Value{config.servers.ftp_password}},
      {"FtpDir", basic::Value{config.servers.ftp_dir}},
  };
  for (const auto& [name, value] : defaults) {
    names_.emplace(ascii_upper(name), name);
    saved_.emplace(ascii_upper(name), value);
  }
  current_ = saved_;
}

std::optional<basic::Value> SystemConfig::field(std::string_view name) const {
  const Record& r = pending_ ? *pending_ : current_;
  auto it = r.find(ascii_upper(name));
  if (it == r.end()) return std::nullopt;
  return it->second;
}

basic::HostResult SystemConfig::set_field(std::string_view name, const basic::Value& value) {
  const std::string key = ascii_upper(name);
  if (key == "LOAD") {
    pending_ = current_;
    return basic::HostResult::ok();
  }
  if (key == "SAVE") {
    if (pending_) current_ = std::move(*pending_);
    pending_.reset();
    return basic::HostResult::ok();
  }
  auto it = current_.find(key);
  if (it == current_.end()) return basic::HostResult::fail(basic::error_code::invalid_parameter, "unknown field");
  // A field keeps its type: a number for PrgAutorun, text for the others.
  if (it->second.index() != value.index() && (it->second.index() == 2 || value.index() == 2))
    return basic::HostResult::fail(basic::error_code::type_mismatch, "the field holds a " +
                                                                        std::string(it->second.index() == 2 ? "string" : "number"));
  if (!pending_) pending_ = current_;
  (*pending_)[key] = it->second.index() == 0 && value.index() == 1
                         ? basic::Value{static_cast<std::int32_t>(std::get<double>(value))}
                         : value;
  return basic::HostResult::ok();
}

std::vector<std::string> SystemConfig::save() {
  if (pending_) current_ = std::move(*pending_);  // CFGSAVE right after SETSYS SYS,"field",v
  pending_.reset();
  std::vector<std::string> changed;
  for (const auto& [key, value] : current_) {
    if (saved_.at(key) != value) changed.push_back(names_.at(key));
  }
  saved_ = current_;
  return changed;
}

ServerSettings SystemConfig::servers() const {
  ServerSettings s;
  s.smtp_server = text_field(current_, "SMTPSERVERADDR");
  s.smtp_port = number_field(current_, "SMTPSERVERPORT", 25);
  s.smtp_user = text_field(current_, "SMTPUSERNAME");
  s.smtp_password = text_field(current_, "SMTPPASSWORD");
  s.smtp_from = text_field(current_, "SMTPFROMADDR");
  s.ftp_server = text_field(current_, "FTPSERVERADDR");
  s.ftp_port = number_field(current_, "FTPSERVERPORT", 21);
  s.ftp_user = text_field(current_, "FTPUSERNAME");
  s.ftp_password = text_field(current_, "FTPPASSWORD");
  s.ftp_dir = text_field(current_, "FTPDIR");
  return s;
}

void SystemConfig::reboot() {
  current_ = saved_;
  pending_.reset();
}

}  // namespace flexhil::flexy
