#pragma once
// ONDATE's plan: the Flexy task planner's cron-like "mm hh dd MM ww" (minutes 0-59, hours 0-23,
// days 1-31, months 1-12 or jan..dec, weekdays 0-7 or sun..sat with 0 and 7 = Sunday, 1 = Monday),
// each field `*`, a value, a range `a-b`, a list `a,b-c`, and a step `*/n` or `a-b/n`.
// Pure schedule maths: which local minute matches, and the next UTC second that does.
#include <bitset>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::basic {

struct DatePlan {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday .. 6 = Saturday
  bool any_day = true;       // the day-of-month field was `*`
  bool any_weekday = true;   // the weekday field was `*`
};

// A plan, or the reason it is refused ("field 2 (hours): 24 is out of range 0-23").
struct DatePlanParse {
  std::optional<DatePlan> plan;
  std::string error;
};
DatePlanParse parse_date_plan(std::string_view text);

// A local calendar minute (weekday 0 = Sunday).
struct LocalMinute {
  int minute = 0, hour = 0, day = 1, month = 1, weekday = 0;
};
// Like cron: when both day fields are restricted, either one matching is enough.
bool plan_matches(const DatePlan& plan, const LocalMinute& local);

// Local calendar fields of `utc_seconds + offset_seconds` (proleptic Gregorian, no C library).
LocalMinute local_minute(std::int64_t utc_seconds, std::int32_t offset_seconds);

// The first whole minute strictly after `after_utc` (seconds since 1970) whose local time,
// with the zone offset `offset_at(utc)` in force at that instant, matches the plan; nullopt when
// none within 5 years (e.g. "0 0 31 2 *"). A local time skipped by a DST change does not fire
// that day; one repeated by it fires at both instants (the plan is followed minute by minute).
std::optional<std::int64_t> next_plan_time(const DatePlan& plan, std::int64_t after_utc,
                                           const std::function<std::int32_t(std::int64_t)>& offset_at);

}  // namespace flexhil::basic
