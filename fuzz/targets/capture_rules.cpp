// A capture read back and judged, as `flexhil validate` does: the bytes are written to a
// capture.jsonl, read with read_capture (only ConfigError may come out), and every event goes
// through rules::evaluate with default expectations (nothing may come out).
#include "common/error.hpp"
#include "common/event.hpp"
#include "fuzz/support/fuzz_target.hpp"
#include "fuzz/support/temp_file.hpp"
#include "harness/rules/rules.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::TempFile capture(fuzz::as_text(data, size));
  std::vector<Json> events;
  try {
    events = read_capture(capture.path());
  } catch (const ConfigError& e) {
    // A bad line is named by its number; only a capture without any event is a whole-file error.
    const auto text = fuzz::as_text(data, size);
    fuzz::require(e.where().line > 0 || text.find_first_not_of(" \t\r\n") == std::string_view::npos);
    return 0;
  }
  rules::Expectations expect;
  expect.devices = {"Flexy1"};
  const auto findings = rules::evaluate(events, expect);
  (void)rules::judge(findings, {});
  return 0;
}
