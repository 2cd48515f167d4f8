#define BOOST_TEST_MODULE test_plc_unit
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>

#include "common/error.hpp"
#include "common/event.hpp"
#include "sim/plc/modbus_address.hpp"
#include "sim/plc/modbus_frame.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_console_line.hpp"
#include "sim/plc/plc_model.hpp"
#include "sim/plc/value_codec.hpp"
#include "sim/plc/waveform.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::plc;
namespace tt = boost::test_tools;

namespace {

ConfigError config_error_of(const std::string& text, const std::string& file = "s.toml") {
  try {
    load_plc_config_string(text, file);
  } catch (const ConfigError& e) {
    return e;
  }
  BOOST_FAIL("no ConfigError for:\n" + text);
  throw std::logic_error("unreachable");
}

std::vector<std::uint16_t> words(const EncodedValue& e) {
  return {e.words.begin(), e.words.begin() + e.count};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(address)

BOOST_AUTO_TEST_CASE(holding_register_with_float_suffix_and_unit) {
  const auto a = parse_modbus_address("40001F,11");
  BOOST_TEST((a.table == ModbusTable::holding_register));
  BOOST_TEST(a.offset == 0);
  BOOST_TEST((a.type == DataType::float32));
  BOOST_TEST((a.word_order == WordOrder::high_first));
  BOOST_TEST(a.unit.value() == 11);
  BOOST_TEST(!a.ip);
  BOOST_TEST(format_modbus_address(a) == "40001F,11");
}

BOOST_AUTO_TEST_CASE(input_register_int16_and_coil_with_unit) {
  const auto ir = parse_modbus_address("30010I");
  BOOST_TEST((ir.table == ModbusTable::input_register));
  BOOST_TEST(ir.offset == 9);
  BOOST_TEST((ir.type == DataType::int16));
  const auto coil = parse_modbus_address("1,11");
  BOOST_TEST((coil.table == ModbusTable::coil));
  BOOST_TEST(coil.offset == 0);
  BOOST_TEST((coil.type == DataType::boolean));
  BOOST_TEST(coil.unit.value() == 11);
  const auto di = parse_modbus_address("10001");
  BOOST_TEST((di.table == ModbusTable::discrete_input));
  BOOST_TEST(di.offset == 0);
}

BOOST_AUTO_TEST_CASE(extended_plus_form_reaches_the_whole_table) {
  const auto a = parse_modbus_address("+400001");
  BOOST_TEST((a.table == ModbusTable::holding_register));
  BOOST_TEST(a.offset == 0);
  const auto last = parse_modbus_address("+465536");
  BOOST_TEST(last.offset == 65535);
  BOOST_TEST(parse_modbus_address("+65536").offset == 65535);
  BOOST_TEST((parse_modbus_address("+100001").table == ModbusTable::discrete_input));
  BOOST_TEST((parse_modbus_address("+312000D").table == ModbusTable::input_register));
  BOOST_TEST(parse_modbus_address("+312000D").offset == 11999);
  BOOST_TEST(format_modbus_address(parse_modbus_address("+412000")) == "+412000");
}

BOOST_AUTO_TEST_CASE(every_type_suffix_maps_to_type_and_word_order) {
  struct Case { const char* text; DataType type; WordOrder order; };
  const Case cases[] = {
      {"40001W", DataType::uint16, WordOrder::high_first},  {"40001I", DataType::int16, WordOrder::high_first},
      {"40001D", DataType::uint32, WordOrder::high_first},  {"40001E", DataType::uint32, WordOrder::low_first},
      {"40001L", DataType::int32, WordOrder::high_first},   {"40001M", DataType::int32, WordOrder::low_first},
      {"40001F", DataType::float32, WordOrder::high_first}, {"40001H", DataType::float32, WordOrder::low_first},
      {"40001", DataType::uint16, WordOrder::high_first},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      const auto a = parse_modbus_address(c.text);
      BOOST_TEST((a.type == c.type));
      BOOST_TEST((a.word_order == c.order));
      if (a.type_given) BOOST_TEST(format_modbus_address(a) == c.text);
    }
  }
}

BOOST_AUTO_TEST_CASE(unit_and_ip_are_parsed) {
  const auto a = parse_modbus_address("40010L,3,192.168.0.10");
  BOOST_TEST(a.unit.value() == 3);
  BOOST_TEST(a.ip.value() == "192.168.0.10");
}

BOOST_AUTO_TEST_CASE(invalid_addresses_say_what_is_expected) {
  const char* bad[] = {"", "0", "20001", "50000", "40001X", "40001FF", "1F", "10001I", "40001,",
                       "40001,256", "40001,x", "40001,1,notanip", "+0", "+465537", "+200001",
                       "+465536F", "abc", "4000a"};
  for (const char* text : bad) {
    BOOST_TEST_CONTEXT(text) { BOOST_CHECK_THROW(parse_modbus_address(text), ModbusAddressError); }
  }
  try {
    parse_modbus_address("40001X");
  } catch (const ModbusAddressError& e) {
    BOOST_TEST(std::string(e.what()).find("expected one of: W, I, D, E, L, M, F, H") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(codec)

BOOST_AUTO_TEST_CASE(float32_both_word_orders) {
  // 21.5f = 0x41AC0000
  BOOST_TEST(words(encode_value(21.5, DataType::float32, WordOrder::high_first)) ==
             (std::vector<std::uint16_t>{0x41AC, 0x0000}), tt::per_element());
  BOOST_TEST(words(encode_value(21.5, DataType::float32, WordOrder::low_first)) ==
             (std::vector<std::uint16_t>{0x0000, 0x41AC}), tt::per_element());
  const std::uint16_t hi[] = {0x41AC, 0x0000}, lo[] = {0x0000, 0x41AC};
  BOOST_TEST(decode_value(hi, DataType::float32, WordOrder::high_first) == 21.5);
  BOOST_TEST(decode_value(lo, DataType::float32, WordOrder::low_first) == 21.5);
}

BOOST_AUTO_TEST_CASE(int32_and_uint32_round_trip_and_saturate) {
  BOOST_TEST(words(encode_value(-2, DataType::int32, WordOrder::high_first)) ==
             (std::vector<std::uint16_t>{0xFFFF, 0xFFFE}), tt::per_element());
  BOOST_TEST(words(encode_value(0x12345678, DataType::uint32, WordOrder::low_first)) ==
             (std::vector<std::uint16_t>{0x5678, 0x1234}), tt::per_element());
  for (auto order : {WordOrder::high_first, WordOrder::low_first}) {
    for (double v : {-2147483648.0, -1.0, 0.0, 123456789.0, 2147483647.0}) {
      const auto e = encode_value(v, DataType::int32, order);
      BOOST_TEST(decode_value(words(e), DataType::int32, order) == v);
    }
    const auto big = encode_value(4294967295.0, DataType::uint32, order);
    BOOST_TEST(decode_value(words(big), DataType::uint32, order) == 4294967295.0);
  }
  BOOST_TEST(quantize_value(5e9, DataType::int32) == 2147483647.0);
  BOOST_TEST(quantize_value(-1, DataType::uint32) == 0.0);
}

BOOST_AUTO_TEST_CASE(int16_uint16_and_bool) {
  BOOST_TEST(encode_value(-1, DataType::int16, WordOrder::high_first).words[0] == 0xFFFF);
  BOOST_TEST(encode_value(70000, DataType::uint16, WordOrder::high_first).words[0] == 0xFFFF);
  BOOST_TEST(encode_value(-40000, DataType::int16, WordOrder::high_first).words[0] == 0x8000);
  BOOST_TEST(quantize_value(12.6, DataType::uint16) == 13.0);
  const std::uint16_t neg[] = {0xFFF6};
  BOOST_TEST(decode_value(neg, DataType::int16, WordOrder::high_first) == -10.0);
  BOOST_TEST(decode_value(neg, DataType::uint16, WordOrder::high_first) == 65526.0);
  BOOST_TEST(encode_value(0.2, DataType::boolean, WordOrder::high_first).words[0] == 1);
  BOOST_TEST(encode_value(0, DataType::boolean, WordOrder::high_first).words[0] == 0);
  BOOST_TEST(quantize_value(21.4, DataType::float32) == static_cast<double>(21.4f));
  BOOST_TEST(std::isinf(quantize_value(1e300, DataType::float32)));
  BOOST_TEST(quantize_value(-1e300, DataType::float32) < 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(waveforms)

BOOST_AUTO_TEST_CASE(constant_is_constant) {
  Waveform w(ConstantWave{4.5});
  BOOST_TEST(w.at(0) == 4.5);
  BOOST_TEST(w.at(1e6) == 4.5);
}

BOOST_AUTO_TEST_CASE(steps_hold_each_value_from_its_time_and_loop) {
  Waveform w(StepsWave{{{0, 1}, {10, 2}, {25, 3}}, 0});
  BOOST_TEST(w.at(0) == 1);
  BOOST_TEST(w.at(9.999) == 1);
  BOOST_TEST(w.at(10) == 2);
  BOOST_TEST(w.at(24) == 2);
  BOOST_TEST(w.at(1000) == 3);
  Waveform looped(StepsWave{{{0, 1}, {10, 2}}, 20});
  BOOST_TEST(looped.at(15) == 2);
  BOOST_TEST(looped.at(20) == 1);
  BOOST_TEST(looped.at(31) == 2);
}

BOOST_AUTO_TEST_CASE(ramp_rises_then_holds_or_repeats) {
  Waveform w(RampWave{0, 100, 10, 5, false});
  BOOST_TEST(w.at(0) == 0);
  BOOST_TEST(w.at(5) == 0);
  BOOST_TEST(w.at(7.5) == 25, tt::tolerance(1e-9));
  BOOST_TEST(w.at(15) == 100);
  BOOST_TEST(w.at(100) == 100);
  Waveform saw(RampWave{0, 10, 10, 0, true});
  BOOST_TEST(saw.at(13) == 3, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(sine_at_quarter_periods) {
  Waveform w(SineWave{20, 5, 8, 0});
  BOOST_TEST(w.at(0) == 20, tt::tolerance(1e-9));
  BOOST_TEST(w.at(2) == 25, tt::tolerance(1e-9));
  BOOST_TEST(w.at(4) == 20, tt::tolerance(1e-9));
  BOOST_TEST(w.at(6) == 15, tt::tolerance(1e-9));
  Waveform cosine(SineWave{0, 1, 8, 90});
  BOOST_TEST(cosine.at(0) == 1, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(square_follows_duty_cycle) {
  Waveform w(SquareWave{0, 1, 10, 0.3});
  BOOST_TEST(w.at(0) == 1);
  BOOST_TEST(w.at(2.9) == 1);
  BOOST_TEST(w.at(3) == 0);
  BOOST_TEST(w.at(9.9) == 0);
  BOOST_TEST(w.at(10) == 1);
}

BOOST_AUTO_TEST_CASE(random_walk_is_reproducible_bounded_and_order_independent) {
  RandomWalkWave spec{42, 50, 2, 1, 45, 55};
  Waveform forward(spec), backward(spec), other_seed(RandomWalkWave{43, 50, 2, 1, 45, 55});
  std::vector<double> a;
  for (int i = 0; i <= 200; ++i) a.push_back(forward.at(i));
  BOOST_TEST(a[0] == 50);
  bool differs_from_other_seed = false;
  for (int i = 200; i >= 0; --i) {
    BOOST_TEST(backward.at(i) == a[static_cast<std::size_t>(i)]);
    BOOST_TEST(a[static_cast<std::size_t>(i)] >= 45);
    BOOST_TEST(a[static_cast<std::size_t>(i)] <= 55);
    if (i > 0 && i < 200) {
      BOOST_TEST(std::abs(a[static_cast<std::size_t>(i + 1)] - a[static_cast<std::size_t>(i)]) <= 2.0);
    }
    if (other_seed.at(i) != a[static_cast<std::size_t>(i)]) differs_from_other_seed = true;
  }
  BOOST_TEST(differs_from_other_seed);
  BOOST_TEST(forward.at(10.5) == a[10]);  // holds between steps
  // The generator is fixed (not std::uniform_*_distribution): these values never change.
  BOOST_TEST(random_unit(42, 0) == random_unit(42, 0));
  BOOST_TEST(random_unit(42, 0) != random_unit(42, 1));
}

BOOST_AUTO_TEST_CASE(counter_counts_and_wraps) {
  Waveform w(CounterWave{10, 5, 2, 0, false});
  BOOST_TEST(w.at(0) == 10);
  BOOST_TEST(w.at(1.99) == 10);
  BOOST_TEST(w.at(2) == 15);
  BOOST_TEST(w.at(20) == 60);
  Waveform wrap(CounterWave{0, 1, 1, 3, true});  // 0 1 2 3 0 1 …
  BOOST_TEST(wrap.at(3) == 3);
  BOOST_TEST(wrap.at(4) == 0);
  BOOST_TEST(wrap.at(6) == 2);
}

BOOST_AUTO_TEST_CASE(csv_replays_held_or_interpolated_and_loops) {
  CsvWave spec{{{0, 1}, {10, 3}, {20, 5}}, false, false};
  Waveform held(spec);
  BOOST_TEST(held.at(5) == 1);
  BOOST_TEST(held.at(10) == 3);
  BOOST_TEST(held.at(99) == 5);
  spec.interpolate = true;
  Waveform lin(spec);
  BOOST_TEST(lin.at(5) == 2, tt::tolerance(1e-9));
  BOOST_TEST(lin.at(15) == 4, tt::tolerance(1e-9));
  spec.loop = true;
  Waveform loop(spec);
  BOOST_TEST(loop.at(25) == 2, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(frames)

std::vector<std::uint8_t> adu(std::vector<std::uint8_t> pdu, std::uint8_t unit = 1, std::uint16_t proto = 0) {
  const auto len = static_cast<std::uint16_t>(pdu.size() + 1);
  std::vector<std::uint8_t> f{0x00, 0x01, static_cast<std::uint8_t>(proto >> 8), static_cast<std::uint8_t>(proto),
                              static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), unit};
  for (auto b : pdu) f.push_back(b);
  return f;
}

BOOST_AUTO_TEST_CASE(complete_incomplete_and_malformed_headers) {
  const auto f = adu({0x03, 0x00, 0x00, 0x00, 0x02});
  BOOST_TEST((next_frame_size(f).status == FrameStatus::complete));
  BOOST_TEST(next_frame_size(f).size == 12u);
  BOOST_TEST((next_frame_size(std::span(f).first(11)).status == FrameStatus::incomplete));
  BOOST_TEST((next_frame_size(std::span(f).first(3)).status == FrameStatus::incomplete));
  BOOST_TEST((next_frame_size(adu({0x03, 0, 0, 0, 1}, 1, 7)).status == FrameStatus::malformed));
  auto zero_len = f;
  zero_len[5] = 0;
  BOOST_TEST((next_frame_size(zero_len).status == FrameStatus::malformed));
  auto huge = f;
  huge[4] = 0x10;
  BOOST_TEST((next_frame_size(huge).status == FrameStatus::malformed));
}

BOOST_AUTO_TEST_CASE(requests_are_checked_per_function_code) {
  auto ok = check_request(adu({0x03, 0x00, 0x0A, 0x00, 0x7D}));
  BOOST_TEST(ok.exception == 0);
  BOOST_TEST(ok.ranges[0].first == 10u);
  BOOST_TEST(ok.ranges[0].count == 125u);
  BOOST_TEST(check_request(adu({0x03, 0x00, 0x00, 0x00, 0x7E})).exception == 0x03);  // 126 regs
  BOOST_TEST(check_request(adu({0x03, 0x00, 0x00, 0x00})).exception == 0x03);        // short PDU
  BOOST_TEST(check_request(adu({0x03, 0xFF, 0xFF, 0x00, 0x02})).exception == 0x02);  // past 65535
  BOOST_TEST(check_request(adu({0x2B, 0x0E, 0x01, 0x00})).exception == 0x01);       // unsupported
  BOOST_TEST(check_request(adu({0x05, 0x00, 0x00, 0x12, 0x34})).exception == 0x03);  // coil value
  BOOST_TEST(check_request(adu({0x10, 0x00, 0x00, 0x00, 0x02, 0x04, 1, 2, 3})).exception == 0x03);
  const auto w = check_request(adu({0x10, 0x00, 0x04, 0x00, 0x02, 0x04, 1, 2, 3, 4}));
  BOOST_TEST(w.exception == 0);
  BOOST_TEST(w.writes());
  BOOST_TEST(check_request(adu({0x0F, 0x00, 0x00, 0x00, 0x0A, 0x02, 0xFF, 0x03})).exception == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config)

const char* kGood = R"(
name = "demo"
[device]
ignored = true
[plc]
unknown_unit = "exception"
update_interval = "50ms"
[[plc.point]]
name = "Temperature"
address = "40001F"
waveform = "sine"
mean = 20
amplitude = 5
period = "60s"
[[plc.point]]
name = "Setpoint"
table = "holding_register"
offset = 10
type = "int32"
word_order = "low-first"
unit = 2
value = 42
[[plc.point]]
name = "Level"
address = "30001,3"
waveform = "steps"
steps = [[0, 1], ["30s", 2]]
[[plc.fault]]
kind = "exception"
at = "10s"
duration = "5s"
code = "busy"
points = ["Temperature"]
)";

BOOST_AUTO_TEST_CASE(good_section_is_loaded_ignoring_other_tables) {
  const auto c = load_plc_config_string(kGood, "s.toml");
  BOOST_TEST(c.points.size() == 3u);
  BOOST_TEST((c.units == std::vector<int>{1, 2, 3}), tt::per_element());
  BOOST_TEST((c.unknown_unit == UnknownUnitPolicy::exception));
  BOOST_TEST(c.update_interval_s == 0.05);
  const auto* sp = c.find_point("Setpoint");
  BOOST_TEST((sp->type == DataType::int32));
  BOOST_TEST((sp->word_order == WordOrder::low_first));
  BOOST_TEST(sp->offset == 10);
  BOOST_TEST(sp->writable);
  BOOST_TEST(!c.find_point("Level")->writable);
  BOOST_TEST(c.find_point("Level")->unit == 3);
  BOOST_TEST(std::get<StepsWave>(c.find_point("Level")->waveform).steps[1].first == 30.0);
  BOOST_TEST(c.faults.size() == 1u);
  BOOST_TEST(c.faults[0].exception_code == 0x06);
  BOOST_TEST(c.faults[0].at_s == 10.0);
}

BOOST_AUTO_TEST_CASE(unknown_waveform_lists_the_choices_with_line_and_column) {
  const auto e = config_error_of("[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001F\"\nwaveform = \"sinus\"\n");
  BOOST_TEST(e.where().line == 5);
  BOOST_TEST(e.where().column > 0);
  BOOST_TEST(std::string(e.what()).find(
                 "s.toml:5:12: error: unknown waveform 'sinus' (expected one of: constant, steps, ramp, "
                 "sine, square, random_walk, counter, csv)") != std::string::npos, e.what());
}

BOOST_AUTO_TEST_CASE(malformed_sections_name_the_place) {
  struct Case { std::string text; int line; std::string words; };
  const Case cases[] = {
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"20001\"\n", 4, "invalid Modbus address"},
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001\"\nperiod = \"1s\"\n", 5, "unknown key 'period'"},
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001\"\nwaveform = \"sine\"\n", 2, "missing required key 'period'"},
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"30001\"\nwritable = true\n", 5, "read-only"},
      {"[plc]\n[[plc.point]]\nname = \"A\"\naddress = \"40001F\"\n[[plc.point]]\nname = \"B\"\naddress = \"40002\"\n", 5, "overlaps"},
      {"[plc]\n[[plc.point]]\nname = \"A\"\naddress = \"40001\"\n[[plc.point]]\nname = \"A\"\naddress = \"40005\"\n", 6, "duplicate point name"},
      {"[plc]\nunknown_unit = \"drop\"\n", 2, "expected one of: ignore, exception"},
      {"[plc]\n[[plc.fault]]\nkind = \"explode\"\n", 3, "expected one of: exception, delay, no-response, disconnect, down"},
      {"[plc]\n[[plc.fault]]\nkind = \"exception\"\ncode = \"weird\"\n", 4, "unknown exception code"},
      {"[plc]\n[[plc.fault]]\nkind = \"exception\"\npoints = [\"Nope\"]\n", 4, "no point named 'Nope'"},
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001F\"\ntype = \"int16\"\n", 5, "already given by the address"},
      {"[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001\"\nwaveform = \"steps\"\nsteps = [[5, 1], [2, 2]]\n", 6, "increase"},
      {"[plc]\nupdate_interval = \"soon\"\n", 2, "duration"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      const auto e = config_error_of(c.text);
      BOOST_TEST(e.where().file == "s.toml");
      BOOST_TEST(e.where().line == c.line);
      BOOST_TEST(e.message().find(c.words) != std::string::npos, e.message());
    }
  }
}

BOOST_AUTO_TEST_CASE(csv_waveform_reads_a_file_next_to_the_scenario) {
  testing::TempDir dir;
  dir.write("flow.csv", "time,value\n0,1.5\n10,2.5\n");
  const auto scenario = dir.write("s.toml", "[plc]\n[[plc.point]]\nname = \"Flow\"\naddress = \"30001F\"\n"
                                            "waveform = \"csv\"\nfile = \"flow.csv\"\ninterpolate = true\n");
  const auto c = load_plc_config_file(scenario);
  const auto& csv = std::get<CsvWave>(c.points[0].waveform);
  BOOST_TEST(csv.samples.size() == 2u);
  BOOST_TEST(csv.interpolate);
  dir.write("bad.csv", "0,1\nfive,2\n");
  const auto bad = dir.write("b.toml", "[plc]\n[[plc.point]]\nname = \"Flow\"\naddress = \"30001F\"\n"
                                       "waveform = \"csv\"\nfile = \"bad.csv\"\n");
  try {
    load_plc_config_file(bad);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.where().file.find("bad.csv") != std::string::npos);
    BOOST_TEST(e.where().line == 2);
  }
}

BOOST_AUTO_TEST_CASE(file_without_plc_table_is_an_error) {
  testing::TempDir dir;
  const auto path = dir.write("s.toml", "[harness]\nx = 1\n");
  BOOST_CHECK_THROW(load_plc_config_file(path), ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(waveform_steps_and_writes_are_recorded_with_scenario_time) {
  auto c = load_plc_config_string(R"(
[plc]
[[plc.point]]
name = "Level"
address = "40001"
waveform = "steps"
steps = [[0, 1], [10, 2], [20, 3]]
[[plc.point]]
name = "Setpoint"
address = "40003F"
value = 21.5
)", "s.toml");
  PlcModel m(std::move(c));
  m.advance(0);
  m.advance(5);
  m.advance(10.5);
  BOOST_TEST(m.value("Level").value() == 2);
  // A client writes the high word of the float only: the value follows the raw registers.
  auto* map = m.unit_map(1);
  map->holding_registers[2] = 0x4120;  // 10.0f high word, low word still 0
  RequestCheck w;
  w.unit = 1;
  w.range_count = 1;
  w.ranges[0] = {ModbusTable::holding_register, 2, 1, true};
  m.after_write(1, w, 12);
  BOOST_TEST(m.value("Setpoint").value() == 10.0);
  m.advance(25);
  const auto& h = m.history();
  BOOST_TEST(h.value_at("Level", 0).value() == 1);
  BOOST_TEST(h.value_at("Level", 9.99).value() == 1);
  BOOST_TEST(h.value_at("Level", 10.5).value() == 2);
  BOOST_TEST(h.value_at("Level", 100).value() == 3);
  BOOST_TEST(h.value_at("Setpoint", 11.9).value() == 21.5);
  BOOST_TEST(h.value_at("Setpoint", 12).value() == 10.0);
  const auto events = m.take_events();
  BOOST_TEST(!m.has_events());
  BOOST_TEST(events.size() == 5u);  // 2 initial, 2 steps, 1 write
  BOOST_TEST(events[0]["kind"] == "plc_change");
  BOOST_TEST(events[0]["cause"] == "initial");
  BOOST_TEST(events[0]["old"].is_null());
  BOOST_TEST(events[2]["cause"] == "waveform");
  BOOST_TEST(events[2]["old"] == 1.0);
  BOOST_TEST(events[2]["new"] == 2.0);
  BOOST_TEST(events[2]["scenario_s"] == 10.5);
  BOOST_TEST(events[3]["cause"] == "client-write");
  BOOST_TEST(events[3]["point"] == "Setpoint");
}

BOOST_AUTO_TEST_CASE(client_write_holds_until_the_waveform_changes) {
  auto c = load_plc_config_string("[plc]\n[[plc.point]]\nname = \"P\"\naddress = \"40001\"\nwaveform = \"steps\"\n"
                                  "steps = [[0, 1], [10, 2]]\n", "s.toml");
  PlcModel m(std::move(c));
  m.advance(0);
  m.unit_map(1)->holding_registers[0] = 7;
  RequestCheck w;
  w.unit = 1;
  w.range_count = 1;
  w.ranges[0] = {ModbusTable::holding_register, 0, 1, true};
  m.after_write(1, w, 1);
  m.advance(5);
  BOOST_TEST(m.value("P").value() == 7);
  m.advance(10);
  BOOST_TEST(m.value("P").value() == 2);
}

BOOST_AUTO_TEST_CASE(unmapped_and_read_only_addresses_get_illegal_address) {
  auto c = load_plc_config_string("[plc]\n[[plc.point]]\nname = \"P\"\naddress = \"40001\"\nwritable = false\n"
                                  "[[plc.point]]\nname = \"Q\"\naddress = \"40002\"\n", "s.toml");
  PlcModel m(std::move(c));
  RequestCheck r;
  r.unit = 1;
  r.range_count = 1;
  r.ranges[0] = {ModbusTable::holding_register, 0, 2, false};
  BOOST_TEST(m.access_exception(1, r) == 0);
  r.ranges[0].count = 3;
  BOOST_TEST(m.access_exception(1, r) == 0x02);
  r.ranges[0] = {ModbusTable::holding_register, 1, 1, true};
  BOOST_TEST(m.access_exception(1, r) == 0);
  r.ranges[0] = {ModbusTable::holding_register, 0, 1, true};
  BOOST_TEST(m.access_exception(1, r) == 0x02);
}

BOOST_AUTO_TEST_SUITE_END()

// What `flexhil plc` prints for the events a person at the bench watches.
BOOST_AUTO_TEST_SUITE(console_line)

BOOST_AUTO_TEST_CASE(a_value_change_shows_time_unit_point_old_new_and_cause) {
  const auto line = plc_console_line(Json{{"kind", "plc_change"}, {"scenario_s", 12.5}, {"unit", 1},
                                          {"point", "temperature"}, {"old", 21.5}, {"new", 22}, {"cause", "waveform"}});
  BOOST_REQUIRE(line);
  BOOST_TEST(*line == "[   12.500] change unit 1 temperature: 21.5 -> 22 (waveform)");
}

BOOST_AUTO_TEST_CASE(a_change_without_old_value_shows_null) {
  const auto line = plc_console_line(Json{{"kind", "plc_change"}, {"scenario_s", 0.0}, {"unit", 2},
                                          {"point", "run"}, {"new", true}, {"cause", "write"}});
  BOOST_REQUIRE(line);
  BOOST_TEST(*line == "[    0.000] change unit 2 run: null -> true (write)");
}

BOOST_AUTO_TEST_CASE(a_fault_shows_its_name_state_and_detail) {
  const auto line = plc_console_line(Json{{"kind", "plc_fault"}, {"scenario_s", 30.0}, {"fault", "freeze"},
                                          {"state", "start"}, {"detail", "registers hold their values"}});
  BOOST_REQUIRE(line);
  BOOST_TEST(*line == "[   30.000] fault freeze start: registers hold their values");
}

BOOST_AUTO_TEST_CASE(other_events_print_nothing) {
  BOOST_TEST(!plc_console_line(Json{{"kind", "plc_request"}, {"scenario_s", 1.0}}));
  BOOST_TEST(!plc_console_line(Json::object()));
}

BOOST_AUTO_TEST_SUITE_END()
