#include "sim/plc/plc_config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <set>

#include "common/net.hpp"

namespace flexhil::plc {
namespace {

constexpr double kMaxSeconds = 1e9;

const std::vector<std::string>& waveform_choices() {
  static const std::vector<std::string> c = [] {
    std::vector<std::string> v;
    for (auto k : waveform_kinds()) v.emplace_back(k);
    return v;
  }();
  return c;
}

std::optional<double> node_seconds(const toml::node& n) {
  if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
  if (n.is_floating_point()) return n.as_floating_point()->get();
  if (n.is_string()) return parse_duration_seconds(n.as_string()->get());
  return std::nullopt;
}

std::optional<double> node_number(const toml::node& n) {
  if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
  if (n.is_floating_point()) return n.as_floating_point()->get();
  if (n.is_boolean()) return n.as_boolean()->get() ? 1.0 : 0.0;
  return std::nullopt;
}

double required_seconds(TomlTable& t, std::string_view key, double min) {
  auto v = t.seconds(key, min, kMaxSeconds);
  if (!v) t.fail(key, fmt::format("missing required key '{}' (a duration like \"10s\")", key));
  return *v;
}

// steps = [[0, 20.0], ["30s", 25.0], …]: time (seconds or duration string), value.
std::vector<std::pair<double, double>> read_steps(TomlTable& t) {
  const auto* n = t.node("steps");
  if (!n) t.fail("steps", "missing required key 'steps' (e.g. steps = [[0, 20.0], [\"30s\", 25.0]])");
  const auto* arr = n->as_array();
  if (!arr || arr->empty())
    t.fail("steps", "'steps' must be a non-empty array of [time, value] pairs");
  std::vector<std::pair<double, double>> out;
  for (const auto& e : *arr) {
    const auto* pair = e.as_array();
    std::optional<double> time, value;
    if (pair && pair->size() == 2) {
      time = node_seconds(*pair->get(0));
      value = node_number(*pair->get(1));
    }
    if (!time || !value || *time < 0)
      throw ConfigError(position_of(e, t.file()),
                        "each step is [time, value] with time >= 0 in seconds or like \"30s\"");
    if (!out.empty() && *time <= out.back().first)
      throw ConfigError(position_of(e, t.file()), "step times must increase");
    out.emplace_back(*time, *value);
  }
  return out;
}

std::vector<std::pair<double, double>> read_csv(const std::string& path, const SourcePosition& where) {
  std::ifstream in(path);
  if (!in) throw ConfigError(where, fmt::format("cannot read CSV file '{}'", path));
  std::vector<std::pair<double, double>> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const auto comma = line.find_first_of(",;");
    const auto bad = [&](const std::string& why) {
      return ConfigError({path, number, 1}, why);
    };
    if (comma == std::string::npos) throw bad("expected 'time,value'");
    const std::string a = line.substr(0, comma), b = line.substr(comma + 1);
    char* end = nullptr;
    const double time = std::strtod(a.c_str(), &end);
    const bool time_ok = end != a.c_str() && std::isfinite(time);
    char* end2 = nullptr;
    const double value = std::strtod(b.c_str(), &end2);
    const bool value_ok = end2 != b.c_str() && std::isfinite(value);
    if (!time_ok || !value_ok) {
      if (out.empty() && number == 1) continue;  // a header line
      throw bad("expected 'time,value' with numbers (time in seconds)");
    }
    if (time < 0 || (!out.empty() && time <= out.back().first))
      throw bad("times must be >= 0 and increase");
    out.emplace_back(time, value);
  }
  if (out.empty()) throw ConfigError(where, fmt::format("CSV file '{}' holds no samples", path));
  return out;
}

WaveformSpec read_waveform(TomlTable& t, const std::string& base_dir) {
  const auto kind = t.choice("waveform", waveform_choices(), "constant");
  if (kind == "constant") return ConstantWave{t.number("value", 0.0, -1e300, 1e300)};
  if (kind == "steps") {
    StepsWave w{read_steps(t), t.seconds("loop", 0, kMaxSeconds).value_or(0)};
    if (w.loop_s > 0 && w.loop_s <= w.steps.back().first)
      t.fail("loop", "'loop' must be longer than the last step time");
    return w;
  }
  if (kind == "ramp") {
    RampWave w;
    w.from = t.number("from", 0.0, -1e300, 1e300);
    w.to = t.number("to", 1.0, -1e300, 1e300);
    w.duration_s = required_seconds(t, "duration", 1e-6);
    w.start_s = t.seconds("delay", 0, kMaxSeconds).value_or(0);
    w.repeat = t.boolean("repeat", false);
    return w;
  }
  if (kind == "sine") {
    SineWave w;
    w.offset = t.number("mean", 0.0, -1e300, 1e300);  // "offset" addresses the point
    w.amplitude = t.number("amplitude", 1.0, -1e300, 1e300);
    w.period_s = required_seconds(t, "period", 1e-6);
    w.phase_deg = t.number("phase", 0.0, -36000, 36000);
    return w;
  }
  if (kind == "square") {
    SquareWave w;
    w.low = t.number("low", 0.0, -1e300, 1e300);
    w.high = t.number("high", 1.0, -1e300, 1e300);
    w.period_s = required_seconds(t, "period", 1e-6);
    w.duty = t.number("duty", 0.5, 0.0, 1.0);
    return w;
  }
  if (kind == "random_walk") {
    RandomWalkWave w;
    w.seed = static_cast<std::uint64_t>(t.integer("seed", 1, 0, INT64_MAX));
    w.start = t.number("start", 0.0, -1e300, 1e300);
    w.max_step = t.number("max_step", 1.0, 0.0, 1e300);
    w.interval_s = t.seconds("interval", 1e-6, kMaxSeconds).value_or(1.0);
    w.min = t.number("min", -1e300, -1e300, 1e300);
    w.max = t.number("max", 1e300, -1e300, 1e300);
    if (w.min > w.max) t.fail("min", "'min' must not exceed 'max'");
    return w;
  }
  if (kind == "counter") {
    CounterWave w;
    w.start = t.number("start", 0.0, -1e300, 1e300);
    w.increment = t.number("increment", 1.0, -1e300, 1e300);
    w.interval_s = t.seconds("interval", 1e-6, kMaxSeconds).value_or(1.0);
    if (auto wrap = t.number("wrap_at", -1e300, 1e300)) {
      w.wrap = true;
      w.wrap_at = *wrap;
      if ((w.increment > 0 && w.wrap_at < w.start) || (w.increment < 0 && w.wrap_at > w.start))
        t.fail("wrap_at", "'wrap_at' lies behind 'start' for this increment");
    }
    return w;
  }
  // csv
  CsvWave w;
  const auto where = t.where("file");
  std::filesystem::path path = t.required_string("file");
  if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
  w.samples = read_csv(path.string(), where);
  w.interpolate = t.boolean("interpolate", false);
  w.loop = t.boolean("loop", false);
  return w;
}

const std::vector<std::string> kTableNames{"coil", "discrete_input", "input_register",
                                           "holding_register"};
const std::vector<std::string> kTypeNames{"bool", "int16", "uint16", "int32", "uint32", "float32"};

ModbusTable table_from(const std::string& s) {
  return static_cast<ModbusTable>(
      std::find(kTableNames.begin(), kTableNames.end(), s) - kTableNames.begin());
}

ModbusAddress read_address(TomlTable& t, std::string_view key) {
  const auto text = t.string(key);
  try {
    return parse_modbus_address(*text);
  } catch (const ModbusAddressError& e) {
    t.fail(key, e.what());
  }
}

PointConfig read_point(TomlTable& t, int default_unit, const std::string& base_dir) {
  PointConfig p;
  p.where = t.where();
  p.name = t.required_string("name");
  if (p.name.empty()) t.fail("name", "'name' must not be empty");
  std::optional<int> address_unit;
  bool type_fixed = false;
  if (t.has("address")) {
    if (t.has("table") || t.has("offset"))
      t.fail("address", "give either 'address' (Flexy style, e.g. \"40001F\") or 'table' + 'offset', not both");
    const auto a = read_address(t, "address");
    if (a.ip) t.fail("address", "the PLC serves every unit on its own port: drop the ',<ip>' part");
    p.table = a.table;
    p.offset = a.offset;
    p.type = a.type;
    p.word_order = a.word_order;
    address_unit = a.unit;
    type_fixed = a.type_given || is_bit_table(a.table);
  } else {
    if (!t.has("table"))
      t.fail("missing 'address' (e.g. \"40001F\") or 'table' + 'offset' for this point");
    p.table = table_from(t.choice("table", kTableNames, "holding_register"));
    p.offset = static_cast<std::uint16_t>(t.required_integer("offset", 0, 65535));
    p.type = is_bit_table(p.table) ? DataType::boolean : DataType::uint16;
  }
  if (t.has("type")) {
    if (type_fixed && !(is_bit_table(p.table) && t.string("type") == "bool"))
      t.fail("type", "the type is already given by the address (suffix letter, or a bit table)");
    const auto type = t.choice("type", kTypeNames, "uint16");
    p.type = static_cast<DataType>(std::find(kTypeNames.begin(), kTypeNames.end(), type) - kTypeNames.begin());
    if (is_bit_table(p.table) != (p.type == DataType::boolean))
      t.fail("type", is_bit_table(p.table) ? "coils and discrete inputs hold 'bool' only"
                                           : "'bool' is for coils and discrete inputs");
  }
  if (t.has("word_order")) {
    if (type_fixed) t.fail("word_order", "the word order is already given by the address suffix");
    p.word_order = t.choice("word_order", {"high-first", "low-first"}, "high-first") == "low-first"
                       ? WordOrder::low_first : WordOrder::high_first;
  }
  if (p.offset + p.count() > 65536) t.fail("a 32-bit value does not fit at the last register");
  const auto unit = t.integer("unit", 0, 255);
  if (unit && address_unit && *unit != *address_unit)
    t.fail("unit", fmt::format("'unit' = {} contradicts the address's unit {}", *unit, *address_unit));
  p.unit = static_cast<int>(unit ? *unit : address_unit.value_or(default_unit));
  p.writable = t.boolean("writable", is_writable_table(p.table));
  if (p.writable && !is_writable_table(p.table))
    t.fail("writable", "input registers and discrete inputs are read-only for Modbus clients");
  p.waveform = read_waveform(t, base_dir);
  t.finish();
  return p;
}

FaultSpec read_fault(TomlTable& t, const PlcConfig& config) {
  FaultSpec f;
  const std::vector<std::string> kinds{"exception", "delay", "no-response", "disconnect", "down"};
  const auto kind = t.choice("kind", kinds, "");
  if (kind.empty()) t.fail("kind", "missing required key 'kind' (expected one of: exception, delay, no-response, disconnect, down)");
  f.kind = static_cast<FaultKind>(std::find(kinds.begin(), kinds.end(), kind) - kinds.begin());
  f.at_s = t.seconds("at", 0, kMaxSeconds).value_or(0);
  f.duration_s = t.seconds("duration", 0, kMaxSeconds);
  if (f.kind == FaultKind::exception) {
    const auto* code = t.node("code");
    if (!code) {
      f.exception_code = 0x06;
    } else if (code->is_integer()) {
      f.exception_code = static_cast<std::uint8_t>(t.integer("code", 1, 255).value());
    } else {
      const auto name = t.string("code").value_or("");
      const auto c = exception_code_by_name(name);
      if (!c)
        t.fail("code", fmt::format("unknown exception code '{}' (expected one of: illegal-function, "
                                   "illegal-address, illegal-value, device-failure, busy, "
                                   "gateway-path, gateway-target-failed, or a number)", name));
      f.exception_code = *c;
    }
  }
  if (f.kind == FaultKind::delay) f.delay_s = required_seconds(t, "delay", 0);
  if (f.kind != FaultKind::down) {
    if (auto unit = t.integer("unit", 0, 255)) f.unit = static_cast<int>(*unit);
    f.points = t.strings("points");
    for (const auto& p : f.points)
      if (!config.find_point(p)) t.fail("points", fmt::format("no point named '{}' in [plc]", p));
    if (t.has("address")) {
      const auto a = read_address(t, "address");
      f.table = a.table;
      f.first = a.offset;
      f.count = static_cast<std::uint32_t>(t.integer("count", register_count(a.type), 1, 65536));
      if (a.unit) {
        if (f.unit && *f.unit != *a.unit) t.fail("unit", "'unit' contradicts the address's unit");
        f.unit = a.unit;
      }
    }
  }
  t.finish();
  return f;
}

}  // namespace

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::exception: return "exception";
    case FaultKind::delay: return "delay";
    case FaultKind::no_response: return "no-response";
    case FaultKind::disconnect: return "disconnect";
    case FaultKind::down: return "down";
  }
  return "?";
}

std::string FaultSpec::describe() const {
  std::string d(to_string(kind));
  if (kind == FaultKind::exception) d += fmt::format(" code 0x{:02X}", exception_code);
  if (kind == FaultKind::delay) d += fmt::format(" {} s", delay_s);
  if (unit) d += fmt::format(" unit {}", *unit);
  if (!points.empty()) d += fmt::format(" points {}", fmt::join(points, ","));
  if (table) {
    ModbusAddress a;
    a.table = *table;
    a.offset = first;
    d += fmt::format(" address {} count {}", format_modbus_address(a), count);
  }
  if (duration_s) d += fmt::format(" for {} s", *duration_s);
  return d;
}

std::optional<std::uint8_t> exception_code_by_name(std::string_view name) {
  if (name == "illegal-function") return 0x01;
  if (name == "illegal-address") return 0x02;
  if (name == "illegal-value") return 0x03;
  if (name == "device-failure") return 0x04;
  if (name == "busy") return 0x06;
  if (name == "gateway-path") return 0x0A;
  if (name == "gateway-target-failed") return 0x0B;
  return std::nullopt;
}

const PointConfig* PlcConfig::find_point(const std::string& name) const {
  for (const auto& p : points)
    if (p.name == name) return &p;
  return nullptr;
}

PlcConfig load_plc_config(TomlTable& t) {
  PlcConfig c;
  c.file = t.file();
  const std::string base_dir = std::filesystem::path(t.file()).parent_path().string();
  c.unknown_unit = t.choice("unknown_unit", {"ignore", "exception"}, "ignore") == "exception"
                       ? UnknownUnitPolicy::exception : UnknownUnitPolicy::ignore;
  c.unmapped = t.choice("unmapped", {"illegal-address", "zero"}, "illegal-address") == "zero"
                   ? UnmappedPolicy::zero : UnmappedPolicy::illegal_address;
  c.update_interval_s = t.seconds("update_interval", 0.001, 60).value_or(0.1);
  if (auto bind = t.string("bind")) {
    if (!is_ip_address(*bind))
      t.fail("bind", fmt::format("'{}' is not a numeric IP address (e.g. 127.0.0.1, 0.0.0.0)", *bind));
    c.bind = *bind;
  }
  if (auto port = t.integer("port", 0, 65535)) c.port = static_cast<std::uint16_t>(*port);
  const int default_unit = static_cast<int>(t.integer("default_unit", 1, 0, 255));
  std::set<int> units;
  for (double u : t.numbers("units")) {
    if (u != std::floor(u) || u < 0 || u > 255) t.fail("units", "'units' holds unit ids 0–255");
    units.insert(static_cast<int>(u));
  }
  for (auto& pt : t.tables("point")) {
    auto p = read_point(pt, default_unit, base_dir);
    if (c.find_point(p.name))
      throw ConfigError(pt.where("name"), fmt::format("duplicate point name '{}'", p.name));
    for (const auto& other : c.points) {
      const bool overlap = other.unit == p.unit && other.table == p.table &&
                           p.offset < other.offset + other.count() && other.offset < p.offset + p.count();
      if (overlap)
        throw ConfigError(pt.where(), fmt::format("point '{}' overlaps point '{}' (unit {}, {} {})",
                                                  p.name, other.name, p.unit, to_string(p.table), other.offset));
    }
    units.insert(p.unit);
    c.points.push_back(std::move(p));
  }
  if (units.empty()) units.insert(default_unit);
  c.units.assign(units.begin(), units.end());
  for (auto& ft : t.tables("fault")) c.faults.push_back(read_fault(ft, c));
  t.finish();
  return c;
}

PlcConfig load_plc_config_file(const std::string& path) {
  const auto doc = parse_toml_file(path);
  TomlTable root(doc, path);
  auto plc = root.table("plc");
  if (!plc) throw ConfigError({path, 0, 0}, "no [plc] table in this file (see docs/scenario-plc.md)");
  return load_plc_config(*plc);
}

PlcConfig load_plc_config_string(std::string_view text, const std::string& file) {
  const auto doc = parse_toml_string(text, file);
  TomlTable root(doc, file);
  auto plc = root.table("plc");
  if (!plc) throw ConfigError({file, 0, 0}, "no [plc] table in this text");
  return load_plc_config(*plc);
}

}  // namespace flexhil::plc
