// ONDATE's plan "mm hh dd MM ww": parsing, matching, and the next firing in a time zone with DST.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/basic/date_plan.hpp"

using namespace flexhil::basic;

namespace {
constexpr std::int64_t kMon2026_11_30_0000 = 1795996800;  // 2026-11-30 00:00:00 UTC, a Monday

std::int64_t next_utc(const char* plan_text, std::int64_t after) {
  const auto parsed = parse_date_plan(plan_text);
  BOOST_REQUIRE_MESSAGE(parsed.plan, parsed.error);
  const auto t = next_plan_time(*parsed.plan, after, [](std::int64_t) { return 0; });
  BOOST_REQUIRE(t);
  return *t;
}

// Europe/Paris in 2026: CEST (+2) from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC, else CET (+1).
std::int32_t paris(std::int64_t utc) { return utc >= 1774746000 && utc < 1792890000 ? 7200 : 3600; }
}  // namespace

BOOST_AUTO_TEST_SUITE(date_plan)

BOOST_AUTO_TEST_CASE(every_minute_fires_at_the_next_whole_minute) {
  BOOST_TEST(next_utc("* * * * *", kMon2026_11_30_0000) == kMon2026_11_30_0000 + 60);
  BOOST_TEST(next_utc("* * * * *", kMon2026_11_30_0000 + 59) == kMon2026_11_30_0000 + 60);
}

BOOST_AUTO_TEST_CASE(minute_and_hour_values_ranges_lists_and_steps) {
  BOOST_TEST(next_utc("15 8 * * *", kMon2026_11_30_0000) == kMon2026_11_30_0000 + 8 * 3600 + 15 * 60);
  BOOST_TEST(next_utc("*/20 * * * *", kMon2026_11_30_0000 + 61) == kMon2026_11_30_0000 + 20 * 60);
  BOOST_TEST(next_utc("5,50 10-12 * * *", kMon2026_11_30_0000 + 10 * 3600 + 6 * 60) ==
             kMon2026_11_30_0000 + 10 * 3600 + 50 * 60);
  BOOST_TEST(next_utc("0 9-17/4 * * *", kMon2026_11_30_0000 + 9 * 3600) == kMon2026_11_30_0000 + 13 * 3600);
}

BOOST_AUTO_TEST_CASE(weekdays_use_one_for_monday_and_zero_or_seven_for_sunday) {
  // From Monday 00:00: the next Sunday 06:00 is six days later, with 0, 7 or "sun".
  const std::int64_t sunday_6 = kMon2026_11_30_0000 + 6 * 86400 + 6 * 3600;
  BOOST_TEST(next_utc("0 6 * * 0", kMon2026_11_30_0000) == sunday_6);
  BOOST_TEST(next_utc("0 6 * * 7", kMon2026_11_30_0000) == sunday_6);
  BOOST_TEST(next_utc("0 6 * * SUN", kMon2026_11_30_0000) == sunday_6);
  BOOST_TEST(next_utc("0 6 * * 2", kMon2026_11_30_0000) == kMon2026_11_30_0000 + 86400 + 6 * 3600);
}

BOOST_AUTO_TEST_CASE(days_months_and_both_day_fields_like_cron) {
  // 1st of the month at midnight: 2026-12-01.
  BOOST_TEST(next_utc("0 0 1 * *", kMon2026_11_30_0000) == kMon2026_11_30_0000 + 86400);
  // January by name: 2027-01-01 00:00 UTC.
  BOOST_TEST(next_utc("0 0 1 jan *", kMon2026_11_30_0000) == 1798761600);
  // Day 15 or any Wednesday: Wednesday 2026-12-02 comes first.
  BOOST_TEST(next_utc("0 12 15 * 3", kMon2026_11_30_0000) == kMon2026_11_30_0000 + 2 * 86400 + 12 * 3600);
}

BOOST_AUTO_TEST_CASE(an_impossible_plan_never_fires) {
  const auto parsed = parse_date_plan("0 0 31 2 *");
  BOOST_REQUIRE(parsed.plan);
  BOOST_TEST(!next_plan_time(*parsed.plan, kMon2026_11_30_0000, [](std::int64_t) { return 0; }).has_value());
}

BOOST_AUTO_TEST_CASE(bad_plans_say_which_field_is_wrong) {
  BOOST_TEST(parse_date_plan("* * * *").error == "a plan has 5 fields \"mm hh dd MM ww\", got 4");
  BOOST_TEST(parse_date_plan("0 24 * * *").error == "field 2 (hours): 24 is out of range 0-23");
  BOOST_TEST(parse_date_plan("0 0 0 * *").error == "field 3 (days): 0 is out of range 1-31");
  BOOST_TEST(parse_date_plan("0 0 * foo *").error == "field 4 (months): 'foo' is not a value of this field");
  BOOST_TEST(parse_date_plan("*/0 * * * *").error == "field 1 (minutes): a step must be at least 1");
  BOOST_TEST(parse_date_plan("5-1 * * * *").error == "field 1 (minutes): range 5-1 goes backwards");
}

BOOST_AUTO_TEST_CASE(local_time_follows_the_zone_offset_in_force) {
  // 08:15 Paris in winter (+1) is 07:15 UTC; in summer (+2) 06:15 UTC.
  const auto plan = parse_date_plan("15 8 * * *").plan;
  BOOST_REQUIRE(plan);
  const auto winter = next_plan_time(*plan, kMon2026_11_30_0000, paris);
  BOOST_REQUIRE(winter);
  BOOST_TEST(*winter == kMon2026_11_30_0000 + 7 * 3600 + 15 * 60);
  const std::int64_t jul_1_2026 = 1782864000;
  const auto summer = next_plan_time(*plan, jul_1_2026, paris);
  BOOST_REQUIRE(summer);
  BOOST_TEST(*summer == jul_1_2026 + 6 * 3600 + 15 * 60);
}

BOOST_AUTO_TEST_CASE(a_local_time_skipped_by_dst_does_not_fire_that_day) {
  // 2026-03-29: Paris goes from 02:00 to 03:00; "30 2 * * *" next fires on 2026-03-30 at 00:30 UTC.
  const auto plan = parse_date_plan("30 2 * * *").plan;
  BOOST_REQUIRE(plan);
  const std::int64_t mar_29_2026_0000_utc = 1774742400;
  const auto t = next_plan_time(*plan, mar_29_2026_0000_utc, paris);
  BOOST_REQUIRE(t);
  BOOST_TEST(*t == mar_29_2026_0000_utc + 86400 + 30 * 60);
}

BOOST_AUTO_TEST_CASE(a_local_time_repeated_by_dst_fires_twice) {
  // 2026-10-25: Paris goes back from 03:00 to 02:00; 02:30 local is 00:30 and 01:30 UTC.
  const auto plan = parse_date_plan("30 2 * * *").plan;
  BOOST_REQUIRE(plan);
  const std::int64_t oct_25_2026_0000_utc = 1792886400;
  const auto first = next_plan_time(*plan, oct_25_2026_0000_utc, paris);
  BOOST_REQUIRE(first);
  BOOST_TEST(*first == oct_25_2026_0000_utc + 30 * 60);
  const auto second = next_plan_time(*plan, *first, paris);
  BOOST_REQUIRE(second);
  BOOST_TEST(*second == oct_25_2026_0000_utc + 90 * 60);
}

BOOST_AUTO_TEST_CASE(local_minute_gives_the_calendar_and_weekday) {
  const auto t = local_minute(kMon2026_11_30_0000 + 3600 + 120, 3600);
  BOOST_TEST(t.day == 30);
  BOOST_TEST(t.month == 11);
  BOOST_TEST(t.hour == 2);
  BOOST_TEST(t.minute == 2);
  BOOST_TEST(t.weekday == 1);
}

BOOST_AUTO_TEST_SUITE_END()
