#pragma once
// What the run's own loop needs to know from the event stream while it runs: whether a device has
// connected (an external device), a few counts for the progress line, and the device's console
// and log lines written to dut-console.log. It keeps no events: the rules read them back from
// capture.jsonl, so a verdict is on what the capture holds (and a flood of publishes costs the
// harness a count each, not a parse and a copy).
// A CaptureWriter listener: it runs under the writer's lock, in seq order, and never emits.
#include <cstddef>
#include <fstream>
#include <mutex>
#include <set>
#include <string>

#include "common/event.hpp"

namespace flexhil::run {

struct ObservedCounts {
  std::size_t events = 0;
  std::size_t publishes = 0;
  std::size_t connects_accepted = 0;
  std::size_t connects_refused = 0;
};

class Observer {
 public:
  // `console_log`: path of dut-console.log ("" = none).
  explicit Observer(const std::string& console_log);
  void on_event(const CapturedEvent& event);
  ObservedCounts counts() const;
  bool has_connected(const std::string& device) const;

 private:
  mutable std::mutex mutex_;
  ObservedCounts counts_;
  std::set<std::string> connected_;
  std::ofstream console_;
};

}  // namespace flexhil::run
