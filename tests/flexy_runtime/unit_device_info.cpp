// The emulated Flexy's information record: GETSYS PRG/INF,"SERNUM" and SETSYS INF,"LOAD".
#include <boost/test/unit_test.hpp>

#include <regex>

#include "sim/flexy/runtime/device_info.hpp"

using namespace flexhil::flexy;
namespace basic = flexhil::basic;

BOOST_AUTO_TEST_SUITE(device_info)

BOOST_AUTO_TEST_CASE(serial_number_has_the_flexy_shape_and_depends_on_the_device_name) {
  const std::string a = serial_number("Flexy"), b = serial_number("Line2-Flexy");
  BOOST_TEST(std::regex_match(a, std::regex("[0-9]{4}-[0-9]{4}-[0-9]{2}")));
  BOOST_TEST(std::regex_match(b, std::regex("[0-9]{4}-[0-9]{4}-[0-9]{2}")));
  BOOST_TEST(a != b);
  BOOST_TEST(serial_number("Flexy") == a);
}

BOOST_AUTO_TEST_CASE(sernum_is_served_for_prg_and_inf_and_nothing_else_is) {
  FlexyConfig config;
  config.device_name = "Boiler room";
  auto prg = device_info_field(config, "PRG", "SERNUM");
  auto inf = device_info_field(config, "INF", "SerNum");
  BOOST_REQUIRE(prg.has_value());
  BOOST_REQUIRE(inf.has_value());
  BOOST_TEST(std::get<std::string>(*prg) == serial_number("Boiler room"));
  BOOST_TEST(std::get<std::string>(*inf) == serial_number("Boiler room"));
  BOOST_TEST(!device_info_field(config, "INF", "Colour").has_value());
  BOOST_TEST(!device_info_field(config, "TAG", "SERNUM").has_value());
}

BOOST_AUTO_TEST_CASE(only_inf_load_can_be_set) {
  BOOST_TEST(set_device_info_field("INF", "load").error == 0);
  BOOST_TEST(set_device_info_field("INF", "SERNUM").error == 10);
  BOOST_TEST(set_device_info_field("PRG", "LOAD").error == 10);
}

BOOST_AUTO_TEST_CASE(memory_figures_are_the_flexy_205_constants) {
  BOOST_TEST(device_memory_figure("PROG").value_or(-1) == 130547);
  BOOST_TEST(device_memory_figure("VAR").value_or(-1) == 4194304);
  BOOST_TEST(device_memory_figure("ALL").value_or(-1) == 130547 + 4194304);
  BOOST_TEST(!device_memory_figure("HEAP").has_value());
  BOOST_TEST(!device_memory_figure("prog").has_value());  // the interpreter upper-cases first
}

BOOST_AUTO_TEST_SUITE_END()
