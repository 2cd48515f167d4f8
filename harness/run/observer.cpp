#include "harness/run/observer.hpp"

#include "common/event_view.hpp"

namespace flexhil::run {

Observer::Observer(const std::string& console_log) {
  if (!console_log.empty()) console_.open(console_log, std::ios::trunc);
}

void Observer::on_event(const CapturedEvent& event) {
  std::lock_guard lock(mutex_);
  ++counts_.events;
  const auto kind = event.kind();
  if (kind == "publish") {
    ++counts_.publishes;  // the one kind that comes by the hundred thousand: counted, not parsed
    return;
  }
  const EventView e(event.json());
  if (kind == "connect") {
    if (e.text("verdict") == "accepted") {
      ++counts_.connects_accepted;
      connected_.insert(e.string("device"));
    } else {
      ++counts_.connects_refused;
    }
  } else if (kind == "dut_console" && console_) {
    console_ << e.display("line") << '\n' << std::flush;
  } else if (kind == "dut_log" && console_) {
    console_ << "[log " << e.display("level") << "] " << e.display("message") << '\n' << std::flush;
  } else if (kind == "dut_action" && console_ && e.text("phase") == "start") {
    // What a real Flexy would have sent: the console log shows it next to the PRINT lines.
    console_ << "[action " << e.display("action") << " #" << e.display("action_id") << "] to "
             << e.display("destination") << '\n' << std::flush;
  } else if (kind == "endpoint_request" && console_) {
    // Where the device's HTTP, mail or FTP action landed, next to the [action] line that sent it.
    const auto endpoint = e.text("endpoint");
    console_ << "[endpoint " << e.display("endpoint") << "] ";
    if (endpoint == "smtp" && !e.text("from").empty()) console_ << "mail from " << e.display("from");
    else if (endpoint == "smtp") console_ << e.display("command");
    else if (endpoint == "ftp") console_ << e.display("command") << ' ' << e.display("path");
    else console_ << e.display("method") << ' ' << e.display("target");
    console_ << " -> " << e.display("status") << '\n' << std::flush;
  } else if (kind == "dut_alarm" && console_) {
    console_ << "[alarm " << e.display("tag") << "] " << e.display("transition") << '\n' << std::flush;
  }
}

ObservedCounts Observer::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

bool Observer::has_connected(const std::string& device) const {
  std::lock_guard lock(mutex_);
  return connected_.count(device) > 0;
}

}  // namespace flexhil::run
