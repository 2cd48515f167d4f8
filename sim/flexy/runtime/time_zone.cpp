#include "sim/flexy/runtime/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace flexhil::flexy {
namespace {

std::optional<std::int32_t> parse_fixed_offset(const std::string& spec) {
  if (spec == "UTC" || spec == "Z" || spec == "GMT") return 0;
  std::string s = spec;
  if (s.rfind("UTC", 0) == 0) s = s.substr(3);
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  std::string digits;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == ':' && i == 3) continue;
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    digits += s[i];
  }
  if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
  const int hours = std::stoi(digits.substr(0, 2));
  const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
  if (hours > 14 || minutes > 59) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60);
}

std::int64_t read_be(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

}  // namespace

TimeZone TimeZone::fixed(std::int32_t offset_seconds, std::string name) {
  TimeZone z;
  z.fixed_offset_ = offset_seconds;
  z.before_first_ = offset_seconds;
  z.name_ = std::move(name);
  return z;
}

std::optional<TimeZone> TimeZone::parse(const std::string& spec, const std::string& zoneinfo_dir) {
  if (auto off = parse_fixed_offset(spec)) return fixed(*off, spec);
  if (spec.empty() || spec.find("..") != std::string::npos || spec.front() == '/')
    return std::nullopt;
  std::ifstream in(zoneinfo_dir + "/" + spec, std::ios::binary);
  if (!in) return std::nullopt;
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  // TZif: a v1 block with 32-bit times, then (version >= 2) the same with 64-bit times.
  auto parse_block = [&](std::size_t at, int time_bytes, TimeZone& z) -> std::optional<std::size_t> {
    if (data.size() < at + 44 || std::string(data.begin() + at, data.begin() + at + 4) != "TZif")
      return std::nullopt;
    const unsigned char* h = data.data() + at + 20;
    const auto isutcnt = read_be(h, 4), isstdcnt = read_be(h + 4, 4), leapcnt = read_be(h + 8, 4),
               timecnt = read_be(h + 12, 4), typecnt = read_be(h + 16, 4), charcnt = read_be(h + 20, 4);
    std::size_t p = at + 44;
    const std::size_t need = p + timecnt * time_bytes + timecnt + typecnt * 6 + charcnt +
                             leapcnt * (time_bytes + 4) + isstdcnt + isutcnt;
    if (data.size() < need || typecnt <= 0) return std::nullopt;
    std::vector<std::int64_t> times(timecnt);
    for (auto& t : times) {
      t = read_be(data.data() + p, time_bytes);
      p += time_bytes;
    }
    std::vector<int> index(timecnt);
    for (auto& i : index) i = data[p++];
    std::vector<std::int32_t> type_offsets(typecnt);
    for (auto& o : type_offsets) {
      o = static_cast<std::int32_t>(read_be(data.data() + p, 4));
      p += 6;
    }
    z.transitions_ = times;
    z.offsets_.clear();
    for (int i : index) z.offsets_.push_back(i < typecnt ? type_offsets[i] : 0);
    z.before_first_ = type_offsets[0];
    z.fixed_offset_ = z.offsets_.empty() ? type_offsets[0] : z.offsets_.back();
    return need;
  };
  TimeZone z;
  z.name_ = spec;
  auto end_v1 = parse_block(0, 4, z);
  if (!end_v1) return std::nullopt;
  if (data[4] >= '2') parse_block(*end_v1, 8, z);
  return z;
}

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const {
  if (transitions_.empty()) return fixed_offset_;
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  if (it == transitions_.begin()) return before_first_;
  return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::string format_flexy_time(std::chrono::system_clock::time_point wall, const TimeZone& zone) {
  const auto utc = std::chrono::floor<std::chrono::seconds>(wall.time_since_epoch()).count();
  const std::time_t local = static_cast<std::time_t>(utc + zone.offset_at(utc));
  std::tm tm{};
  gmtime_r(&local, &tm);
  return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}:{:02}", tm.tm_mday, tm.tm_mon + 1,
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace flexhil::flexy
