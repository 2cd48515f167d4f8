#include "harness/rules/timestamp.hpp"

#include <chrono>

namespace flexhil::rules {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::optional<double> civil_to_epoch(int y, int mo, int d, int h, int mi, int se) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const auto days = sys_days(ymd).time_since_epoch().count();
  return static_cast<double>(days) * 86400.0 + h * 3600.0 + mi * 60.0 + se;
}

}  // namespace

std::optional<ParsedTimestamp> parse_timestamp(std::string_view s) {
  ParsedTimestamp ts;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  std::size_t pos = 0;
  if (s.size() >= 19 && s[2] == '/' && s[5] == '/') {  // DD/MM/YYYY HH:MM:SS
    if (!digits(s, 0, 2, d) || !digits(s, 3, 2, mo) || !digits(s, 6, 4, y) || s[10] != ' ' ||
        !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, se) || s.size() != 19)
      return std::nullopt;
    ts.form = ParsedTimestamp::Form::flexy_time_dollar;
    auto e = civil_to_epoch(y, mo, d, h, mi, se);
    if (!e) return std::nullopt;
    ts.epoch_s = *e;
    return ts;
  }
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  if (s[10] == 'T' || s[10] == 't') {
    ts.has_t = true;
    ts.form = ParsedTimestamp::Form::iso8601;
  } else if (s[10] == ' ') {
    ts.form = ParsedTimestamp::Form::space_separated;
  } else {
    return std::nullopt;
  }
  pos = 19;
  double fraction = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    double scale = 0.1;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  double offset = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      ts.has_zone = true;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      std::size_t p = pos + 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size()) {
        if (!digits(s, p, 2, om)) return std::nullopt;
        p += 2;
      }
      if (p != s.size() || oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 3600.0 + om * 60.0);
      ts.has_zone = true;
    } else {
      return std::nullopt;
    }
  }
  auto e = civil_to_epoch(y, mo, d, h, mi, se);
  if (!e) return std::nullopt;
  ts.epoch_s = *e + fraction - offset;
  return ts;
}

}  // namespace flexhil::rules
