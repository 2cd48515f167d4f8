#pragma once
// The Flexy's local time zone for TIME$: an IANA name ("Europe/Paris", read from the system's
// compiled zoneinfo files) or a fixed offset ("UTC", "+01:00", "-0530"). Pure lookups after
// construction; no global TZ variable is touched, so many emulated Flexys can run side by side.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flexhil::flexy {

class TimeZone {
 public:
  TimeZone() = default;  // UTC
  // nullopt when `spec` is neither a fixed offset nor a readable zoneinfo file.
  static std::optional<TimeZone> parse(const std::string& spec,
                                       const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  static TimeZone fixed(std::int32_t offset_seconds, std::string name);

  // Offset of local time from UTC at `utc_seconds` (seconds since 1970).
  std::int32_t offset_at(std::int64_t utc_seconds) const;
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_ = "UTC";
  std::int32_t fixed_offset_ = 0;
  // Transitions from a TZif file: at transitions_[i] the offset becomes offsets_[i].
  std::vector<std::int64_t> transitions_;
  std::vector<std::int32_t> offsets_;
  std::int32_t before_first_ = 0;
};

// TIME$ format "DD/MM/YYYY HH:MM:SS" of local time.
std::string format_flexy_time(std::chrono::system_clock::time_point wall, const TimeZone& zone);

}  // namespace flexhil::flexy
