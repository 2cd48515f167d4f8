#pragma once
// The emulated Flexy's system configuration as GETSYS/SETSYS SYS,"<field>" see it: a documented
// subset of the System section of config.txt (Identification, Information, PrgAutorun,
// NtpServerAddr) and the mail and FTP servers of [system] (SmtpServerAddr, SmtpServerPort,
// SmtpUserName, SmtpPassword, SmtpFromAddr, FtpServerAddr, FtpServerPort, FtpUserName,
// FtpPassword, FtpDir: names *inferred*). SETSYS SYS,"load" starts an edit, SETSYS SYS,"<field>",v changes it (an edit
// without "load" loads first), SETSYS SYS,"save" applies it; CFGSAVE makes the applied record the
// one a REBOOT comes back with. Pure.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::flexy {

class SystemConfig {
 public:
  explicit SystemConfig(const FlexyConfig& config);
  std::optional<basic::Value> field(std::string_view name) const;  // case-insensitive; nullopt = unknown
  basic::HostResult set_field(std::string_view name, const basic::Value& value);
  // CFGSAVE: an edit in progress is applied, the applied record becomes the saved one; returns
  // the names of the fields that changed.
  std::vector<std::string> save();
  void reboot();  // the saved record comes back; an edit in progress is lost
  // The servers SENDMAIL and PUTFTP/GETFTP use now (the applied record, not an edit in progress).
  ServerSettings servers() const;

 private:
  using Record = std::map<std::string, basic::Value>;  // upper-case field → value
  std::map<std::string, std::string> names_;           // upper-case → as documented
  Record saved_, current_;
  std::optional<Record> pending_;
};

}  // namespace flexhil::flexy
