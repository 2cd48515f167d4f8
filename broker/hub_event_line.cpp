#include "broker/hub_event_line.hpp"

#include <sstream>

#include "common/event_view.hpp"

namespace flexhil::broker {

namespace {

// Any field as display text (strings as they are, other values as JSON): common/event_view.hpp.
std::string str(const Json& e, const char* key) { return EventView(e).display(key); }

// "2026-11-26T09:12:01.123456Z" -> "09:12:01"
std::string clock_of(const Json& e) {
  const auto wall = str(e, "wall");
  return wall.size() >= 19 ? wall.substr(11, 8) : "--:--:--";
}

std::string verdict_with_reason(const Json& e, const std::string& ok_word) {
  const auto verdict = str(e, "verdict");
  if (verdict.empty() || verdict == ok_word) return verdict;
  std::string why = str(e, "reason_id");
  const auto reason = str(e, "reason");
  if (!reason.empty()) why += (why.empty() ? "" : ": ") + reason;
  return why.empty() ? verdict : verdict + " (" + why + ")";
}

}  // namespace

std::string describe_event(const Json& e) {
  const auto kind = str(e, "kind");
  std::ostringstream out;
  out << clock_of(e) << ' ' << kind;
  if (kind == "connect") {
    out << ' ' << str(e, "device") << ' ' << str(e, "listener") << ' ' << verdict_with_reason(e, "accepted");
    if (str(e, "verdict") == "accepted" && !str(e, "reason_id").empty())
      out << " [" << str(e, "reason_id") << ": " << str(e, "reason") << "]";  // accepted with a finding
  } else if (kind == "tls_failure") {
    out << ' ' << str(e, "address") << ' ' << str(e, "listener") << ' ' << str(e, "reason");
    if (const auto d = str(e, "detail"); !d.empty()) out << " — " << d;
  } else if (kind == "publish") {
    out << ' ' << str(e, "device") << ' ' << str(e, "topic") << ' ' << str(e, "size") << " B qos " << str(e, "qos")
        << (EventView(e).flag("retain") ? " retain" : "") << ' ' << verdict_with_reason(e, "accepted");
  } else if (kind == "subscribe") {
    out << ' ' << str(e, "device") << ' ' << str(e, "topic") << " qos " << str(e, "qos") << ' '
        << verdict_with_reason(e, "granted");
  } else if (kind == "disconnect") {
    out << ' ' << str(e, "device") << ' ' << str(e, "reason");
    if (const auto d = str(e, "detail"); !d.empty()) out << " (" << d << ")";
  } else {
    // Everything else: the device first, then the remaining fields compactly.
    if (EventView(e).has("device")) out << ' ' << str(e, "device");
    if (e.is_object()) {
      Json rest = e;
      for (const char* k : {"kind", "wall", "mono_ns", "seq", "device", "payload_b64"}) rest.erase(k);
      if (!rest.empty()) out << ' ' << rest.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }
  return out.str();
}

}  // namespace flexhil::broker
