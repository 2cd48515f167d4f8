#include "sim/flexy/runtime/transfer_plan.hpp"

#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "sim/flexy/runtime/connect_proxy.hpp"

namespace flexhil::flexy {
namespace {

std::string transfer_arg(const std::vector<basic::Value>& args, std::size_t i) {
  if (i >= args.size()) return {};
  if (const auto* s = std::get_if<std::string>(&args[i])) return *s;
  if (const auto* n = std::get_if<std::int32_t>(&args[i])) return std::to_string(*n);
  return fmt::format("{}", std::get<double>(args[i]));
}

bool one_line(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

TransferPlan plan_mail_action(const std::vector<basic::Value>& args, const ServerSettings& servers,
                              const ActionPolicy& policy, const std::string& device_name) {
  TransferPlan plan;
  if (servers.smtp_server.empty()) return plan;
  const auto host = ascii_lower(servers.smtp_server);
  plan.server = fmt::format("{}:{}", host, servers.smtp_port);
  const auto* route = find_route(policy.smtp_resolve, host, servers.smtp_port);
  if (!route) return plan;
  MailJob job;
  job.from = servers.smtp_from.empty() ? device_name + "@flexy.invalid" : servers.smtp_from;
  job.to = split_addresses(transfer_arg(args, 0));
  job.cc = split_addresses(transfer_arg(args, 1));
  job.subject = transfer_arg(args, 2);
  job.body = transfer_arg(args, 3);
  job.user = servers.smtp_user;
  job.password = servers.smtp_password;
  job.helo = device_name.empty() || device_name.find_first_of(" \t\r\n") != std::string::npos ? "flexy" : device_name;
  if (job.to.empty()) {
    plan.error = "SENDMAIL without a recipient";
    return plan;
  }
  for (const auto* list : {&job.to, &job.cc})
    for (const auto& a : *list)
      if (!one_line(a) || a.find_first_of("<> ") != std::string::npos) {
        plan.error = "'" + a + "' is not a mail address";
        return plan;
      }
  plan.mail = RealMailCall{*route, std::move(job)};
  return plan;
}

TransferPlan plan_ftp_action(std::string_view kind, const std::vector<basic::Value>& args,
                             const ServerSettings& servers, const ActionPolicy& policy) {
  TransferPlan plan;
  if (servers.ftp_server.empty()) return plan;
  const auto host = ascii_lower(servers.ftp_server);
  plan.server = fmt::format("{}:{}", host, servers.ftp_port);
  const auto* route = find_route(policy.ftp_resolve, host, servers.ftp_port);
  if (!route) return plan;
  FtpJob job;
  job.upload = kind == "putftp";
  job.user = servers.ftp_user.empty() ? "anonymous" : servers.ftp_user;
  job.password = servers.ftp_password;
  job.dir = servers.ftp_dir;
  job.server_file = transfer_arg(args, 0);
  if (job.upload) job.content = transfer_arg(args, 1);
  if (job.server_file.empty() || !one_line(job.server_file)) {
    plan.error = "'" + job.server_file + "' is not a server file name";
    return plan;
  }
  const std::string local_file = job.upload ? std::string() : transfer_arg(args, 1);
  plan.ftp = RealFtpCall{*route, std::move(job), local_file};
  return plan;
}

}  // namespace flexhil::flexy
