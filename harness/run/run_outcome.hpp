#pragma once
// How a run ended before the rules speak, and the final judgement that combines it with the
// verdict. The stages of `flexhil run` record here what stopped them (a signal, a failure of one
// of our parts, a device that never came); judge_outcome() is the one place that turns that,
// the rules' verdict and the capture's health into the exit code and the console's last line.
// Pure: no I/O, unit-tested in tests/run.
#include <cstdint>
#include <string>

#include "harness/rules/rules.hpp"

namespace flexhil::run {

class RunOutcome {
 public:
  bool running() const noexcept { return !ended_; }
  // The run ends early without an error of ours (an external device that never connected): the
  // rules still judge what was recorded.
  void end(std::string reason);
  // A failure: exit code 2 (input) or 3 (infrastructure). The first failure is the reason.
  void fail(int exit_code, std::string reason);
  void interrupt(int signal, std::string reason);

  int failure_code() const noexcept { return code_; }  // 0 while nothing failed
  int signal() const noexcept { return signal_; }
  bool interrupted() const noexcept { return signal_ != 0; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  bool ended_ = false;
  int code_ = 0;
  int signal_ = 0;
  std::string reason_ = "completed";
};

struct Judgement {
  int exit_code = 0;
  std::string reason;        // summary.json's exit_reason
  std::string console_line;  // the verdict, or why there is none
};

// `capture_failure`: CaptureWriter::failure() ("" = every event was written); `lost` the events
// that were not.
Judgement judge_outcome(const RunOutcome& outcome, const rules::Verdict& verdict, const std::string& capture_failure,
                        std::uint64_t lost);

}  // namespace flexhil::run
