// Modbus read planning (adjacent items of one slave in one request) and value codecs.
#include <boost/test/unit_test.hpp>

#include "common/toml_reader.hpp"
#include "sim/flexy/runtime/modbus_poller.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {

FlexyConfig config_with(const std::string& tags, const std::string& topic = "[topic.A]\nport = 1502\n") {
  const auto doc = parse_toml_string(topic + tags, "flexy.toml");
  TomlTable t(doc, "flexy.toml");
  return load_flexy_config(t);
}

std::string tag(const std::string& name, const std::string& address) {
  return "[[tag]]\nname = \"" + name + "\"\naddress = \"" + address + "\"\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_plan)

BOOST_AUTO_TEST_CASE(adjacent_holding_registers_are_read_in_one_request) {
  const auto c = config_with(tag("a", "40001F") + tag("b", "40003") + tag("c", "40004L") + tag("d", "40010"));
  const auto groups = plan_reads(c, 'A');
  BOOST_REQUIRE_EQUAL(groups.size(), 2u);
  BOOST_TEST(groups[0].start == 0);
  BOOST_TEST(groups[0].count == 5);
  BOOST_TEST(groups[0].tags.size() == 3u);
  BOOST_TEST(groups[1].start == 9);
  BOOST_TEST(groups[1].count == 1);
  BOOST_TEST(groups[0].port == 1502);
}

BOOST_AUTO_TEST_CASE(tables_and_units_are_never_mixed_in_one_request) {
  const auto c = config_with(tag("a", "40001") + tag("b", "30002") + tag("c", "1") + tag("d", "2") +
                             tag("e", "40002,5"));
  const auto groups = plan_reads(c, 'A');
  BOOST_REQUIRE_EQUAL(groups.size(), 4u);  // holding unit 1, holding unit 5, input, coils 1-2
  int coil_groups = 0;
  for (const auto& g : groups)
    if (g.table == plc::ModbusTable::coil) {
      ++coil_groups;
      BOOST_TEST(g.count == 2);
    }
  BOOST_TEST(coil_groups == 1);
}

BOOST_AUTO_TEST_CASE(a_topic_unit_id_overrides_the_tags_unit) {
  const auto c = config_with(tag("a", "40001,5") + tag("b", "40002,9"), "[topic.A]\nunit_id = 3\n");
  const auto groups = plan_reads(c, 'A');
  BOOST_REQUIRE_EQUAL(groups.size(), 1u);
  BOOST_TEST(groups[0].unit == 3);
  BOOST_TEST(groups[0].count == 2);
}

BOOST_AUTO_TEST_CASE(a_request_never_exceeds_125_registers) {
  std::string tags;
  for (int i = 0; i < 130; ++i) tags += tag("t" + std::to_string(i), std::to_string(40001 + i));
  const auto groups = plan_reads(config_with(tags), 'A');
  BOOST_REQUIRE_EQUAL(groups.size(), 2u);
  BOOST_TEST(groups[0].count == 125);
  BOOST_TEST(groups[1].count == 5);
}

BOOST_AUTO_TEST_CASE(word_orders_and_types_round_trip_through_the_codec) {
  for (const char* a : {"40001F", "40001H", "40001L", "40001M", "40001D", "40001E", "40001I", "40001W"}) {
    const auto address = plc::parse_modbus_address(a);
    const double v = address.type == plc::DataType::float32 ? -12.5
                     : (address.type == plc::DataType::int32 || address.type == plc::DataType::int16) ? -1234
                                                                                                       : 54321;
    const auto words = encode_value(address, v);
    BOOST_TEST(decode_value(address, words.data()) == v, a);
  }
}

BOOST_AUTO_TEST_CASE(float_word_order_puts_the_high_word_first_unless_swapped) {
  const auto f = encode_value(plc::parse_modbus_address("40001F"), 1.0);  // 0x3F800000
  const auto h = encode_value(plc::parse_modbus_address("40001H"), 1.0);
  BOOST_TEST(f[0] == 0x3F80);
  BOOST_TEST(f[1] == 0x0000);
  BOOST_TEST(h[0] == 0x0000);
  BOOST_TEST(h[1] == 0x3F80);
}

BOOST_AUTO_TEST_SUITE_END()
