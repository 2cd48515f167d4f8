#pragma once
// The emulated Flexy's outbound actions (SENDMAIL, SENDSMS, SENDTRAP, PUTFTP, GETFTP, PUTHTTP,
// GETHTTP, REQUESTHTTPX, NTPSYNC, DYNDNS). Nothing leaves the machine: each action is described
// (kind, destination, subject, size and SHA-256 of its content, the BASIC line) for a
// `dut_action` event, gets an id, and completes after the scenario's delay with the scenario's
// outcome — what GETSYS PRG,"ACTIONID"/"ACTIONSTAT" and ONSTATUS then see. GETFTP, GETHTTP and
// REQUESTHTTPX (with a response file) write the scenario's response file under /usr when they
// succeed. Pure bookkeeping plus that one file write; the device calls it on the BASIC thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.hpp"
#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::flexy {

// GETSYS PRG,"ACTIONSTAT" values (RG-0006: -1 in progress, 0 done, > 0 error; -2 unknown id).
inline constexpr int kActionRunning = -1;
inline constexpr int kActionUnknown = -2;

class OutboundActions {
 public:
  OutboundActions(ActionPolicy policy, std::string usr_dir);

  struct Launched {
    int id = 0;
    Json event;  // the fields of the dut_action event (without device / scenario_s)
  };
  Launched launch(std::string_view kind, const std::vector<basic::Value>& args, int line, double now_s);

  struct Completed {
    int id = 0;
    int status = 0;  // 0 success, else the failure code
    Json event;      // a dut_action event with phase "done"
  };
  // Actions whose delay has passed at `now_s`, in id order; writes their response files.
  std::vector<Completed> complete_due(double now_s);
  std::optional<double> next_due_s() const;

  // GETSYS PRG,"ACTIONID" (the last launched, or the one SETSYS PRG,"ACTIONID" selected) and
  // "ACTIONSTAT" (of that one).
  int action_id() const noexcept { return selected_; }
  void select(int id) { selected_ = id; }
  int status(int id) const;

  // The last completed REQUESTHTTPX: RESPONSEHTTPX "STATUSCODE" (0 before any, or when it failed)
  // and "RESPONSE-BODY".
  int http_status() const noexcept { return http_status_; }
  const std::string& http_body() const noexcept { return http_body_; }

 private:
  struct Pending {
    int id;
    std::string kind;
    double due_s;
    bool succeed;
    std::string local_file;  // Flexy path to write the response to ("" = none)
  };
  std::string read_response() const;

  ActionPolicy policy_;
  std::string usr_dir_;
  int next_id_ = 1;
  int selected_ = 0;
  std::vector<Pending> pending_;
  std::map<int, int> finished_;  // id → status
  int http_status_ = 0;
  std::string http_body_;
};

std::string sha256_hex(std::string_view data);

}  // namespace flexhil::flexy
