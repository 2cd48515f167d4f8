#pragma once
// DAY, MONTH, DOW, DOY, WOY of an eWON time and the clock text SETTIME takes — pure calendar
// arithmetic (proleptic Gregorian), no clock reads. Policies in README.md ("RG-0006 functions").
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::basic {

struct CalendarTime {
  std::int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// The calendar time of seconds since 1970 (UTC, negative allowed).
CalendarTime calendar_of_seconds(std::int64_t seconds);
// Seconds since 1970 of a calendar time read as UTC.
std::int64_t seconds_of_calendar(const CalendarTime& t);

// "dd/mm/yyyy hh:mm:ss" (TIME$'s shape, surrounding blanks allowed); `allow_date_only`: also
// "dd/mm/yyyy" (00:00:00). nullopt when the text is not such a time or names no real day.
std::optional<CalendarTime> parse_ewon_time(std::string_view text, bool allow_date_only = true);
// "hh:mm:ss" alone (SETTIME's time-only form); nullopt otherwise.
std::optional<CalendarTime> parse_time_of_day(std::string_view text);

// The argument of DAY/MONTH/DOW/DOY/WOY: a time text (its fields as written) or a number of
// seconds since 1970 (UTC). Throws RuntimeError: invalid parameter (10) for a text that is no
// time, with `function` named.
CalendarTime calendar_of_argument(const Value& v, std::string_view function);

int day_of_week(const CalendarTime& t);   // 0 = Sunday .. 6 = Saturday
int day_of_year(const CalendarTime& t);   // 1 = 1 January .. 365/366
int iso_week_of_year(const CalendarTime& t);  // ISO 8601 week 1..53
bool is_leap_year(std::int64_t year);

}  // namespace flexhil::basic
