// The bridge's locking rule (mqtt_bridge.cpp): no blocking call under its lock. A host resolver
// that hangs until the test releases it holds MQTT "CONNECT" on one thread; MQTT "STATUS",
// status() and shutdown() on others must answer meanwhile, and what CONNECT does once released
// must follow what happened while it waited (a stop, a new OPEN). Every wait is bounded, so a
// bridge that blocks fails these tests instead of hanging them.
#include <boost/test/unit_test.hpp>

#include <future>

#include "common/clock.hpp"
#include "common/net.hpp"
#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/runtime/mqtt_bridge.hpp"
#include "tests/flexy_runtime/it_support.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto kPrompt = 5s;  // generous: these calls take microseconds unless they block

template <typename T>
bool ready_soon(std::future<T>& f) {
  return f.wait_for(kPrompt) == std::future_status::ready;
}
template <typename T>
bool ready_now(std::future<T>& f) {
  return f.wait_for(0s) == std::future_status::ready;
}

// A resolver that reports each call and then waits until release() says what to answer.
class HangingResolver {
 public:
  HostResolver resolver() {
    return [this](const std::string& host) {
      std::unique_lock lock(mutex_);
      asked_.push_back(host);
      changed_.notify_all();
      changed_.wait(lock, [&] { return answer_.has_value(); });
      return *answer_;
    };
  }
  bool wait_asked(std::size_t calls) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kPrompt, [&] { return asked_.size() >= calls; });
  }
  void release(bool resolves) {
    std::lock_guard lock(mutex_);
    if (!answer_) answer_ = resolves;
    changed_.notify_all();
  }
  std::vector<std::string> asked() const {
    std::lock_guard lock(mutex_);
    return asked_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> asked_;
  std::optional<bool> answer_;
};

// Releases the resolver however the test ends, so the futures below can always finish.
struct ReleaseOnExit {
  HangingResolver& resolver;
  ~ReleaseOnExit() { resolver.release(false); }
};

struct LockingRig {
  Recorder<int> statuses;
  Recorder<std::string> logs;
  SystemClock clock;
  HangingResolver hanging;
  std::unique_ptr<MqttBridge> bridge;

  LockingRig() {
    MqttSettings settings;
    settings.auto_reconnect = false;
    settings.connect_timeout_seconds = 5;
    bridge = std::make_unique<MqttBridge>(
        settings, ".", clock,
        MqttBridge::Events{nullptr, [this](int st) { statuses.add(st); },
                           [this](const std::string& m, int) { logs.add(m); }, nullptr, nullptr, nullptr, nullptr},
        hanging.resolver());
  }
  basic::HostResult mqtt(const std::string& cmd, std::vector<basic::Value> args = {}) {
    return bridge->command(cmd, args);
  }
  std::future<basic::HostResult> mqtt_async(const std::string& cmd, std::vector<basic::Value> args = {}) {
    return std::async(std::launch::async, [this, cmd, args] { return bridge->command(cmd, args); });
  }
  bool logged(const std::string& part) const {
    for (const auto& l : logs.items())
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
};

// Plain MQTT (no TLS) to a loopback port where nothing listens: the attempt fails at once.
void open_plain(LockingRig& rig, const std::string& host, std::uint16_t port) {
  BOOST_REQUIRE_EQUAL(rig.mqtt("OPEN", {std::string("LockDev"), host}).error, 0);
  BOOST_REQUIRE_EQUAL(rig.mqtt("SETPARAM", {std::string("Port"), std::int32_t{port}}).error, 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mqtt_bridge_locking)

BOOST_AUTO_TEST_CASE(status_answers_while_connect_resolves_and_the_connect_then_fails_cleanly) {
  LockingRig rig;
  const auto port = pick_free_port();
  open_plain(rig, "flexy-dns-hang.invalid", port);

  std::future<basic::HostResult> connecting, status;
  ReleaseOnExit release{rig.hanging};
  connecting = rig.mqtt_async("CONNECT");
  BOOST_REQUIRE(rig.hanging.wait_asked(1));
  BOOST_TEST(rig.hanging.asked().front() == "flexy-dns-hang.invalid");

  status = rig.mqtt_async("STATUS");
  BOOST_REQUIRE(ready_soon(status));
  const auto st = status.get();
  BOOST_TEST(st.error == 0);
  BOOST_TEST(std::get<std::int32_t>(st.value) == mqtt_status::starting);
  auto direct = std::async(std::launch::async, [&] { return rig.bridge->status(); });
  BOOST_REQUIRE(ready_soon(direct));
  BOOST_TEST(direct.get() == mqtt_status::starting);
  BOOST_TEST(!ready_now(connecting));  // still inside the resolver

  rig.hanging.release(true);
  BOOST_REQUIRE(ready_soon(connecting));
  BOOST_TEST(connecting.get().error == 0);
  // Nothing listens on the port: connecting (3), then disconnected (4) with the reason logged.
  BOOST_TEST(wait_until([&] { return rig.bridge->status() == mqtt_status::disconnected; }, 10s));
  const auto seen = rig.statuses.items();
  BOOST_TEST((std::find(seen.begin(), seen.end(), mqtt_status::connecting) != seen.end()));
  BOOST_TEST(rig.logged("connect failed"));
}

BOOST_AUTO_TEST_CASE(a_host_that_does_not_resolve_after_the_wait_is_lsterr_28) {
  LockingRig rig;
  open_plain(rig, "flexy-dns-fails.invalid", pick_free_port());
  std::future<basic::HostResult> connecting;
  ReleaseOnExit release{rig.hanging};
  connecting = rig.mqtt_async("CONNECT");
  BOOST_REQUIRE(rig.hanging.wait_asked(1));
  rig.hanging.release(false);
  BOOST_REQUIRE(ready_soon(connecting));
  BOOST_TEST(connecting.get().error == basic::error_code::wan_down);
  BOOST_TEST(rig.bridge->status() == mqtt_status::starting);
  BOOST_TEST(rig.logged("does not resolve"));
}

BOOST_AUTO_TEST_CASE(an_unresolved_host_is_reported_with_the_host_names_the_bridge_routes) {
  SystemClock clock;
  HangingResolver resolver;
  MqttSettings settings;
  settings.auto_reconnect = false;
  settings.resolve["ewonproject.azure-devices.net"] = "127.0.0.1:1";
  std::mutex m;
  std::string host;
  std::vector<std::string> routed;
  MqttBridge::Events events{nullptr, nullptr, nullptr, nullptr, nullptr,
                            [&](const std::string&, const std::string& h, const std::vector<std::string>& r) {
                              std::lock_guard lock(m);
                              host = h;
                              routed = r;
                            }, nullptr};
  MqttBridge bridge(settings, ".", clock, events, resolver.resolver());
  BOOST_REQUIRE_EQUAL(bridge.command("OPEN", {std::string("Dev"), std::string("eWONPROJECT2.azure-devices.net")}).error, 0);
  ReleaseOnExit release{resolver};
  auto connecting = std::async(std::launch::async, [&] { return bridge.command("CONNECT", {}); });
  BOOST_REQUIRE(resolver.wait_asked(1));
  resolver.release(false);
  BOOST_REQUIRE(ready_soon(connecting));
  BOOST_TEST(connecting.get().error == basic::error_code::wan_down);
  std::lock_guard lock(m);
  BOOST_TEST(host == "eWONPROJECT2.azure-devices.net");
  BOOST_TEST(routed == std::vector<std::string>{"ewonproject.azure-devices.net"});
}

BOOST_AUTO_TEST_CASE(shutdown_returns_while_connect_resolves_and_the_connect_then_fails) {
  LockingRig rig;
  open_plain(rig, "flexy-dns-hang.invalid", pick_free_port());

  std::future<basic::HostResult> connecting;
  std::future<void> stopping;
  ReleaseOnExit release{rig.hanging};
  connecting = rig.mqtt_async("CONNECT");
  BOOST_REQUIRE(rig.hanging.wait_asked(1));
  stopping = std::async(std::launch::async, [&] { rig.bridge->shutdown(); });
  BOOST_REQUIRE(ready_soon(stopping));
  stopping.get();

  rig.hanging.release(true);  // the host resolves, but the bridge stopped meanwhile
  BOOST_REQUIRE(ready_soon(connecting));
  const auto r = connecting.get();
  BOOST_TEST(r.error == basic::error_code::invalid_parameter);
  BOOST_TEST(r.message.find("stopping") != std::string::npos, r.message);
  BOOST_TEST(!rig.logged("connecting to"));  // no attempt started after the stop
  BOOST_TEST(rig.bridge->status() == mqtt_status::starting);
}

BOOST_AUTO_TEST_CASE(open_while_connect_resolves_makes_that_connect_give_up) {
  LockingRig rig;
  open_plain(rig, "flexy-dns-old.invalid", pick_free_port());

  std::future<basic::HostResult> connecting, reopening;
  ReleaseOnExit release{rig.hanging};
  connecting = rig.mqtt_async("CONNECT");
  BOOST_REQUIRE(rig.hanging.wait_asked(1));
  reopening = rig.mqtt_async("OPEN", {std::string("LockDev2"), std::string("flexy-dns-new.invalid")});
  BOOST_REQUIRE(ready_soon(reopening));
  BOOST_TEST(reopening.get().error == 0);

  rig.hanging.release(true);
  BOOST_REQUIRE(ready_soon(connecting));
  const auto r = connecting.get();
  BOOST_TEST(r.error == basic::error_code::invalid_parameter);
  BOOST_TEST(r.message.find("flexy-dns-old.invalid") != std::string::npos, r.message);
  BOOST_TEST(!rig.logged("connecting to"));  // the old host is never connected to
  BOOST_TEST(rig.bridge->status() == mqtt_status::starting);
}

BOOST_AUTO_TEST_CASE(open_and_connect_after_shutdown_fail_instead_of_continuing) {
  LockingRig rig;
  open_plain(rig, "flexy-dns-hang.invalid", pick_free_port());
  rig.bridge->shutdown();
  const auto open = rig.mqtt("OPEN", {std::string("LockDev"), std::string("flexy-dns-hang.invalid")});
  BOOST_TEST(open.error == basic::error_code::invalid_parameter);
  BOOST_TEST(open.message.find("stopping") != std::string::npos, open.message);
  BOOST_TEST(rig.mqtt("CONNECT").error == basic::error_code::invalid_parameter);
  BOOST_TEST(rig.hanging.asked().empty());  // a stopped bridge resolves nothing
}

BOOST_AUTO_TEST_SUITE_END()
