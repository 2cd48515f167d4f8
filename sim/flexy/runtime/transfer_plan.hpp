#pragma once
// What SENDMAIL, PUTFTP and GETFTP become when the device's configured mail or FTP server
// ([system], SystemConfig::servers()) is a host `[actions] smtp_resolve` / `ftp_resolve` maps:
// the SMTP or FTP dialog with the server that stands for it. Pure (unit-tested); performed by
// the ActionRunner through smtp_client / ftp_client.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/ftp_client.hpp"
#include "sim/flexy/runtime/smtp_client.hpp"

namespace flexhil::flexy {

struct RealMailCall {
  std::string address;  // "127.0.0.1:port"
  MailJob job;
};
struct RealFtpCall {
  std::string address;
  FtpJob job;
  std::string local_file;  // GETFTP: the Flexy file the download goes to
};
struct TransferPlan {
  std::optional<RealMailCall> mail;  // set: SENDMAIL performed for real
  std::optional<RealFtpCall> ftp;    // set: PUTFTP/GETFTP performed for real
  std::string server;                // the configured server as the device dials it ("host:port")
  std::string error;                 // the action fails at once (no recipient, a bad file name)
};

// SENDMAIL to$, cc$, subject$, message$ (`device_name` makes the default sender).
TransferPlan plan_mail_action(const std::vector<basic::Value>& args, const ServerSettings& servers,
                              const ActionPolicy& policy, const std::string& device_name);
// PUTFTP server_file$, content$ / GETFTP server_file$, flexy_file$ (kind lower-case).
TransferPlan plan_ftp_action(std::string_view kind, const std::vector<basic::Value>& args,
                             const ServerSettings& servers, const ActionPolicy& policy);

}  // namespace flexhil::flexy
