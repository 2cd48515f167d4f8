// A bench user's second terminal: `flexhil hub c2d|desired|method|devices --run DIR` against a
// running `flexhil hub` (a child process), devices played by mosquitto_sub/mosquitto_pub; and the
// hub's console showing each message like `az iot hub monitor-events --properties all` with the
// findings the rules raise on it.
#include <signal.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/broker/hub_fixture.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `flexhil hub` on ephemeral ports, its console in <dir>/hub.out; stopped with Ctrl-C at the end.
class BenchHub {
 public:
  explicit BenchHub(HubFixture& f) : f_(f), out_dir_(f.dir().file("run")), console_(f.dir().file("hub.out")) {
    ChildProcess::Options o;
    o.argv = {flexhil_binary(), "hub", "--registry", f.write_registry(), "--out", out_dir_, "--pki", f.dir().file("pki"),
              "--port", "0"};
    o.stdout_path = console_;
    o.stderr_path = console_;
    child_ = ChildProcess::spawn(o);
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return console().find("Press Ctrl-C") != std::string::npos || !child_.running(); }, 20s) &&
                              child_.running(),
                          console());
    std::smatch m;
    const auto banner = console();
    BOOST_REQUIRE(std::regex_search(banner, m, std::regex(R"(MQTTS port\s+(\d+))")));
    port_ = m[1];
  }
  ~BenchHub() {
    if (child_.running()) stop();
  }
  int stop() {
    child_.signal(SIGINT);
    return child_.wait_for(10s).value_or(-1);
  }
  std::string console() const { return slurp(console_); }
  bool console_has(const std::string& text, std::chrono::milliseconds t = 5s) const {
    return wait_until([&] { return console().find(text) != std::string::npos; }, t);
  }
  const std::string& dir() const { return out_dir_; }
  ProgramResult bench(std::vector<std::string> args, std::chrono::milliseconds t = 20s) const {
    args.insert(args.begin(), {flexhil_binary(), "hub"});
    return run_program(args, f_.dir(), t);
  }
  // mosquitto_pub/_sub argv start for device `id` (SAS, CleanSession=1 unless -c follows).
  std::vector<std::string> client(const std::string& program, const std::string& id, const std::string& username = "") const {
    return {program, "-h", "127.0.0.1", "-p", port_, "--cafile", out_dir_ + "/ca.crt", "-i", id, "-u",
            username.empty() ? f_.username(id) : username, "-P", f_.sas_token(id), "-V", "mqttv311"};
  }

 private:
  HubFixture& f_;
  std::string out_dir_, console_, port_;
  ChildProcess child_;
};

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hub_bench_commands)

BOOST_AUTO_TEST_CASE(c2d_desired_method_and_devices_reach_a_running_flexhil_hub) {
  HubFixture f("benchhub");
  f.add_sas_device("BenchDev");
  f.add_sas_device("BenchIdle");
  BenchHub hub(f);

  // The access file is private and its password never reaches the console.
  const auto access = hub.dir() + "/hub-access.json";
  struct stat st {};
  BOOST_REQUIRE(::stat(access.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  const auto password = Json::parse(slurp(access))["internal"]["password"].get<std::string>();
  BOOST_TEST(hub.console().find(password) == std::string::npos);

  auto devices = hub.bench({"devices", "--run", hub.dir()});
  BOOST_TEST(devices.exit_status == 0, devices.output);
  BOOST_TEST(std::regex_search(devices.output, std::regex(R"(BenchDev\s+no\s+never\s+0)")), devices.output);
  BOOST_TEST(devices.output.find(password) == std::string::npos);

  // Offline: queued, then listed as pending.
  auto c2d = hub.bench({"c2d", "--run", hub.dir(), "--device", "BenchDev", "--property", "cmd=reset", "--ttl", "120", "hello"});
  BOOST_TEST(c2d.exit_status == 0, c2d.output);
  BOOST_TEST(c2d.output.find("queued: device is not connected (1 pending, expires ") != std::string::npos, c2d.output);
  devices = hub.bench({"devices", "--run", hub.dir()});
  BOOST_TEST(std::regex_search(devices.output, std::regex(R"(BenchDev\s+no\s+never\s+1)")), devices.output);

  // 64 KB + 1 from a file: refused by the hub, exit 2; an unknown device is exit 2 before sending.
  const auto big = f.dir().write("big.bin", std::string(65537, 'z'));
  c2d = hub.bench({"c2d", "--run", hub.dir(), "--device", "BenchDev", "@" + big});
  BOOST_TEST(c2d.exit_status == 2, c2d.output);
  BOOST_TEST(c2d.output.find("C2D-TOO-LARGE") != std::string::npos, c2d.output);
  c2d = hub.bench({"c2d", "--run", hub.dir(), "--device", "Nobody", "x"});
  BOOST_TEST(c2d.exit_status == 2, c2d.output);
  BOOST_TEST(c2d.output.find("'Nobody' is not in the hub's registry") != std::string::npos, c2d.output);

  // The queued message reaches the device when it connects with CleanSession=0 and subscribes.
  const auto got = run_program(with(hub.client("mosquitto_sub", "BenchDev"),
                                    {"-c", "-q", "1", "-t", "devices/BenchDev/messages/devicebound/#", "-v", "-C", "1", "-W", "10"}),
                               f.dir(), 15s);
  BOOST_TEST(got.exit_status == 0, got.output);
  BOOST_TEST(got.output.find("&cmd=reset hello") != std::string::npos, got.output);
  devices = hub.bench({"devices", "--run", hub.dir()});
  BOOST_TEST(std::regex_search(devices.output, std::regex(R"(BenchDev\s+no\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+0)")), devices.output);

  // Desired: recorded with its version, not pushed to an offline device.
  const auto desired = hub.bench({"desired", "--run", hub.dir(), "--device", "BenchIdle", R"({"interval":10})"});
  BOOST_TEST(desired.exit_status == 0, desired.output);
  BOOST_TEST(desired.output.find("desired properties of BenchIdle at $version 2: not pushed") != std::string::npos,
             desired.output);
  const auto not_json = hub.bench({"desired", "--run", hub.dir(), "--device", "BenchIdle", "{interval"});
  BOOST_TEST(not_json.exit_status == 2, not_json.output);

  // Method to an offline device: 404 like az, exit 1.
  const auto offline = hub.bench({"method", "--run", hub.dir(), "--device", "BenchIdle", "--name", "reboot"});
  BOOST_TEST(offline.exit_status == 1, offline.output);
  BOOST_TEST(offline.output.find("404 DeviceNotOnline") != std::string::npos, offline.output);

  // Method round trip: the device (mosquitto_sub) gets the request, answers with mosquitto_pub.
  ChildProcess::Options so;
  so.argv = with(hub.client("mosquitto_sub", "BenchDev"), {"-q", "1", "-t", "$iothub/methods/POST/#", "-v", "-C", "1", "-W", "20"});
  const auto request_file = f.dir().file("method.req");
  so.stdout_path = request_file;
  so.stderr_path = request_file;
  auto device = ChildProcess::spawn(so);
  BOOST_REQUIRE_MESSAGE(hub.console_has("subscribe BenchDev $iothub/methods/POST/# qos 1 granted"), hub.console());
  ChildProcess::Options mo;
  mo.argv = {flexhil_binary(), "hub", "method", "--run", hub.dir(), "--device", "BenchDev", "--name", "reboot",
             "--payload", R"({"delay":0})", "--timeout", "20"};
  const auto method_file = f.dir().file("method.out");
  mo.stdout_path = method_file;
  mo.stderr_path = method_file;
  auto method = ChildProcess::spawn(mo);
  BOOST_REQUIRE(device.wait_for(15s).value_or(-1) == 0);
  std::smatch rid;
  const auto request = slurp(request_file);
  BOOST_REQUIRE_MESSAGE(std::regex_search(request, rid, std::regex(R"(\$iothub/methods/POST/reboot/\?\$rid=(\S+) \{"delay":0\})")),
                        request);
  const auto answer = run_program(with(hub.client("mosquitto_pub", "BenchDev"),
                                       {"-q", "1", "-t", "$iothub/methods/res/200/?$rid=" + rid[1].str(), "-m", R"({"rebooting":true})"}),
                                  f.dir());
  BOOST_TEST(answer.exit_status == 0, answer.output);
  BOOST_TEST(method.wait_for(15s).value_or(-1) == 0, slurp(method_file));
  const auto printed = Json::parse(slurp(method_file));
  BOOST_TEST(printed["status"] == 200);
  BOOST_TEST(printed["payload"]["rebooting"] == true);

  // Subscribed but silent: 504 like az, exit 1.
  auto mute = ChildProcess::spawn(so);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return occurrences(hub.console(), "subscribe BenchDev $iothub/methods/POST/# qos 1 granted") == 2; }, 5s),
                        hub.console());
  const auto silent = hub.bench({"method", "--run", hub.dir(), "--device", "BenchDev", "--name", "x", "--timeout", "0.5"});
  BOOST_TEST(silent.exit_status == 1, silent.output);
  BOOST_TEST(silent.output.find("504 GatewayTimeout") != std::string::npos, silent.output);
  mute.stop();

  // After Ctrl-C the access file is gone: exit 3, one line.
  BOOST_TEST(hub.stop() == 0, hub.console());
  BOOST_TEST(!std::filesystem::exists(access));
  const auto stopped = hub.bench({"c2d", "--run", hub.dir(), "--device", "BenchDev", "x"});
  BOOST_TEST(stopped.exit_status == 3, stopped.output);
  BOOST_TEST(stopped.output.find("error: no hub is running for") == 0, stopped.output);
  const auto missing = hub.bench({"devices", "--run", f.dir().file("nowhere")});
  BOOST_TEST(missing.exit_status == 2, missing.output);
}

// Like `az iot device c2d-message send --wait`: the sender learns a queued message's fate.
BOOST_AUTO_TEST_CASE(c2d_wait_reports_whether_a_queued_message_was_delivered_or_expired) {
  HubFixture f("benchwait");
  f.add_sas_device("WaitDev");
  BenchHub hub(f);

  // Its TTL runs out while the device stays away: expired, exit 1.
  auto expired = hub.bench({"c2d", "--run", hub.dir(), "--device", "WaitDev", "--ttl", "1", "--wait", "--timeout", "15",
                            "gone"});
  BOOST_TEST(expired.exit_status == 1, expired.output);
  BOOST_TEST(expired.output.find("queued: device is not connected") != std::string::npos, expired.output);
  BOOST_TEST(std::regex_search(expired.output, std::regex(R"(expired after \d+ ms in the queue, never delivered)")),
             expired.output);

  // Waiting while the device connects (CleanSession=0) and subscribes: delivered, exit 0.
  const auto out = f.dir().file("wait.out");
  ChildProcess::Options o;
  o.argv = {flexhil_binary(), "hub", "c2d", "--run", hub.dir(), "--device", "WaitDev", "--ttl", "120", "--wait",
            "--timeout", "30", "hello"};
  o.stdout_path = out;
  o.stderr_path = out;
  auto sender = ChildProcess::spawn(o);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return slurp(out).find("queued") != std::string::npos; }, 10s), slurp(out));
  BOOST_TEST(sender.running());
  const auto got = run_program(with(hub.client("mosquitto_sub", "WaitDev"),
                                    {"-c", "-q", "1", "-t", "devices/WaitDev/messages/devicebound/#", "-C", "1", "-W", "10"}),
                               f.dir(), 15s);
  BOOST_TEST(got.exit_status == 0, got.output);
  BOOST_TEST(got.output.find("hello") != std::string::npos, got.output);
  const auto status = sender.wait_for(20s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0, slurp(out));
  BOOST_TEST(std::regex_search(slurp(out), std::regex(R"(delivered after \d+ ms in the queue)")), slurp(out));

  // Nobody comes within --timeout: still queued, exit 1.
  const auto pending = hub.bench({"c2d", "--run", hub.dir(), "--device", "WaitDev", "--ttl", "120", "--wait",
                                  "--timeout", "0.5", "later"});
  BOOST_TEST(pending.exit_status == 1, pending.output);
  BOOST_TEST(pending.output.find("still queued after 0.5 s") != std::string::npos, pending.output);
}

BOOST_AUTO_TEST_CASE(the_console_shows_each_message_with_its_properties_and_the_findings_on_it) {
  HubFixture f("consolehub");
  f.add_sas_device("ConsoleDev");
  BenchHub hub(f);
  const auto legacy = "consolehub.azure-devices.net/ConsoleDev";  // no api-version: accepted, with a finding
  const auto r = run_program(
      with(hub.client("mosquitto_pub", "ConsoleDev", legacy),
           {"-t", "devices/ConsoleDev/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&site=north", "-m",
            R"({"time":"2026-12-02 08:00:00","temp":21.5,"temp":22})"}),
      f.dir());
  BOOST_TEST(r.exit_status == 0, r.output);
  BOOST_TEST(hub.console_has("  payload     {\"time\":\"2026-12-02 08:00:00\",\"temp\":21.5,\"temp\":22}"), hub.console());
  const auto text = hub.console();
  BOOST_TEST(text.find("connect ConsoleDev mqtts accepted") != std::string::npos, text);
  BOOST_TEST(text.find("  finding     AUTH-USERNAME-NO-API-VERSION") != std::string::npos, text);
  BOOST_TEST(text.find("\"content-type\":\"application/json\"") != std::string::npos, text);
  BOOST_TEST(text.find("  application {\"site\":\"north\"}") != std::string::npos, text);
  BOOST_TEST(text.find("  finding     PAYLOAD-DUPLICATE-KEY") != std::string::npos, text);
  BOOST_TEST(text.find("  finding     TIME-NO-ZONE") != std::string::npos, text);

  const auto bad = run_program(with(hub.client("mosquitto_pub", "ConsoleDev"),
                                    {"-t", "devices/ConsoleDev/messages/events/", "-m", R"({"temp":)"}),
                               f.dir());
  BOOST_TEST(bad.exit_status == 0, bad.output);
  BOOST_TEST(hub.console_has("  finding     PAYLOAD-INVALID-JSON"), hub.console());
}

BOOST_AUTO_TEST_SUITE_END()
