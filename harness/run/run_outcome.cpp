#include "harness/run/run_outcome.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace flexhil::run {

void RunOutcome::end(std::string reason) {
  if (ended_) return;
  ended_ = true;
  reason_ = std::move(reason);
}

void RunOutcome::fail(int exit_code, std::string reason) {
  if (code_ != 0) return;
  code_ = exit_code;
  ended_ = true;
  reason_ = std::move(reason);
}

void RunOutcome::interrupt(int signal, std::string reason) {
  if (signal_ != 0) return;
  signal_ = signal;
  fail(exit_code::infrastructure, std::move(reason));
}

Judgement judge_outcome(const RunOutcome& outcome, const rules::Verdict& verdict, const std::string& capture_failure,
                        std::uint64_t lost) {
  Judgement j;
  j.reason = outcome.reason();
  j.exit_code = outcome.failure_code() != 0 ? outcome.failure_code()
                : verdict.passed            ? exit_code::ok
                                            : exit_code::findings;
  // A failure of our own parts, found by the rules (HARNESS-…), is never the device's.
  if (verdict.infrastructure) j.exit_code = exit_code::infrastructure;
  if (!capture_failure.empty()) {
    // A truncated capture cannot back any verdict, whatever the findings say.
    j.reason = fmt::format("capture.jsonl could not be written: {} ({} events lost)", capture_failure, lost);
    j.exit_code = exit_code::infrastructure;
  }
  std::string shown = j.reason;
  if (shown.rfind("error: ", 0) == 0) shown.erase(0, 7);
  if (outcome.interrupted())
    j.console_line = "INTERRUPTED: " + shown + " — the run did not complete, its findings are partial";
  else if (verdict.infrastructure)
    j.console_line = verdict.summary;  // names the part of ours that failed
  else if (j.exit_code == exit_code::usage || j.exit_code == exit_code::infrastructure)
    j.console_line = "ERROR: " + shown;
  else
    j.console_line = verdict.summary;
  return j;
}

}  // namespace flexhil::run
