#include "sim/flexy/basic/date_functions.hpp"

#include <cctype>
#include <cmath>
#include <string>

#include "sim/flexy/basic/errors.hpp"

namespace flexhil::basic {

namespace {
// Days since 1970-01-01 of a civil date and back (Gregorian; the usual era-of-400-years method).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (m + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// Reads 1..max_digits decimal digits at `i`.
bool read_number(std::string_view s, std::size_t& i, int max_digits, int& out) {
  int n = 0, digits = 0;
  while (i < s.size() && digits < max_digits && std::isdigit(static_cast<unsigned char>(s[i]))) {
    n = n * 10 + (s[i] - '0');
    ++i;
    ++digits;
  }
  out = n;
  return digits > 0;
}

bool read_char(std::string_view s, std::size_t& i, char c) {
  if (i < s.size() && s[i] == c) {
    ++i;
    return true;
  }
  return false;
}

void skip_blanks(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

bool read_clock(std::string_view s, std::size_t& i, CalendarTime& t) {
  return read_number(s, i, 2, t.hour) && read_char(s, i, ':') && read_number(s, i, 2, t.minute) && read_char(s, i, ':') &&
         read_number(s, i, 2, t.second) && t.hour <= 23 && t.minute <= 59 && t.second <= 59;
}
}  // namespace

bool is_leap_year(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

CalendarTime calendar_of_seconds(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  CalendarTime t;
  civil_from_days(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(rest / 3600);
  t.minute = static_cast<int>(rest / 60 % 60);
  t.second = static_cast<int>(rest % 60);
  return t;
}

std::int64_t seconds_of_calendar(const CalendarTime& t) {
  return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

std::optional<CalendarTime> parse_ewon_time(std::string_view s, bool allow_date_only) {
  CalendarTime t;
  std::size_t i = 0;
  int year = 0;
  skip_blanks(s, i);
  if (!read_number(s, i, 2, t.day) || !read_char(s, i, '/') || !read_number(s, i, 2, t.month) || !read_char(s, i, '/') ||
      !read_number(s, i, 4, year))
    return std::nullopt;
  t.year = year;
  skip_blanks(s, i);
  if (i < s.size()) {
    if (!read_clock(s, i, t)) return std::nullopt;
    skip_blanks(s, i);
    if (i != s.size()) return std::nullopt;
  } else if (!allow_date_only) {
    return std::nullopt;
  }
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month)) return std::nullopt;
  return t;
}

std::optional<CalendarTime> parse_time_of_day(std::string_view s) {
  CalendarTime t;
  std::size_t i = 0;
  skip_blanks(s, i);
  if (!read_clock(s, i, t)) return std::nullopt;
  skip_blanks(s, i);
  if (i != s.size()) return std::nullopt;
  return t;
}

CalendarTime calendar_of_argument(const Value& v, std::string_view function) {
  if (const auto* text = std::get_if<std::string>(&v)) {
    if (auto t = parse_ewon_time(*text)) return *t;
    throw RuntimeError(error_code::invalid_parameter,
                       std::string(function) + " \"" + *text + "\": not a time dd/mm/yyyy hh:mm:ss");
  }
  if (const auto* i = std::get_if<std::int32_t>(&v)) return calendar_of_seconds(*i);
  const double d = std::get<double>(v);
  if (!std::isfinite(d) || std::fabs(d) > 1e15)
    throw RuntimeError(error_code::invalid_parameter, std::string(function) + ": not a number of seconds since 1970");
  return calendar_of_seconds(static_cast<std::int64_t>(std::floor(d)));
}

int day_of_week(const CalendarTime& t) {
  const std::int64_t days = days_from_civil(t.year, t.month, t.day);  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((days % 7) + 7 + 4) % 7);
}

int day_of_year(const CalendarTime& t) {
  return static_cast<int>(days_from_civil(t.year, t.month, t.day) - days_from_civil(t.year, 1, 1)) + 1;
}

int iso_week_of_year(const CalendarTime& t) {
  // ISO 8601: weeks start on Monday; week 1 holds the year's first Thursday.
  const auto iso_weekday = [](const CalendarTime& c) {
    const int w = day_of_week(c);
    return w == 0 ? 7 : w;
  };
  const auto weeks_in = [&](std::int64_t year) {
    const int jan1 = iso_weekday(CalendarTime{year, 1, 1});
    return jan1 == 4 || (jan1 == 3 && is_leap_year(year)) ? 53 : 52;
  };
  const int week = (day_of_year(t) - iso_weekday(t) + 10) / 7;
  if (week < 1) return weeks_in(t.year - 1);
  if (week > weeks_in(t.year)) return 1;
  return week;
}

}  // namespace flexhil::basic
