#include "sim/flexy/runtime/outbound_actions.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/ascii_case.hpp"
#include "common/http_url.hpp"
#include "sim/flexy/runtime/connect_proxy.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/action_runner.hpp"
#include "sim/flexy/runtime/transfer_plan.hpp"

namespace flexhil::flexy {
namespace {

std::string text(const std::vector<basic::Value>& args, std::size_t i) {
  if (i >= args.size()) return {};
  if (const auto* s = std::get_if<std::string>(&args[i])) return *s;
  if (const auto* n = std::get_if<std::int32_t>(&args[i])) return std::to_string(*n);
  return fmt::format("{}", std::get<double>(args[i]));
}



// A Flexy path the emulator may write: inside /usr, no "..".
bool safe_flexy_path(const std::string& path) {
  if (path.empty()) return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

// REQUESTHTTPX headers$: "Name=value&Name2=value2" (RG-0006's form; our reading).
std::vector<http::Header> program_headers(const std::string& spec) {
  std::vector<http::Header> out;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    auto amp = spec.find('&', pos);
    if (amp == std::string::npos) amp = spec.size();
    const auto item = spec.substr(pos, amp - pos);
    const auto eq = item.find('=');
    if (eq != std::string::npos && eq > 0 && item.find_first_of("\r\n") == std::string::npos)
      out.push_back(http::Header{item.substr(0, eq), item.substr(eq + 1)});
    pos = amp + 1;
  }
  return out;
}

bool is_success(int status) { return status >= 200 && status < 300; }

}  // namespace

HttpPlan plan_http_action(std::string_view kind, const std::vector<basic::Value>& args, const ActionPolicy& policy,
                          const std::function<std::optional<std::string>(const std::string&)>& upload) {
  HttpPlan plan;
  std::optional<http::Url> url;
  http::Request req;
  std::string response_file;
  if (kind == "requesthttpx") {
    plan.url = text(args, 0);
    url = http::parse_url(plan.url);
    req.method = ascii_upper(text(args, 1));
    req.headers = program_headers(text(args, 2));
    req.body = text(args, 3);
    response_file = text(args, 5);
  } else if (kind == "puthttp") {
    url = http::parse_server(text(args, 0), text(args, 1));
    req.method = args.size() > 4 && !text(args, 4).empty() ? ascii_upper(text(args, 4)) : "POST";
    // The real Flexy sends post$ and the upload$ file as multipart/form-data; the emulator sends
    // both as one body (not emulated: sim/flexy/runtime/README.md).
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = text(args, 2) + text(args, 3);
  } else if (kind == "gethttp") {
    url = http::parse_server(text(args, 0), text(args, 2));
    req.method = "GET";
    response_file = text(args, 1);
  } else {
    return plan;
  }
  if (!url) return plan;
  if (plan.url.empty()) plan.url = url->scheme + "://" + url->authority() + url->target;
  const auto* route = find_route(policy.resolve, url->host, url->port);
  if (!route) return plan;
  if (url->scheme != "http") {
    plan.not_performed = "https is not emulated: the scripted outcome applies";
    return plan;
  }
  if (kind == "requesthttpx" && !text(args, 4).empty()) {
    const auto content = upload(text(args, 4));
    if (!content) {
      plan.error = "cannot read the upload file '" + text(args, 4) + "'";
      return plan;
    }
    req.body = *content;
  }
  req.target = url->target;
  req.version = "HTTP/1.1";
  req.headers.insert(req.headers.begin(), http::Header{"Host", url->authority()});
  req.headers.push_back(http::Header{"Connection", "close"});
  plan.call = RealHttpCall{*route, std::move(req), std::move(response_file)};
  return plan;
}

OutboundActions::OutboundActions(ActionPolicy policy, std::string usr_dir, ActionRunner* runner,
                                 std::string device_name)
    : policy_(std::move(policy)), usr_dir_(std::move(usr_dir)), runner_(runner), device_name_(std::move(device_name)) {}

OutboundActions::Launched OutboundActions::launch(std::string_view kind_upper, const std::vector<basic::Value>& args,
                                                  int line, double now_s, const ServerSettings& servers) {
  const std::string kind = ascii_lower(kind_upper);
  Launched out;
  out.id = next_id_++;
  selected_ = out.id;
  Json e = Json::object();
  e["action"] = kind;
  e["action_id"] = out.id;
  e["phase"] = "start";
  if (line > 0) e["line"] = line;
  std::string content;
  std::string local_file;
  if (kind == "sendmail") {
    e["destination"] = text(args, 0);
    if (!text(args, 1).empty()) e["cc"] = text(args, 1);
    e["subject"] = text(args, 2);
    content = text(args, 3);
  } else if (kind == "sendsms") {
    const std::string to = text(args, 0);
    e["destination"] = to.substr(0, to.find(','));  // "number,gsm,0": the number
    e["recipient"] = to;
    content = text(args, 1);
  } else if (kind == "sendtrap") {
    e["destination"] = "snmp";
    e["param1"] = text(args, 0);
    content = text(args, 1);
  } else if (kind == "putftp") {
    e["destination"] = text(args, 0);
    content = text(args, 1);
  } else if (kind == "getftp") {
    e["destination"] = text(args, 0);
    local_file = text(args, 1);
  } else if (kind == "puthttp") {
    e["destination"] = text(args, 0) + text(args, 1);
    if (args.size() > 4) e["method"] = text(args, 4);
    content = text(args, 2) + text(args, 3);
  } else if (kind == "gethttp") {
    e["destination"] = text(args, 0) + text(args, 2);
    local_file = text(args, 1);
  } else if (kind == "requesthttpx") {
    e["destination"] = text(args, 0);
    e["method"] = text(args, 1);
    content = text(args, 3);
    local_file = text(args, 5);
  } else {
    e["destination"] = "";
  }
  const auto plan = plan_http_action(kind, args, policy_, [this](const std::string& file) -> std::optional<std::string> {
    if (!safe_flexy_path(file)) return std::nullopt;
    std::ifstream in(map_usr_path(usr_dir_, file), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  });
  if (plan.call) content = plan.call->request.body;
  const auto transfer = kind == "sendmail" ? plan_mail_action(args, servers, policy_, device_name_)
                        : kind == "putftp" || kind == "getftp" ? plan_ftp_action(kind, args, servers, policy_)
                                                               : TransferPlan{};
  if (kind != "getftp" && kind != "gethttp" && kind != "ntpsync" && kind != "dyndns") {
    e["size"] = content.size();
    e["sha256"] = sha256_hex(content);
  }
  if (!local_file.empty()) e["file"] = local_file;
  if (!plan.not_performed.empty()) e["not_performed"] = plan.not_performed;
  if (plan.call && runner_) {
    // Performed for real: the server's answer decides, whenever it comes.
    e["performed"] = true;
    e["endpoint"] = plan.call->address;
    e["url"] = plan.url;
    e["outcome"] = "real";
    pending_.push_back(Pending{out.id, kind, std::numeric_limits<double>::infinity(), true, local_file, true});
    runner_->start(out.id, [address = plan.call->address, request = plan.call->request](auto timeout, int cancel_fd) {
      return ActionResult{http_exchange(address, request, timeout, cancel_fd)};
    });
  } else if ((transfer.mail || transfer.ftp) && runner_) {
    // Performed for real: the mail or FTP server's replies decide, whenever they come.
    e["performed"] = true;
    e["endpoint"] = transfer.mail ? transfer.mail->address : transfer.ftp->address;
    e["server"] = transfer.server;
    e["outcome"] = "real";
    pending_.push_back(Pending{out.id, kind, std::numeric_limits<double>::infinity(), true, local_file, true});
    if (transfer.mail) {
      e["from"] = transfer.mail->job.from;
      runner_->start(out.id, [call = *transfer.mail](auto timeout, int cancel_fd) {
        return ActionResult{send_mail(call.address, call.job, timeout, cancel_fd)};
      });
    } else {
      runner_->start(out.id, [call = *transfer.ftp](auto timeout, int cancel_fd) {
        return ActionResult{ftp_transfer(call.address, call.job, timeout, cancel_fd)};
      });
    }
  } else {
    const auto per = policy_.per_kind.find(kind);
    const std::string error = !plan.error.empty() ? plan.error : transfer.error;
    const bool succeed = error.empty() && (per == policy_.per_kind.end() ? policy_.succeed : per->second);
    if (!error.empty()) e["error"] = error;
    e["outcome"] = succeed ? "success" : "fail";
    pending_.push_back(Pending{out.id, kind, now_s + policy_.delay_seconds, succeed, local_file});
  }
  out.event = std::move(e);
  return out;
}

std::string OutboundActions::write_flexy_file(const std::string& flexy_path, const std::string& body, Json& e) const {
  if (!safe_flexy_path(flexy_path)) return "the Flexy file '" + flexy_path + "' leaves /usr";
  const auto target = map_usr_path(usr_dir_, flexy_path);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
  std::ofstream out(target, std::ios::binary | std::ios::trunc);
  out << body;
  if (!out) return "cannot write '" + flexy_path + "'";
  e["file"] = flexy_path;
  e["size"] = body.size();
  e["sha256"] = sha256_hex(body);
  return {};
}

void OutboundActions::complete_real(const Pending& p, HttpExchange result, Completed& c, Json& e) {
  e["performed"] = true;
  const bool answered = result.answered;
  const int http = answered ? result.response.status : 0;
  if (answered) {
    e["http_status"] = http;
    e["response_size"] = result.response.body.size();
  } else {
    e["error"] = result.error;
  }
  // REQUESTHTTPX completes with any answer (the program reads STATUSCODE); PUTHTTP and GETHTTP
  // fail on a non-2xx answer too (our reading: RG-0006 does not say).
  const bool ok = p.kind == "requesthttpx" ? answered : answered && is_success(http);
  c.status = ok ? 0 : policy_.fail_code;
  if (ok && !p.local_file.empty()) {
    if (const auto error = write_flexy_file(p.local_file, result.response.body, e); !error.empty()) {
      c.status = policy_.fail_code;
      e["error"] = error;
    }
  }
  if (p.kind == "requesthttpx") {
    http_status_ = http;
    http_body_ = answered ? std::move(result.response.body) : std::string();
    http_headers_ = answered ? std::move(result.response.headers) : std::vector<http::Header>{};
  }
}

void OutboundActions::complete_dialog(const Pending& p, DialogResult result, Completed& c, Json& e) {
  e["performed"] = true;
  if (result.code) {
    e["reply_code"] = result.code;
    e["reply"] = result.reply;
  }
  if (!result.ok) e["error"] = result.error;
  c.status = result.ok ? 0 : policy_.fail_code;
  if (result.ok && !p.local_file.empty()) {
    // GETFTP: the downloaded file lands where the program asked.
    if (const auto error = write_flexy_file(p.local_file, result.content, e); !error.empty()) {
      c.status = policy_.fail_code;
      e["error"] = error;
    }
  }
}

std::vector<OutboundActions::Completed> OutboundActions::complete_due(double now_s) {
  std::vector<Completed> done;
  auto it = pending_.begin();
  while (it != pending_.end()) {
    if (it->real ? !runner_ : it->due_s > now_s) {
      ++it;
      continue;
    }
    Completed c;
    c.id = it->id;
    Json e = Json::object();
    e["action"] = it->kind;
    e["action_id"] = it->id;
    e["phase"] = "done";
    if (it->real) {
      // Not answered yet: the runner wakes the device when it is.
      auto result = runner_->take(it->id);
      if (!result) {
        ++it;
        continue;
      }
      if (auto* http = std::get_if<HttpExchange>(&*result)) complete_real(*it, std::move(*http), c, e);
      else complete_dialog(*it, std::get<DialogResult>(std::move(*result)), c, e);
    } else {
      c.status = it->succeed ? 0 : policy_.fail_code;
      if (it->succeed && !it->local_file.empty()) {
        // The response arrives: the scenario's file (or nothing) lands where the program asked.
        if (const auto error = write_flexy_file(it->local_file, read_response(), e); !error.empty()) {
          c.status = policy_.fail_code;
          e["error"] = error;
        }
      }
      if (it->kind == "requesthttpx") {
        http_status_ = c.status == 0 ? policy_.http_status : 0;
        http_body_ = c.status == 0 ? read_response() : std::string();
        http_headers_ = {{"Content-Type", "application/octet-stream"}};
      }
    }
    e["status"] = c.status;
    c.event = std::move(e);
    finished_[c.id] = c.status;
    done.push_back(std::move(c));
    it = pending_.erase(it);
  }
  return done;
}

std::string OutboundActions::http_header(std::string_view name) const {
  if (name.empty()) {
    std::string all;
    for (const auto& h : http_headers_) all += (all.empty() ? "" : "\r\n") + h.name + ": " + h.value;
    return all;
  }
  return http::find_header(http_headers_, name).value_or("");
}

std::string OutboundActions::read_response() const {
  if (policy_.response_file.empty()) return {};
  std::ifstream in(policy_.response_file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<double> OutboundActions::next_due_s() const {
  std::optional<double> due;
  for (const auto& p : pending_)
    if (!p.real && (!due || p.due_s < *due)) due = p.due_s;
  return due;
}

int OutboundActions::status(int id) const {
  if (std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == id; })) return kActionRunning;
  const auto it = finished_.find(id);
  return it == finished_.end() ? kActionUnknown : it->second;
}

}  // namespace flexhil::flexy
