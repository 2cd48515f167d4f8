#pragma once
// The PLC's state without any socket: one RegisterMap per unit id, the points with their
// waveforms, the value history, and the checks a request must pass. The server owns one model
// and calls it under its lock; tests drive it directly with scenario times.
//
// Waveforms drive a point on their own steps: when the waveform's value changes, the point takes
// it. A client write (or set_value) holds until the waveform's next change, so a setpoint
// written to a constant point stays.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/event.hpp"
#include "sim/plc/modbus_frame.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/register_map.hpp"
#include "sim/plc/value_history.hpp"

namespace flexhil::plc {

struct FaultRecord {
  double scenario_s = 0;
  std::optional<int> unit;
  std::string fault;   // FaultKind name
  std::string state;   // "start", "end"
  std::string detail;
};

class PlcModel {
 public:
  explicit PlcModel(PlcConfig config);

  const PlcConfig& config() const noexcept { return config_; }
  bool serves_unit(int unit) const;
  RegisterMap* unit_map(int unit);  // nullptr for units not served

  // Evaluates every waveform at scenario time t and records what changed. The first call
  // records every point's initial value (cause "initial").
  void advance(double t);
  // 0 when the request may be served; 0x02 when it touches undeclared addresses (unmapped =
  // illegal-address) or writes a read-only point.
  std::uint8_t access_exception(int unit, const RequestCheck& request) const;
  // After libmodbus applied a write: records the points whose value changed ("client-write").
  void after_write(int unit, const RequestCheck& request, double t);
  // Sets a point from the API (cause "api"); false when there is no such point.
  bool set_value(const std::string& point, double value, double t);
  std::optional<double> value(const std::string& point) const;

  bool fault_applies(const FaultSpec& fault, const RequestCheck& request) const;
  void record_fault(const FaultSpec& fault, bool start, double t);

  // The plc_change / plc_fault events produced since the last call, oldest first. The server
  // delivers them to its EventSink outside its lock, so a sink listener may call back into it.
  std::vector<Json> take_events() { return std::exchange(outbox_, {}); }
  bool has_events() const noexcept { return !outbox_.empty(); }

  const ValueHistory& history() const noexcept { return history_; }
  const std::vector<FaultRecord>& faults() const noexcept { return fault_log_; }

 private:
  struct PointState {
    const PointConfig* config;
    Waveform wave;
    RegisterMap* map;
    double value = 0;
    std::optional<double> wave_value;  // the waveform's last value (edge detection)
  };
  void record_change(PointState& p, std::optional<double> old_value, double t, const char* cause);

  PlcConfig config_;
  std::vector<Json> outbox_;
  std::map<int, std::unique_ptr<RegisterMap>> units_;
  std::vector<PointState> points_;
  ValueHistory history_;
  std::vector<FaultRecord> fault_log_;
  bool started_ = false;
};

}  // namespace flexhil::plc
