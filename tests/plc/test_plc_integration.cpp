#define BOOST_TEST_MODULE test_plc_integration
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <modbus.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/clock.hpp"
#include "common/event.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil;
using namespace flexhil::plc;
using namespace std::chrono_literals;
namespace tt = boost::test_tools;

namespace {

// A libmodbus TCP client (the "real master" of these tests).
class Client {
 public:
  Client(std::uint16_t port, int unit = 1, double timeout_s = 1.0) : ctx_(modbus_new_tcp("127.0.0.1", port)) {
    BOOST_REQUIRE(ctx_);
    modbus_set_slave(ctx_, unit);
    const auto sec = static_cast<std::uint32_t>(timeout_s);
    modbus_set_response_timeout(ctx_, sec, static_cast<std::uint32_t>((timeout_s - sec) * 1e6));
    connected_ = modbus_connect(ctx_) == 0;
  }
  ~Client() {
    modbus_close(ctx_);
    modbus_free(ctx_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  bool connected() const { return connected_; }
  modbus_t* get() { return ctx_; }
  // Registers, or the errno of the failure.
  std::vector<std::uint16_t> holding(int addr, int n, int* err = nullptr) { return regs(addr, n, false, err); }
  std::vector<std::uint16_t> input(int addr, int n, int* err = nullptr) { return regs(addr, n, true, err); }
  int holding_error(int addr, int n) {
    int err = 0;
    holding(addr, n, &err);
    return err;
  }

 private:
  std::vector<std::uint16_t> regs(int addr, int n, bool input_table, int* err) {
    std::vector<std::uint16_t> out(static_cast<std::size_t>(n));
    const int rc = input_table ? modbus_read_input_registers(ctx_, addr, n, out.data())
                               : modbus_read_registers(ctx_, addr, n, out.data());
    if (err) *err = rc == n ? 0 : errno;
    if (rc != n) out.clear();
    return out;
  }
  modbus_t* ctx_;
  bool connected_ = false;
};

std::int32_t join(std::uint16_t hi, std::uint16_t lo) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

const char* kTypesScenario = R"(
[plc]
[[plc.point]]
name = "FloatHi"
address = "40001F"
value = 21.5
[[plc.point]]
name = "FloatLo"
address = "40003H"
value = -3.25
[[plc.point]]
name = "Int32Hi"
address = "40005L"
value = -123456
[[plc.point]]
name = "Int32Lo"
address = "40007M"
value = 654321
[[plc.point]]
name = "Uint32Hi"
address = "40009D"
value = 3000000000
[[plc.point]]
name = "Uint32Lo"
address = "40011E"
value = 70000
[[plc.point]]
name = "Int16"
address = "40013I"
value = -5
[[plc.point]]
name = "Uint16"
address = "40014W"
value = 65000
[[plc.point]]
name = "InFloat"
address = "30001F"
value = 1.5
[[plc.point]]
name = "InInt16"
address = "30003I"
value = -7
[[plc.point]]
name = "Motor"
address = "1"
value = 1
[[plc.point]]
name = "Door"
address = "10002"
value = 1
[[plc.point]]
name = "Other"
address = "40001,2"
value = 77
)";

struct Plc {
  explicit Plc(const std::string& text, const Clock& clock, EventSink* sink = nullptr)
      : server(load_plc_config_string(text, "test.toml"), clock, sink) {
    server.start("127.0.0.1", 0);
    BOOST_REQUIRE(server.port() != 0);
  }
  PlcServer server;
};

// Raw TCP to the server, for malformed frames.
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~RawSocket() { ::close(fd_); }
  int fd() const { return fd_; }
  void send(const std::vector<std::uint8_t>& bytes) {
    BOOST_REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }
  // Bytes received within `timeout`; closed = the peer closed the connection.
  std::vector<std::uint8_t> receive(std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::vector<std::uint8_t> out;
    pollfd p{fd_, POLLIN, 0};
    if (closed) *closed = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (::poll(&p, 1, static_cast<int>(left.count()) + 1) <= 0) break;
      std::uint8_t buf[512];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      out.insert(out.end(), buf, buf + n);
      if (out.size() >= 9) break;
    }
    return out;
  }

 private:
  int fd_;
};

std::vector<std::uint8_t> adu(std::vector<std::uint8_t> pdu, std::uint8_t unit = 1, std::uint16_t proto = 0,
                              int length_override = -1) {
  const auto len = static_cast<std::uint16_t>(length_override >= 0 ? length_override : static_cast<int>(pdu.size() + 1));
  std::vector<std::uint8_t> f{0x12, 0x34, static_cast<std::uint8_t>(proto >> 8), static_cast<std::uint8_t>(proto),
                              static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), unit};
  for (auto b : pdu) f.push_back(b);
  return f;
}

// Events reach the sink from the server thread just after the reply that caused them.
std::size_t count_events(const MemorySink& sink, const std::string& kind, const std::string& key = "",
                         const std::string& value = "") {
  std::size_t n = 0;
  for (const auto& e : sink.events())
    if (e["kind"] == kind && (key.empty() || (e.contains(key) && e[key] == value))) ++n;
  return n;
}

// Runs mbpoll once against the server and returns the values it printed ("[1]: \t21.5").
std::vector<std::string> mbpoll(const testing::TempDir& dir, std::uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv{"mbpoll", "-m", "tcp", "-p", std::to_string(port), "-1", "-o", "1"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("127.0.0.1");
  static int n = 0;
  const auto out = dir.file("mbpoll" + std::to_string(++n) + ".txt");
  auto child = ChildProcess::spawn({argv, out, out, std::nullopt, {}, ""});
  const auto rc = child.wait_for(10s);
  BOOST_REQUIRE_MESSAGE(rc.has_value(), "mbpoll did not finish");
  const auto text = read_text(out);
  BOOST_TEST_MESSAGE("mbpoll output:\n" << text);
  std::vector<std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > 3 && line[0] == '[' && line.find("]:") != std::string::npos) {
      auto v = line.substr(line.find("]:") + 2);
      v.erase(0, v.find_first_not_of(" \t"));
      values.push_back(v);
    }
  }
  return values;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(data_types)

BOOST_AUTO_TEST_CASE(every_type_and_word_order_reads_back_with_libmodbus) {
  ManualClock clock;
  Plc plc(kTypesScenario, clock);
  Client c(plc.server.port());
  BOOST_REQUIRE(c.connected());
  const auto r = c.holding(0, 14);
  BOOST_REQUIRE(r.size() == 14u);
  BOOST_TEST(modbus_get_float_abcd(&r[0]) == 21.5f);   // high word first, big-endian bytes
  BOOST_TEST(modbus_get_float_cdab(&r[2]) == -3.25f);  // words swapped
  BOOST_TEST(join(r[4], r[5]) == -123456);
  BOOST_TEST(join(r[7], r[6]) == 654321);
  BOOST_TEST(static_cast<std::uint32_t>(join(r[8], r[9])) == 3000000000u);
  BOOST_TEST(static_cast<std::uint32_t>(join(r[11], r[10])) == 70000u);
  BOOST_TEST(static_cast<std::int16_t>(r[12]) == -5);
  BOOST_TEST(r[13] == 65000);
  const auto in = c.input(0, 3);
  BOOST_REQUIRE(in.size() == 3u);
  BOOST_TEST(modbus_get_float_abcd(&in[0]) == 1.5f);
  BOOST_TEST(static_cast<std::int16_t>(in[2]) == -7);
  std::uint8_t bits[2] = {9, 9};
  BOOST_TEST(modbus_read_bits(c.get(), 0, 1, bits) == 1);
  BOOST_TEST(bits[0] == 1);
  BOOST_TEST(modbus_read_input_bits(c.get(), 1, 1, bits) == 1);
  BOOST_TEST(bits[0] == 1);
  // 10001 is not declared: a range touching it is an illegal address.
  BOOST_TEST(modbus_read_input_bits(c.get(), 0, 2, bits) == -1);
  BOOST_TEST(errno == EMBXILADD);
}

BOOST_AUTO_TEST_CASE(every_type_and_word_order_reads_back_with_mbpoll) {
  ManualClock clock;
  Plc plc(kTypesScenario, clock);
  testing::TempDir dir;
  const auto port = plc.server.port();
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:float", "-B", "-r", "1", "-c", "1"}) == std::vector<std::string>{"21.5"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:float", "-r", "3", "-c", "1"}) == std::vector<std::string>{"-3.25"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:int", "-B", "-r", "5", "-c", "1"}) == std::vector<std::string>{"-123456"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:int", "-r", "7", "-c", "1"}) == std::vector<std::string>{"654321"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:int", "-r", "11", "-c", "1"}) == std::vector<std::string>{"70000"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:hex", "-r", "9", "-c", "2"}) == (std::vector<std::string>{"0xB2D0", "0x5E00"}), tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "4", "-r", "13", "-c", "2"}) == (std::vector<std::string>{"65531 (-5)", "65000 (-536)"}), tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "3:float", "-B", "-r", "1", "-c", "1"}) == std::vector<std::string>{"1.5"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "0", "-r", "1", "-c", "1"}) == std::vector<std::string>{"1"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-t", "1", "-r", "2", "-c", "1"}) == std::vector<std::string>{"1"}, tt::per_element());
  BOOST_TEST(mbpoll(dir, port, {"-a", "2", "-t", "4", "-r", "1", "-c", "1"}) == std::vector<std::string>{"77"}, tt::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(values_over_time)

BOOST_AUTO_TEST_CASE(waveforms_follow_the_injected_clock_and_history_answers_value_at) {
  ManualClock clock;
  MemorySink sink;
  Plc plc(R"(
[plc]
update_interval = "100ms"
[[plc.point]]
name = "Level"
address = "40001"
waveform = "steps"
steps = [[0, 10], [5, 20], [10, 30]]
[[plc.point]]
name = "Count"
address = "30001D"
waveform = "counter"
interval = "1s"
increment = 2
)", clock, &sink);
  Client c(plc.server.port());
  BOOST_TEST(c.holding(0, 1) == std::vector<std::uint16_t>{10}, tt::per_element());
  clock.advance(5500ms);
  BOOST_TEST(wait_until([&] { return c.holding(0, 1) == std::vector<std::uint16_t>{20}; }, 3s));
  BOOST_TEST(wait_until([&] { return c.input(0, 2) == std::vector<std::uint16_t>{0, 10}; }, 3s));
  clock.advance(5s);
  BOOST_TEST(wait_until([&] { return c.holding(0, 1) == std::vector<std::uint16_t>{30}; }, 3s));
  BOOST_TEST(plc.server.value_at("Level", 4.9).value() == 10);
  BOOST_TEST(plc.server.value_at("Level", 6).value() == 20);
  BOOST_TEST(plc.server.value_at("Level", 11).value() == 30);
  BOOST_TEST(wait_until([&] { return count_events(sink, "plc_change", "point", "Level") == 3; }, 3s));
  bool saw_step = false;
  for (const auto& e : sink.events())
    if (e["kind"] == "plc_change" && e["point"] == "Level" && e["old"] == 10.0 && e["new"] == 20.0) {
      saw_step = true;
      BOOST_TEST(e["cause"] == "waveform");
      BOOST_TEST(e["scenario_s"].get<double>() == 5.5);
      BOOST_TEST(e.contains("seq"));
    }
  BOOST_TEST(saw_step);
}

BOOST_AUTO_TEST_CASE(scaled_clock_runs_waveforms_faster) {
  ScaledClock clock(50.0);  // 10 scenario seconds in 0.2 real seconds
  Plc plc("[plc]\n[[plc.point]]\nname = \"Count\"\naddress = \"40001\"\nwaveform = \"counter\"\ninterval = \"1s\"\n", clock);
  Client c(plc.server.port());
  BOOST_TEST(wait_until([&] { auto r = c.holding(0, 1); return !r.empty() && r[0] >= 10; }, 2s));
}

// A sink whose listener asks the server about the value it was just told about — what a live
// rule in the harness may do. Must not deadlock.
class CallingBackSink final : public EventSink {
 public:
  void emit(Json e) override {
    if (server && e["kind"] == "plc_change") {
      const auto now = server->value(e["point"].get<std::string>());
      if (now) ++answered;
      if (e["cause"] == "waveform" && !poked) {
        poked = true;
        server->set_value("Other", 5);  // re-entrant: produces an event while one is delivered
      }
    }
    inner.emit(std::move(e));
  }
  PlcServer* server = nullptr;
  std::atomic<int> answered{0};
  bool poked = false;
  MemorySink inner;
};

BOOST_AUTO_TEST_CASE(sink_listener_may_call_back_into_the_server) {
  ManualClock clock;
  CallingBackSink sink;
  PlcServer server(load_plc_config_string("[plc]\n[[plc.point]]\nname = \"Level\"\naddress = \"40001\"\n"
                                          "waveform = \"counter\"\n[[plc.point]]\nname = \"Other\"\naddress = \"40002\"\n",
                                          "test.toml"),
                   clock, &sink);
  sink.server = &server;
  server.start("127.0.0.1", 0);
  clock.advance(3s);
  BOOST_TEST(wait_until([&] { return count_events(sink.inner, "plc_change", "cause", "api") == 1; }, 3s));
  const auto events = sink.inner.events();
  BOOST_TEST(events.size() == 4u);  // 2 initial, the counter's step, the api write
  BOOST_TEST(events.back()["point"] == "Other");
  BOOST_TEST(sink.answered.load() == 4);
  server.stop();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(writes)

BOOST_AUTO_TEST_CASE(client_writes_are_applied_and_recorded) {
  ManualClock clock;
  MemorySink sink;
  Plc plc(R"(
[plc]
[[plc.point]]
name = "Setpoint"
address = "40001F"
value = 20
[[plc.point]]
name = "Mode"
address = "40003"
[[plc.point]]
name = "Locked"
address = "40004"
writable = false
value = 5
[[plc.point]]
name = "Pump"
address = "1"
)", clock, &sink);
  Client c(plc.server.port());
  clock.advance(2s);
  const std::uint16_t f[2] = {0x41B4, 0x0000};  // 22.5f, high word first
  BOOST_TEST(modbus_write_registers(c.get(), 0, 2, f) == 2);
  BOOST_TEST(modbus_write_register(c.get(), 2, 3) == 1);
  BOOST_TEST(modbus_write_bit(c.get(), 0, 1) == 1);
  BOOST_TEST(modbus_write_register(c.get(), 3, 9) == -1);
  BOOST_TEST(errno == EMBXILADD);
  BOOST_TEST(plc.server.value("Setpoint").value() == 22.5);
  BOOST_TEST(plc.server.value("Mode").value() == 3);
  BOOST_TEST(plc.server.value("Pump").value() == 1);
  BOOST_TEST(plc.server.value("Locked").value() == 5);
  const auto back = c.holding(0, 4);
  BOOST_REQUIRE(back.size() == 4u);
  BOOST_TEST(modbus_get_float_abcd(&back[0]) == 22.5f);
  BOOST_TEST(back[3] == 5);
  BOOST_TEST(wait_until([&] { return count_events(sink, "plc_change", "cause", "client-write") == 3; }, 3s));
  int writes = 0;
  for (const auto& e : sink.events()) {
    if (e["kind"] != "plc_change" || e["cause"] != "client-write") continue;
    ++writes;
    BOOST_TEST(e["scenario_s"].get<double>() == 2.0);
    if (e["point"] == "Setpoint") {
      BOOST_TEST(e["old"] == 20.0);
      BOOST_TEST(e["new"] == 22.5);
    }
  }
  BOOST_TEST(writes == 3);
  BOOST_TEST(plc.server.value_at("Setpoint", 1.0).value() == 20.0);
  BOOST_TEST(plc.server.value_at("Setpoint", 2.0).value() == 22.5);
  BOOST_TEST(plc.server.counters().writes == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

const char* kFaultScenario = R"(
[plc]
[[plc.point]]
name = "A"
address = "40001"
value = 1
[[plc.point]]
name = "B"
address = "40002"
value = 2
[[plc.fault]]
kind = "exception"
code = "busy"
at = "5s"
duration = "5s"
points = ["A"]
)";

BOOST_AUTO_TEST_CASE(scheduled_exception_fault_starts_and_ends_on_scenario_time) {
  ManualClock clock;
  MemorySink sink;
  Plc plc(kFaultScenario, clock, &sink);
  Client c(plc.server.port());
  BOOST_TEST(c.holding_error(0, 1) == 0);
  clock.advance(5s);
  BOOST_TEST(wait_until([&] { return c.holding_error(0, 1) == EMBXSBUSY; }, 3s));
  BOOST_TEST(c.holding_error(1, 1) == 0);  // B is not in the fault's scope
  clock.advance(5s);
  BOOST_TEST(wait_until([&] { return c.holding_error(0, 1) == 0; }, 3s));
  const auto records = plc.server.fault_records();
  BOOST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].state == "start");
  BOOST_TEST(records[0].scenario_s == 5.0);
  BOOST_TEST(records[1].state == "end");
  BOOST_TEST(records[1].scenario_s == 10.0);
  BOOST_TEST(wait_until([&] { return count_events(sink, "plc_fault") == 2; }, 3s));
  int fault_events = 0;
  for (const auto& e : sink.events())
    if (e["kind"] == "plc_fault") {
      ++fault_events;
      BOOST_TEST(e["fault"] == "exception");
      BOOST_TEST(e["detail"].get<std::string>().find("0x06") != std::string::npos);
    }
  BOOST_TEST(fault_events == 2);
}

BOOST_AUTO_TEST_CASE(api_exception_faults_illegal_address_and_gateway_target) {
  SystemClock clock;
  Plc plc(faults::kFaultScenario, clock);
  Client c(plc.server.port());
  FaultSpec f;
  f.kind = FaultKind::exception;
  f.exception_code = 0x02;
  f.table = ModbusTable::holding_register;
  f.first = 1;
  f.count = 1;
  auto id = plc.server.inject_fault(f);
  BOOST_TEST(c.holding_error(1, 1) == EMBXILADD);
  BOOST_TEST(c.holding_error(0, 1) == 0);
  plc.server.end_fault(id);
  BOOST_TEST(c.holding_error(1, 1) == 0);
  f = FaultSpec{};
  f.kind = FaultKind::exception;
  f.exception_code = 0x0B;
  id = plc.server.inject_fault(f);
  BOOST_TEST(c.holding_error(0, 2) == EMBXGTAR);
  plc.server.end_fault(id);
  BOOST_TEST(c.holding_error(0, 2) == 0);
}

BOOST_AUTO_TEST_CASE(delay_fault_delays_replies_without_blocking_other_clients) {
  SystemClock clock;
  Plc plc(faults::kFaultScenario, clock);
  Client slow(plc.server.port(), 1, 3.0), fast(plc.server.port());
  FaultSpec f;
  f.kind = FaultKind::delay;
  f.delay_s = 0.8;
  f.points = {"A"};
  plc.server.inject_fault(f);
  std::atomic<bool> slow_done{false};
  std::chrono::steady_clock::duration slow_took{};
  std::thread t([&] {
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_CHECK(slow.holding_error(0, 1) == 0);
    slow_took = std::chrono::steady_clock::now() - t0;
    slow_done = true;
  });
  // While A's reply is held back, B answers at once on another connection.
  const auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(fast.holding_error(1, 1) == 0);
  BOOST_TEST((std::chrono::steady_clock::now() - t0) < 600ms);
  t.join();
  BOOST_TEST(slow_done.load());
  BOOST_TEST((slow_took >= 800ms));
}

BOOST_AUTO_TEST_CASE(no_response_fault_makes_the_master_time_out) {
  SystemClock clock;
  Plc plc(faults::kFaultScenario, clock);
  Client c(plc.server.port(), 1, 0.3);
  FaultSpec f;
  f.kind = FaultKind::no_response;
  const auto id = plc.server.inject_fault(f);
  BOOST_TEST(c.holding_error(0, 1) == ETIMEDOUT);
  plc.server.end_fault(id);
  BOOST_TEST(c.holding_error(0, 1) == 0);
  BOOST_TEST(plc.server.counters().unanswered == 1u);
}

BOOST_AUTO_TEST_CASE(disconnect_fault_drops_connections) {
  SystemClock clock;
  Plc plc(faults::kFaultScenario, clock);
  Client c(plc.server.port(), 1, 0.5);
  BOOST_TEST(c.holding_error(0, 1) == 0);
  BOOST_TEST(wait_until([&] { return plc.server.client_count() == 1; }, 2s));
  FaultSpec f;
  f.kind = FaultKind::disconnect;
  f.duration_s = 0;  // a one-shot cut
  plc.server.inject_fault(f);
  BOOST_TEST(plc.server.client_count() == 0u);
  BOOST_TEST(c.holding_error(0, 1) != 0);
  Client again(plc.server.port());
  BOOST_TEST(again.holding_error(0, 1) == 0);
}

BOOST_AUTO_TEST_CASE(plc_down_closes_the_listener_and_comes_back_on_the_same_port) {
  SystemClock clock;
  MemorySink sink;
  Plc plc(kFaultScenario, clock, &sink);
  const auto port = plc.server.port();
  Client before(port, 1, 0.5);
  BOOST_TEST(before.holding_error(0, 1) == 0);
  FaultSpec f;
  f.kind = FaultKind::down;
  const auto id = plc.server.inject_fault(f);
  BOOST_TEST(plc.server.is_down());
  BOOST_TEST(before.holding_error(0, 1) != 0);
  Client during(port);
  BOOST_TEST(!during.connected());
  plc.server.end_fault(id);
  BOOST_TEST(wait_for_tcp_port("127.0.0.1", port, 3s));
  Client after(port);
  BOOST_TEST(after.holding_error(0, 1) == 0);
  BOOST_TEST(wait_until([&] { return count_events(sink, "plc_fault", "fault", "down") == 2; }, 3s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(units)

BOOST_AUTO_TEST_CASE(unknown_unit_is_ignored_or_answered_with_0x0b_by_configuration) {
  SystemClock clock;
  Plc ignoring("[plc]\n[[plc.point]]\nname = \"A\"\naddress = \"40001\"\n", clock);
  Client c(ignoring.server.port(), 9, 0.3);
  BOOST_TEST(c.holding_error(0, 1) == ETIMEDOUT);
  Plc answering("[plc]\nunknown_unit = \"exception\"\n[[plc.point]]\nname = \"A\"\naddress = \"40001,4\"\n", clock);
  Client d(answering.server.port(), 9);
  BOOST_TEST(d.holding_error(0, 1) == EMBXGTAR);
  Client e(answering.server.port(), 4);
  BOOST_TEST(e.holding_error(0, 1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(several_clients_at_once_all_get_right_answers) {
  SystemClock clock;
  Plc plc(kTypesScenario, clock);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      Client c(plc.server.port(), i % 2 == 0 ? 1 : 2);
      for (int n = 0; n < 200; ++n) {
        const auto r = c.holding(0, 1);
        if (r.size() == 1 && r[0] == (i % 2 == 0 ? 0x41AC : 77)) ++good;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(good.load() == 1600);
  BOOST_TEST(plc.server.counters().connections == 8u);
}

BOOST_AUTO_TEST_CASE(malformed_frames_get_an_exception_or_a_closed_connection_never_a_hang) {
  SystemClock clock;
  Plc plc(faults::kFaultScenario, clock);
  const auto port = plc.server.port();
  // A client that sends half a frame and then nothing must not stall the others.
  RawSocket stalled(port);
  stalled.send({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03});
  {
    Client c(port, 1, 0.5);
    BOOST_TEST(c.holding_error(0, 2) == 0);
  }
  {  // unsupported function code -> exception 0x01
    RawSocket s(port);
    s.send(adu({0x2B, 0x0E, 0x01, 0x00}));
    const auto r = s.receive(1s);
    BOOST_REQUIRE(r.size() == 9u);
    BOOST_TEST(r[0] == 0x12);
    BOOST_TEST(r[1] == 0x34);
    BOOST_TEST(r[7] == 0xAB);
    BOOST_TEST(r[8] == 0x01);
  }
  {  // PDU shorter than its function code needs -> exception 0x03
    RawSocket s(port);
    s.send(adu({0x03, 0x00, 0x00}));
    const auto r = s.receive(1s);
    BOOST_REQUIRE(r.size() == 9u);
    BOOST_TEST(r[7] == 0x83);
    BOOST_TEST(r[8] == 0x03);
  }
  {  // bad protocol id -> connection closed
    RawSocket s(port);
    s.send(adu({0x03, 0x00, 0x00, 0x00, 0x01}, 1, 0x0101));
    bool closed = false;
    BOOST_TEST(s.receive(2s, &closed).empty());
    BOOST_TEST(closed);
  }
  {  // MBAP length 0 -> connection closed
    RawSocket s(port);
    s.send(adu({0x03, 0x00, 0x00, 0x00, 0x01}, 1, 0, 0));
    bool closed = false;
    BOOST_TEST(s.receive(2s, &closed).empty());
    BOOST_TEST(closed);
  }
  {  // MBAP length larger than what follows, then the client goes away (truncated)
    RawSocket s(port);
    s.send(adu({0x03, 0x00, 0x00, 0x00, 0x01}, 1, 0, 40));
    bool closed = false;
    BOOST_TEST(s.receive(300ms, &closed).empty());
    BOOST_TEST(!closed);  // waits for the rest of the frame, without blocking anyone
  }
  {  // two requests in one segment are both answered
    RawSocket s(port);
    auto two = adu({0x03, 0x00, 0x00, 0x00, 0x01});
    const auto second = adu({0x03, 0x00, 0x01, 0x00, 0x01});
    two.insert(two.end(), second.begin(), second.end());
    s.send(two);
    auto r = s.receive(1s);
    while (r.size() < 22u) {
      const auto more = s.receive(1s);
      if (more.empty()) break;
      r.insert(r.end(), more.begin(), more.end());
    }
    BOOST_REQUIRE(r.size() == 22u);
    BOOST_TEST(r[10] == 1);
    BOOST_TEST(r[21] == 2);
  }
  Client after(port, 1, 0.5);
  BOOST_TEST(after.holding_error(0, 2) == 0);
  BOOST_TEST(plc.server.counters().malformed >= 4u);
}

BOOST_AUTO_TEST_CASE(random_frames_never_crash_or_stall_the_server) {
  SystemClock clock;
  std::string text = kTypesScenario;
  text.replace(text.find("[plc]\n"), 6, "[plc]\nunmapped = \"zero\"\n");  // writes land anywhere
  Plc plc(text, clock);
  std::uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint8_t>(state >> 56);
  };
  for (int conn = 0; conn < 20; ++conn) {
    RawSocket s(plc.server.port());
    for (int i = 0; i < 20; ++i) {
      // Mostly well-framed headers with random PDUs, sometimes random headers.
      std::vector<std::uint8_t> pdu(next() % 12 + 1);
      for (auto& b : pdu) b = next();
      if (next() % 3 == 0) pdu[0] = static_cast<std::uint8_t>(next() % 0x18);
      auto frame = adu(pdu, next() % 4 == 0 ? next() : 1, next() % 10 == 0 ? next() : 0);
      if (next() % 10 == 0) frame.resize(next() % frame.size());
      ::send(s.fd(), frame.data(), frame.size(), MSG_NOSIGNAL);
    }
    s.receive(20ms);
  }
  Client c(plc.server.port(), 1, 1.0);
  BOOST_TEST(c.holding_error(0, 2) == 0);
  BOOST_TEST(plc.server.counters().requests > 20u);
  BOOST_TEST(plc.server.counters().malformed > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(command)

BOOST_AUTO_TEST_CASE(flexhil_plc_serves_the_scenario_to_mbpoll_and_stops_on_ctrl_c) {
  testing::TempDir dir;
  const auto scenario = dir.write("s.toml", std::string("name = \"bench\"\n[harness]\nx = 1\n") + kTypesScenario +
                                                "[[plc.point]]\nname = \"Ticks\"\naddress = \"40100\"\n"
                                                "waveform = \"counter\"\ninterval = \"1s\"\n");
  const auto log = dir.file("plc.log");
  auto plc = ChildProcess::spawn({{FLEXHIL_BINARY, "plc", "--scenario", scenario, "--bind", "127.0.0.1",
                                   "--port", "0", "--time-scale", "2"},
                                  log, log, std::nullopt, {}, ""});
  std::uint16_t port = 0;
  BOOST_REQUIRE(wait_until([&] {
    const auto text = read_text(log);
    const auto at = text.find("on 127.0.0.1:");
    if (at == std::string::npos || text.find(" (time scale", at) == std::string::npos) return false;
    port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 13)));
    return true;
  }, 5s));
  BOOST_TEST(mbpoll(dir, port, {"-t", "4:float", "-B", "-r", "1", "-c", "1"}) == std::vector<std::string>{"21.5"}, tt::per_element());
  // The counter moves with scenario time (2× real time here): later reads show larger values.
  const auto ticks = [&] {
    const auto v = mbpoll(dir, port, {"-t", "4", "-r", "100", "-c", "1"});
    return v.size() == 1 ? std::stoi(v[0]) : -1;
  };
  const int first = ticks();
  BOOST_TEST(first >= 0);
  BOOST_TEST(wait_until([&] { return ticks() >= first + 2; }, 5s));
  plc.signal(SIGINT);
  const auto rc = plc.wait_for(5s);
  BOOST_REQUIRE(rc.has_value());
  BOOST_TEST(*rc == 0);
  const auto text = read_text(log);
  BOOST_TEST(text.find("read holding registers") != std::string::npos, text);
  BOOST_TEST(text.find("change unit 1 FloatHi: null -> 21.5 (initial)") != std::string::npos, text);
  BOOST_TEST(text.find("stopped by signal 2") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(flexhil_plc_exits_2_with_line_and_column_on_a_malformed_section) {
  testing::TempDir dir;
  const auto scenario = dir.write("bad.toml", "[plc]\n[[plc.point]]\nname = \"T\"\naddress = \"40001F\"\nwaveform = \"sinus\"\n");
  const auto log = dir.file("plc.log");
  auto plc = ChildProcess::spawn({{FLEXHIL_BINARY, "plc", "--scenario", scenario, "--port", "0"},
                                  log, log, std::nullopt, {}, ""});
  const auto rc = plc.wait_for(5s);
  BOOST_REQUIRE(rc.has_value());
  BOOST_TEST(*rc == 2);
  const auto text = read_text(log);
  BOOST_TEST(text.find("bad.toml:5:12: error: unknown waveform 'sinus' (expected one of: constant, steps, "
                       "ramp, sine, square, random_walk, counter, csv)") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(plc_death)

// The port the simulator must listen on again after a `down` fault is taken by someone else: it
// reports its own failure (plc_error) instead of leaving the device to look guilty.
BOOST_AUTO_TEST_CASE(a_listener_that_cannot_come_back_after_a_fault_is_a_plc_error) {
  using namespace std::chrono_literals;
  SystemClock clock;
  MemorySink sink;
  Plc plc(faults::kFaultScenario, clock, &sink);
  const auto port = plc.server.port();
  FaultSpec f;
  f.kind = FaultKind::down;
  const auto id = plc.server.inject_fault(f);
  BOOST_REQUIRE(plc.server.is_down());
  const int squatter = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(squatter >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(squatter, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  BOOST_REQUIRE(::listen(squatter, 1) == 0);
  plc.server.end_fault(id);
  BOOST_TEST(wait_until([&] { return count_events(sink, "plc_error") == 1; }, 15s));
  BOOST_REQUIRE(plc.server.failure().has_value());
  BOOST_TEST(plc.server.failure()->find("cannot listen again on 127.0.0.1:" + std::to_string(port)) == 0u,
             *plc.server.failure());
  ::close(squatter);
}

BOOST_AUTO_TEST_SUITE_END()
