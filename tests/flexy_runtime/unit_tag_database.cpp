// TagDatabase: index order, case-insensitive names, negative-index load, quality formula,
// failed reads keeping the last value, float storage, change detection, TAG fields.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/runtime/tag_database.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {

TagConfig tag(std::string name, TagType type, const char* address = nullptr, double coef = 1, double offset = 0) {
  TagConfig t;
  t.name = std::move(name);
  t.type = type;
  if (address) {
    t.address = plc::parse_modbus_address(address);
    t.address_text = address;
  }
  t.coef = coef;
  t.offset = offset;
  if (type == TagType::string) t.initial = std::string();
  return t;
}

TagDatabase sample(bool float_storage = false) {
  auto a = tag("Temperature", TagType::floating, "40001F", 0.1, 2);
  a.groups = {true, false, true, false};
  a.description = "tank";
  return TagDatabase({a, tag("Count", TagType::integer, "40003"), tag("Big", TagType::dword, "40004D"),
                      tag("Flag", TagType::boolean, "1"), tag("Label", TagType::string)},
                     float_storage);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tag_database)

BOOST_AUTO_TEST_CASE(names_are_found_case_insensitively_in_configured_order) {
  auto db = sample();
  BOOST_TEST(db.size() == 5);
  BOOST_TEST(*db.find("temperature") == 0);
  BOOST_TEST(*db.find("COUNT") == 1);
  BOOST_TEST(*db.find("Label") == 4);
  BOOST_TEST(!db.find("Missing").has_value());
}

BOOST_AUTO_TEST_CASE(load_selects_by_name_negative_index_or_id) {
  auto db = sample();
  BOOST_TEST(*db.select(basic::Value{std::string("flag")}) == 3);
  BOOST_TEST(*db.select(basic::Value{std::int32_t{0}}) == 0);   // -0: index 0
  BOOST_TEST(*db.select(basic::Value{std::int32_t{-2}}) == 2);  // index 2
  BOOST_TEST(*db.select(basic::Value{-4.0}) == 4);
  BOOST_TEST(*db.select(basic::Value{std::int32_t{2}}) == 1);   // id 2 = index 1
  BOOST_TEST(!db.select(basic::Value{std::int32_t{-5}}).has_value());
  BOOST_TEST(!db.select(basic::Value{std::int32_t{6}}).has_value());
}

BOOST_AUTO_TEST_CASE(coef_and_offset_scale_the_raw_value) {
  auto db = sample();
  BOOST_TEST(db.poll_succeeded(0, 215));
  BOOST_TEST(std::get<double>(db.value(0)) == static_cast<double>(static_cast<float>(215 * 0.1 + 2)));
  BOOST_TEST(db.raw_value(0, 23.5) == 215, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(quality_follows_the_hms_formula_and_is_bad_after_three_failed_reads) {
  auto db = sample();
  BOOST_TEST(db.quality_level(0) == QualityLevel::not_initialised);
  db.poll_succeeded(0, 100);
  BOOST_TEST(db.quality(0) == 255);
  BOOST_TEST(db.quality_level(0) == QualityLevel::good);
  db.poll_failed(0);
  BOOST_TEST(db.quality(0) == 127);
  BOOST_TEST(db.quality_level(0) == QualityLevel::uncertain);
  db.poll_failed(0);
  BOOST_TEST(db.quality(0) == 63);
  db.poll_failed(0);
  BOOST_TEST(db.quality(0) == 31);
  BOOST_TEST(db.quality_level(0) == QualityLevel::bad);
  db.poll_succeeded(0, 100);
  BOOST_TEST(db.quality(0) == 143);  // (31 + 255) / 2
  db.poll_succeeded(0, 100);
  BOOST_TEST(db.quality(0) == 199);
  BOOST_TEST(db.quality_level(0) == QualityLevel::good);
}

BOOST_AUTO_TEST_CASE(failed_read_keeps_the_last_value) {
  auto db = sample();
  db.poll_succeeded(1, 42);
  db.poll_failed(1);
  db.poll_failed(1);
  BOOST_TEST(std::get<std::int32_t>(db.value(1)) == 42);
}

BOOST_AUTO_TEST_CASE(change_is_reported_only_when_the_value_changes) {
  auto db = sample();
  BOOST_TEST(db.poll_succeeded(1, 7));
  BOOST_TEST(!db.poll_succeeded(1, 7));
  BOOST_TEST(db.poll_succeeded(1, 8));
  BOOST_TEST(!*db.store(1, basic::Value{8.0}));
  BOOST_TEST(*db.store(1, basic::Value{9.0}));
}

// SETIO name$, value$ into a numeric tag, as published programs write values they received as text.
BOOST_AUTO_TEST_CASE(a_number_written_as_text_into_a_numeric_tag_is_read_as_a_number) {
  auto db = sample();
  BOOST_TEST(*db.store(1, basic::Value{std::string(" 12 ")}));
  BOOST_TEST(numeric(db.value(1)).value_or(-1) == 12.0);
  BOOST_TEST(!db.store(1, basic::Value{std::string("12 V")}).has_value());  // not a number: refused
  BOOST_TEST(number_in_text("-3.5").value_or(0) == -3.5);
  BOOST_TEST(!number_in_text("").has_value());
  BOOST_TEST(!number_in_text("1e999").has_value());
}

BOOST_AUTO_TEST_CASE(types_are_enforced_when_storing) {
  auto db = sample();
  BOOST_TEST(!db.store(1, basic::Value{std::string("x")}).has_value());
  BOOST_TEST(!db.store(4, basic::Value{std::int32_t{1}}).has_value());
  BOOST_TEST(*db.store(4, basic::Value{std::string("hello")}));
  BOOST_TEST(*db.store(3, basic::Value{std::int32_t{5}}));
  BOOST_TEST(std::get<std::int32_t>(db.value(3)) == 1);  // boolean
  db.poll_succeeded(2, 4000000000.0);
  BOOST_TEST(std::get<double>(db.value(2)) == 4000000000.0);  // dword above INT32_MAX
}

BOOST_AUTO_TEST_CASE(old_firmware_float_storage_rounds_integers_to_single_precision) {
  auto exact = sample(false);
  auto rounded = sample(true);
  exact.poll_succeeded(2, 16777217);
  rounded.poll_succeeded(2, 16777217);
  BOOST_TEST(std::get<std::int32_t>(exact.value(2)) == 16777217);
  BOOST_TEST(std::get<double>(rounded.value(2)) == 16777216.0);
}

BOOST_AUTO_TEST_CASE(tag_fields_report_name_type_description_and_groups) {
  auto db = sample();
  BOOST_TEST(std::get<std::string>(*db.field(0, "Name")) == "Temperature");
  BOOST_TEST(std::get<std::int32_t>(*db.field(0, "TYPE")) == 1);
  BOOST_TEST(std::get<std::int32_t>(*db.field(4, "Type")) == 6);
  BOOST_TEST(std::get<std::int32_t>(*db.field(2, "Type")) == 3);
  BOOST_TEST(std::get<std::string>(*db.field(0, "Description")) == "tank");
  BOOST_TEST(std::get<std::string>(*db.field(0, "IVGROUPA")) == "1");
  BOOST_TEST(std::get<std::string>(*db.field(0, "ivgroupb")) == "0");
  BOOST_TEST(std::get<std::string>(*db.field(0, "IVGroupC")) == "1");
  BOOST_TEST(!db.field(0, "Colour").has_value());
}

BOOST_AUTO_TEST_CASE(tag_fields_report_server_address_and_a_disabled_alarm) {
  auto db = sample();
  BOOST_TEST(std::get<std::string>(*db.field(0, "ServerName")) == "MODBUS");
  BOOST_TEST(std::get<std::string>(*db.field(4, "SERVERNAME")) == "MEM");
  BOOST_TEST(std::get<std::string>(*db.field(0, "Address")) == "40001F");
  BOOST_TEST(std::get<std::int32_t>(*db.field(0, "AlEnabled")) == 0);
  BOOST_TEST(std::get<std::int32_t>(*db.field(0, "AlStat")) == 0);
  BOOST_TEST(std::get<double>(*db.field(0, "AlHigh")) == 0.0);
  BOOST_TEST(std::get<std::string>(*db.field(0, "AlHint")).empty());
  BOOST_TEST(!db.field(0, "AlColour").has_value());
}

BOOST_AUTO_TEST_CASE(field_edits_apply_on_save_only) {
  auto db = sample();
  BOOST_TEST(db.set_field(0, "Description", basic::Value{std::string("new")}).error == 0);
  BOOST_TEST(std::get<std::string>(*db.field(0, "Description")) == "new");  // the loaded copy
  BOOST_TEST(db.config(0).description == "tank");
  BOOST_TEST(db.set_field(0, "Name", basic::Value{std::string("Temp2")}).error == 0);
  BOOST_TEST(db.save(0).error == 0);
  BOOST_TEST(db.config(0).description == "new");
  BOOST_TEST(*db.find("temp2") == 0);
  BOOST_TEST(!db.find("Temperature").has_value());
  BOOST_TEST(db.set_field(1, "Name", basic::Value{std::string("TEMP2")}).error != 0);
  BOOST_TEST(db.set_field(1, "Type", basic::Value{std::int32_t{2}}).error != 0);
}

BOOST_AUTO_TEST_CASE(slaves_start_not_initialised) {
  auto db = sample();
  BOOST_TEST(static_cast<int>(db.slave_status("127.0.0.1:502/1")) == 0);
  db.set_slave_status("127.0.0.1:502/1", SlaveStatus::not_ok);
  BOOST_TEST(static_cast<int>(db.slave_status("127.0.0.1:502/1")) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
