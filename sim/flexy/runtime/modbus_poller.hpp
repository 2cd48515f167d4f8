#pragma once
// The Flexy's Modbus TCP IO server: one thread per configured topic (A/B/C) polls its tags at
// the topic's rate on the injected clock (so a scaled clock polls faster in real time), reading
// adjacent registers of one slave in one request. Results go to a sink as raw readings; the
// FlexyDevice applies them to the tag database on its BASIC thread (Coef/Offset, quality,
// ONCHANGE). A lost PLC is reconnected on the next poll. SETIO writes are queued to the topic's
// thread and sent before its next poll.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"
#include "sim/flexy/runtime/tag_database.hpp"

namespace flexhil {
class SelectRangeReserve;
}

namespace flexhil::flexy {

struct PollReading {
  int tag = 0;                 // index in the tag database
  std::optional<double> raw;   // nullopt = the read failed
};

// What one poll of one slave produced.
struct PollResult {
  char topic = 'A';
  std::string slave;           // "127.0.0.1:502/1"
  SlaveStatus status = SlaveStatus::not_initialised;
  std::string error;           // why the slave is NOT OK
  std::vector<PollReading> readings;
};

// One Modbus request covering adjacent items of one slave and table (pure planning, testable).
struct ReadGroup {
  std::string ip;
  int port = 502;
  int unit = 1;
  plc::ModbusTable table = plc::ModbusTable::holding_register;
  int start = 0;   // protocol address
  int count = 0;   // registers or bits
  std::vector<int> tags;
};
// Groups the polled tags of `topic` into requests: same slave and table, adjacent or
// overlapping addresses, at most 125 registers / 2000 bits per request.
std::vector<ReadGroup> plan_reads(const FlexyConfig& config, char topic);
// Decodes a tag's value from the registers (or bits) read for its group.
double decode_value(const plc::ModbusAddress& address, const std::uint16_t* words);
// Encodes a raw value into registers for a write (1 or 2 words).
std::vector<std::uint16_t> encode_value(const plc::ModbusAddress& address, double raw);

class ModbusPoller {
 public:
  using Sink = std::function<void(PollResult)>;
  using Log = std::function<void(const std::string& message, int level)>;
  // `select_fds`: where the libmodbus sockets get their numbers (below FD_SETSIZE: libmodbus
  // select()s them); null = moved into that range when a number is free.
  ModbusPoller(const FlexyConfig& config, const Clock& clock, Sink sink, Log log,
               std::shared_ptr<SelectRangeReserve> select_fds = nullptr);
  ~ModbusPoller();  // stops
  ModbusPoller(const ModbusPoller&) = delete;
  ModbusPoller& operator=(const ModbusPoller&) = delete;

  void start();
  void stop();
  // Queues a write of `raw` to the tag's Modbus address (coil or holding register).
  void write(int tag, double raw);

 private:
  struct Topic;
  void run(Topic& topic);
  const FlexyConfig& config_;
  const Clock& clock_;
  Sink sink_;
  Log log_;
  std::shared_ptr<SelectRangeReserve> select_fds_;
  std::vector<std::unique_ptr<Topic>> topics_;
};

}  // namespace flexhil::flexy
