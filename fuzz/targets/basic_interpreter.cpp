// The eWON BASIC interpreter: a parsed program run request by request against the in-memory
// FakeHost of tests/basic, with a small statement budget so that endless loops end quickly.
// Events of every kind (timers, tags, MQTT, WAN, dates, alarms, action status, SMS, PPP) are
// posted between requests. Nothing may leave run_one(): runtime errors
// end a request with an outcome, never with an exception — also for `a$ = a$ + a$` in a loop:
// the Flexy's string, array and memory limits (sim/flexy/basic/limits.hpp) make that a runtime
// error of the program, never std::bad_alloc.
#include "fuzz/support/fuzz_target.hpp"
#include "sim/flexy/basic/interpreter.hpp"
#include "tests/basic/fake_host.hpp"

using namespace flexhil;

namespace {

basic::testing::FakeHost prepared_host() {
  basic::testing::FakeHost host;
  host.tags = {
      {"Temperature", 21.5, 1, "a float tag", "A"},
      {"Counter", std::int32_t{7}, 2, "an integer tag", "AB"},
      {"Label", std::string("flexy"), 6, "a string tag", ""},
  };
  host.inbox = {{"devices/Flexy1/messages/devicebound/", "{\"on\":1}"}, {"$iothub/methods/POST/reboot/?$rid=1", "{}"}};
  return host;
}

void run_program(basic::Program program) {
  auto host = prepared_host();
  basic::InterpreterOptions options;
  options.statement_budget = 20'000;
  options.queue_capacity = 16;
  basic::Interpreter interpreter(std::move(program), host, options);
  interpreter.start();

  // Bounded: with requeue_cyclic the queue never runs dry.
  auto run = [&](int at_most) {
    for (int i = 0; i < at_most && interpreter.run_one(); ++i)
      fuzz::require(interpreter.last_outcome().statements <= options.statement_budget + 1);
  };
  run(3);
  for (int timer = 1; timer <= 4; ++timer) interpreter.post_timer(timer);
  for (int tag = 0; tag < 3; ++tag) interpreter.post_tag_change(tag);
  interpreter.post_mqtt_message();
  interpreter.post_mqtt_status(5);
  interpreter.post_wan(1);
  // Events and outbound actions: date plans, alarms, action completions, SMS, PPP.
  for (int plan = 0; plan <= 11; plan += 3) interpreter.post_date(plan);
  for (int tag = 0; tag < 3; ++tag) interpreter.post_alarm(tag);
  interpreter.post_action_status(1);
  interpreter.post_sms();
  interpreter.post_ppp(2);
  run(12);
  (void)interpreter.last_error();
  (void)interpreter.variable("A%");
  (void)interpreter.variable("S$");
  (void)interpreter.element("A", {1});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = basic::check_program(fuzz::as_text(data, size), "fuzz.bas");
  if (!parsed.program) return 0;

  run_program(std::move(*parsed.program));
  return 0;
}
