#pragma once
// The `[plc]` section of a scenario (docs/scenario-plc.md): units, points with their address,
// type and waveform, and scheduled faults. Loaded strictly through TomlTable, so every mistake
// is a ConfigError with file:line:col and the valid choices.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "sim/plc/modbus_address.hpp"
#include "sim/plc/waveform.hpp"

namespace flexhil::plc {

enum class UnknownUnitPolicy { ignore, exception };      // exception = 0x0B
enum class UnmappedPolicy { illegal_address, zero };     // undeclared addresses

struct PointConfig {
  std::string name;
  int unit = 1;
  ModbusTable table = ModbusTable::holding_register;
  std::uint16_t offset = 0;
  DataType type = DataType::uint16;
  WordOrder word_order = WordOrder::high_first;
  bool writable = true;  // only meaningful for coils and holding registers
  WaveformSpec waveform = ConstantWave{};
  SourcePosition where;
  int count() const { return register_count(type); }
};

enum class FaultKind { exception, delay, no_response, disconnect, down };
std::string_view to_string(FaultKind kind);  // "exception", "delay", "no-response", ...

struct FaultSpec {
  FaultKind kind = FaultKind::exception;
  double at_s = 0;                     // scenario time the fault starts (scheduled faults)
  std::optional<double> duration_s;    // absent = until the end (or until ended via the API)
  std::uint8_t exception_code = 0x06;  // kind = exception
  double delay_s = 0;                  // kind = delay
  // Scope (exception, delay, no-response, disconnect): all requests when nothing is given.
  std::optional<int> unit;
  std::vector<std::string> points;     // requests touching any of these points
  std::optional<ModbusTable> table;    // with `first`/`count`: an address range
  std::uint16_t first = 0;
  std::uint32_t count = 0;
  std::string describe() const;        // one line for events and logs
};

struct PlcConfig {
  std::string file;                    // where it came from (for messages)
  std::vector<int> units;              // served unit ids (declared + those of points), sorted
  UnknownUnitPolicy unknown_unit = UnknownUnitPolicy::ignore;
  UnmappedPolicy unmapped = UnmappedPolicy::illegal_address;
  double update_interval_s = 0.1;      // scenario seconds between waveform evaluations
  std::vector<PointConfig> points;
  std::vector<FaultSpec> faults;
  // Where the server listens, when the scenario says (a bench: "0.0.0.0" and 502, the port a
  // Flexy's Modbus IO server dials by default); unset, the caller's default applies (`flexhil run`:
  // 127.0.0.1 and an ephemeral port; `flexhil plc`: its --bind/--port defaults).
  std::optional<std::string> bind;
  std::optional<std::uint16_t> port;
  const PointConfig* find_point(const std::string& name) const;
};

// Reads a `[plc]` table (already located by the caller, e.g. the harness's scenario loader).
// Relative CSV paths are resolved against the directory of plc_table.file(). Calls finish().
PlcConfig load_plc_config(TomlTable& plc_table);
// Reads the `[plc]` table of a scenario file; other top-level tables are ignored.
PlcConfig load_plc_config_file(const std::string& path);
// Same, from text (tests); `file` names it in errors and anchors relative CSV paths.
PlcConfig load_plc_config_string(std::string_view text, const std::string& file);

// Exception codes by name: illegal-function 1, illegal-address 2, illegal-value 3,
// device-failure 4, busy 6, gateway-path 0x0A, gateway-target-failed 0x0B.
std::optional<std::uint8_t> exception_code_by_name(std::string_view name);

}  // namespace flexhil::plc
