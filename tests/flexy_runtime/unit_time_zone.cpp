// TIME$ in the configured zone: fixed offsets and IANA zones with daylight saving.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/runtime/time_zone.hpp"

using namespace flexhil::flexy;

namespace {
std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}
constexpr std::int64_t kWinter = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kSummer = 1782864000;  // 2026-07-01T00:00:00Z
}  // namespace

BOOST_AUTO_TEST_SUITE(time_zone)

BOOST_AUTO_TEST_CASE(utc_time_string_is_day_month_year_then_time) {
  BOOST_TEST(format_flexy_time(at(kWinter + 3723), TimeZone()) == "01/01/2026 01:02:03");
}

BOOST_AUTO_TEST_CASE(fixed_offsets_in_several_spellings_are_accepted) {
  BOOST_TEST(TimeZone::parse("+01:00")->offset_at(0) == 3600);
  BOOST_TEST(TimeZone::parse("-0530")->offset_at(0) == -(5 * 3600 + 30 * 60));
  BOOST_TEST(TimeZone::parse("UTC+02")->offset_at(0) == 7200);
  BOOST_TEST(TimeZone::parse("UTC")->offset_at(0) == 0);
  BOOST_TEST(!TimeZone::parse("+25:00").has_value());
  BOOST_TEST(!TimeZone::parse("../etc/passwd").has_value());
}

BOOST_AUTO_TEST_CASE(europe_paris_follows_daylight_saving_time) {
  const auto paris = TimeZone::parse("Europe/Paris");
  BOOST_REQUIRE(paris.has_value());
  BOOST_TEST(paris->offset_at(kWinter) == 3600);
  BOOST_TEST(paris->offset_at(kSummer) == 7200);
  BOOST_TEST(format_flexy_time(at(kSummer), *paris) == "01/07/2026 02:00:00");
  BOOST_TEST(format_flexy_time(at(kWinter - 1), *paris) == "01/01/2026 00:59:59");
}

BOOST_AUTO_TEST_CASE(unknown_zone_name_is_not_accepted) { BOOST_TEST(!TimeZone::parse("Nowhere/City").has_value()); }

BOOST_AUTO_TEST_SUITE_END()
