#include "common/capture_accountant.hpp"

namespace flexhil {

std::optional<CaptureGap> CaptureAccountant::observe(const std::string& src, std::uint64_t seq) {
  auto& s = streams_[src];
  ++s.received;
  if (seq == s.next) {
    ++s.next;
    return std::nullopt;
  }
  CaptureGap gap{src, s.next, seq, 0, "gap"};
  if (seq < s.next) {
    gap.reason = "repeated";  // a replayed or reordered line: nothing lost, but not trustworthy either
    return gap;
  }
  gap.missing = seq - s.next;
  missing_ += gap.missing;
  s.next = seq + 1;
  return gap;
}

std::optional<CaptureGap> CaptureAccountant::end(const std::string& src, std::uint64_t last_seq) {
  auto& s = streams_[src];
  if (s.next > last_seq) return std::nullopt;
  CaptureGap gap{src, s.next, last_seq, last_seq + 1 - s.next, "short-end"};
  missing_ += gap.missing;
  s.next = last_seq + 1;
  return gap;
}

namespace {
// A non-negative integer field (parsed JSON has it unsigned, a built one may be signed).
std::optional<std::uint64_t> counter(const Json& event, const char* key) {
  const auto it = event.find(key);
  if (it == event.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  const auto v = it->get<std::int64_t>();
  return v < 0 ? std::nullopt : std::optional<std::uint64_t>(static_cast<std::uint64_t>(v));
}
}  // namespace

std::vector<CaptureGap> CaptureAccountant::observe_event(const Json& event) {
  std::vector<CaptureGap> gaps;
  const auto src = event.find("src");
  const auto seq = counter(event, "src_seq");
  if (src == event.end() || !src->is_string() || !seq) return gaps;
  const auto name = src->get<std::string>();
  if (auto g = observe(name, *seq)) gaps.push_back(*g);
  if (const auto kind = event.find("kind"); kind != event.end() && *kind == "audit_end") {
    if (const auto last = counter(event, "last_seq"))
      if (auto g = end(name, *last)) gaps.push_back(*g);
  }
  return gaps;
}

std::uint64_t CaptureAccountant::received(const std::string& src) const {
  const auto it = streams_.find(src);
  return it == streams_.end() ? 0 : it->second.received;
}

std::uint64_t CaptureAccountant::missing() const { return missing_; }

Json capture_gap_event(const CaptureGap& gap) {
  Json e = make_event("capture_gap");
  e["src"] = gap.src;
  e["expected"] = gap.expected;
  e["got"] = gap.got;
  e["missing"] = gap.missing;
  e["reason"] = gap.reason;
  return e;
}

}  // namespace flexhil
