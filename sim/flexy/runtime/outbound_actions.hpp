#pragma once
// The emulated Flexy's outbound actions (SENDMAIL, SENDSMS, SENDTRAP, PUTFTP, GETFTP, PUTHTTP,
// GETHTTP, REQUESTHTTPX, NTPSYNC, DYNDNS). Each action is described (kind, destination, subject,
// size and SHA-256 of its content, the BASIC line) for a `dut_action` event and gets an id.
// Scripted: it completes after the scenario's delay with the scenario's outcome. Real: PUTHTTP,
// GETHTTP and REQUESTHTTPX over http:// to a host [actions] resolve maps, SENDMAIL to a mail
// server smtp_resolve maps and PUTFTP/GETFTP to an FTP server ftp_resolve maps
// (transfer_plan.hpp) are handed to the ActionRunner (worker threads) and complete when the
// server has answered — the status, response body and headers, or the mail/FTP reply, are the
// server's. Either way GETSYS PRG,"ACTIONID"/"ACTIONSTAT",
// ONSTATUS and RESPONSEHTTPX see the outcome, and GETFTP, GETHTTP and REQUESTHTTPX (with a
// response file) write the response under /usr when they succeed. Bookkeeping on the BASIC
// thread; the only I/O here is that file write (and reading an upload file).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.hpp"
#include "common/http_message.hpp"
#include "common/sha256.hpp"
#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/http_client.hpp"

namespace flexhil::flexy {

class ActionRunner;
struct DialogResult;

// GETSYS PRG,"ACTIONSTAT" values (RG-0006: -1 in progress, 0 done, > 0 error; -2 unknown id).
inline constexpr int kActionRunning = -1;
inline constexpr int kActionUnknown = -2;

// The HTTP request an action stands for, when its host is mapped (pure; unit-tested).
struct RealHttpCall {
  std::string address;   // "127.0.0.1:port" of the server that stands for the host
  http::Request request;
  std::string response_file;  // Flexy path the response body goes to ("" = none)
};
struct HttpPlan {
  std::optional<RealHttpCall> call;  // set: performed for real
  std::string url;                   // what the program asked for ("http://host/path")
  std::string not_performed;         // why a mapped host is still scripted ("" = not mapped or performed)
  std::string error;                 // the action fails at once (an upload file that cannot be read)
};
// `upload`: reads a /usr file the action uploads (REQUESTHTTPX upload_file$); nullopt = unreadable.
HttpPlan plan_http_action(std::string_view kind, const std::vector<basic::Value>& args, const ActionPolicy& policy,
                          const std::function<std::optional<std::string>(const std::string&)>& upload);

class OutboundActions {
 public:
  // `runner`: performs real actions (null: every action is scripted). `device_name` makes the
  // default mail sender and EHLO name.
  OutboundActions(ActionPolicy policy, std::string usr_dir, ActionRunner* runner = nullptr,
                  std::string device_name = "Flexy");

  struct Launched {
    int id = 0;
    Json event;  // the fields of the dut_action event (without device / scenario_s)
  };
  // `servers`: the mail and FTP servers of the system configuration at this moment.
  Launched launch(std::string_view kind, const std::vector<basic::Value>& args, int line, double now_s,
                  const ServerSettings& servers = {});

  struct Completed {
    int id = 0;
    int status = 0;  // 0 success, else the failure code
    Json event;      // a dut_action event with phase "done"
  };
  // Scripted actions whose delay has passed at `now_s` and real ones the server has answered, in
  // id order; writes their response files.
  std::vector<Completed> complete_due(double now_s);
  // When the next scripted action is due (real ones wake the device through the runner).
  std::optional<double> next_due_s() const;

  // GETSYS PRG,"ACTIONID" (the last launched, or the one SETSYS PRG,"ACTIONID" selected) and
  // "ACTIONSTAT" (of that one).
  int action_id() const noexcept { return selected_; }
  void select(int id) { selected_ = id; }
  int status(int id) const;

  // The last completed REQUESTHTTPX: RESPONSEHTTPX "STATUSCODE" (0 before any, or when it failed)
  // and "RESPONSE-BODY", and "HEADER" (one header by name, or all of them as lines, "" when absent).
  int http_status() const noexcept { return http_status_; }
  const std::string& http_body() const noexcept { return http_body_; }
  std::string http_header(std::string_view name) const;

 private:
  struct Pending {
    int id;
    std::string kind;
    double due_s;
    bool succeed;
    std::string local_file;  // Flexy path to write the response to ("" = none)
    bool real = false;       // answered by the runner, not by the clock
  };
  std::string read_response() const;
  // Writes `body` to the Flexy file; an error text, or "" when written.
  std::string write_flexy_file(const std::string& flexy_path, const std::string& body, Json& event) const;
  void complete_real(const Pending& p, HttpExchange result, Completed& c, Json& e);
  void complete_dialog(const Pending& p, DialogResult result, Completed& c, Json& e);

  ActionPolicy policy_;
  std::string usr_dir_;
  ActionRunner* runner_;
  std::string device_name_;
  int next_id_ = 1;
  int selected_ = 0;
  std::vector<Pending> pending_;
  std::map<int, int> finished_;  // id → status
  int http_status_ = 0;
  std::string http_body_;
  std::vector<http::Header> http_headers_{{"Content-Type", "application/octet-stream"}};
};

}  // namespace flexhil::flexy
