#pragma once
// The simulated PLC on the network: a Modbus TCP server (libmodbus builds the replies) serving
// the four tables of several unit ids on one port to many clients from one poll() event loop
// on its own thread. Waveforms run on the injected Clock (a ScaledClock runs them N× faster);
// faults come from the scenario schedule or from inject_fault(); every value change and fault
// edge goes to the EventSink and into the queryable history.
//
//   flexhil::plc::PlcServer plc(flexhil::plc::load_plc_config_file("s.toml"), clock, &sink);
//   plc.start("127.0.0.1", 0);            // port 0 = ephemeral; plc.port() tells which
//   auto v = plc.value_at("Temperature", 12.5);
//   auto id = plc.inject_fault({.kind = flexhil::plc::FaultKind::down});
//   plc.end_fault(id);                    // listener back on the same port
//   plc.stop();                           // also done by the destructor
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/event.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_model.hpp"

namespace flexhil::plc {

struct PlcCounters {
  std::uint64_t connections = 0;        // accepted
  std::uint64_t requests = 0;           // complete frames received
  std::uint64_t replies = 0;            // normal replies
  std::uint64_t exceptions = 0;         // exception replies (any cause)
  std::uint64_t unanswered = 0;         // unknown unit (ignore), no-response fault
  std::uint64_t malformed = 0;          // frames that closed the connection or got 01/03
  std::uint64_t writes = 0;             // write requests served
  std::uint64_t dropped_connections = 0;  // closed by us (faults, malformed, send failure)
};

using FaultId = std::uint64_t;

class PlcServer {
 public:
  // One line per request/connection/fault, for `flexhil plc` (called on the server thread).
  using Log = std::function<void(const std::string&)>;

  // `scenario_origin`: the clock's steady() at scenario time 0 (default: now).
  PlcServer(PlcConfig config, const Clock& clock, EventSink* events = nullptr,
            std::optional<Clock::Nanos> scenario_origin = std::nullopt);
  ~PlcServer();
  PlcServer(const PlcServer&) = delete;
  PlcServer& operator=(const PlcServer&) = delete;

  void set_log(Log log);  // before start()
  // Binds and starts serving; throws InfrastructureError when the address cannot be bound.
  void start(const std::string& bind = "127.0.0.1", std::uint16_t port = 0);
  std::uint16_t port() const;
  void stop();  // closes every connection and the listener; idempotent
  // Set when the server thread ended on an error (a `plc_error` event was emitted then).
  std::optional<std::string> failure() const;

  double scenario_seconds() const;

  // Starts `spec` now (spec.at_s is ignored) for spec.duration_s, or until end_fault().
  FaultId inject_fault(FaultSpec spec);
  void end_fault(FaultId id);
  bool is_down() const;  // a `down` fault is active

  std::optional<double> value(const std::string& point) const;
  bool set_value(const std::string& point, double value);  // cause "api"
  std::optional<double> value_at(const std::string& point, double scenario_s) const;
  std::vector<PlcChange> changes() const;
  std::vector<FaultRecord> fault_records() const;
  PlcCounters counters() const;
  std::size_t client_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flexhil::plc
