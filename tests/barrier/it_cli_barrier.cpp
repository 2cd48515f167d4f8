#define BOOST_TEST_MODULE test_barrier_cli
// Every subcommand given the mistakes users make: exit 2 with one line that names the problem,
// never a crash (134/139) and never exit 3 (that is for our own parts). And the listeners of
// `flexhil hub` and `flexhil plc`: where --bind says, loopback by default, never a wildcard.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/barrier/process_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

struct Hostile {
  std::string args;      // after `flexhil`, shell-quoted
  std::string fragment;  // must appear in the output
};

const std::string kLong(300, 'z');  // one path component above NAME_MAX (255)

}  // namespace

BOOST_AUTO_TEST_CASE(user_mistakes_in_every_subcommand_are_exit_2_with_one_line) {
  TempDir dir;
  const auto file = dir.write("regular-file", "not a folder\n");
  const auto junk = dir.write("junk.jsonl", "this is not json\n");
  const auto scenario = source_dir() + "/scenarios/pass/sas.toml";
  const auto registry = fixture("registry/devices.toml");
  const auto under_file = quoted(file + "/sub");
  const auto too_long = quoted(dir.file(kLong));
  const std::vector<Hostile> cases = {
      {"certs ca --cn '' --out " + quoted(dir.file("ca")), "common name"},
      {"certs ca --cn " + std::string(65, 'c') + " --out " + quoted(dir.file("ca")), "common name"},
      {"certs ca --out " + under_file, "Not a directory"},
      {"certs ca --out " + too_long, "File name too long"},
      {"certs device --id Flexy1 --self-signed --out " + under_file, "Not a directory"},
      {"certs device --id " + std::string(100, 'd') + " --self-signed --out " + quoted(dir.file("d")), "64"},
      {"certs thumbprint " + quoted(dir.path().string()), "not an X.509 certificate"},
      {"certs sas --hub h --device d --key '!!' --ttl 1h", "base64"},
      {"hub --registry " + registry + " --out " + under_file, "Not a directory"},
      {"hub --registry " + registry + " --out " + too_long, "File name too long"},
      {"hub --registry " + registry + " --bind 999.1.1.1", "not a numeric IP address"},
      {"plc --scenario " + scenario + " --bind somewhere", "not a numeric IP address"},
      {"plc --scenario " + scenario + " --port 0 --capture " + under_file, "Not a directory"},
      {"basic check " + too_long, ""},
      {"check " + too_long, ""},
      {"check " + quoted(dir.path().string()), "error"},
      {"validate " + junk + " --scenario " + scenario, "junk.jsonl"},
      {"validate " + junk + " --scenario " + too_long, ""},
      {"run " + scenario + " --out " + under_file, "Not a directory"},
      {"run " + scenario + " --out " + too_long, "File name too long"},
      {"run " + scenario + " --time-scale 0", ""},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.args) {
      const auto o = run_flexhil(c.args);
      BOOST_TEST(o.code == 2, o.output);
      BOOST_TEST(o.output.find("terminate") == std::string::npos, o.output);
      BOOST_TEST(!o.output.empty());
      if (!c.fragment.empty()) BOOST_TEST(o.output.find(c.fragment) != std::string::npos, o.output);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_scenario_path_with_an_overlong_component_is_an_error_at_its_key) {
  TempDir dir;
  auto text = read_text(source_dir() + "/scenarios/pass/x509_selfsigned.toml");
  const std::string key = "device_cert = \"/usr/Flexy205.crt\"";
  const auto at = text.find(key);
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, key.size(), "device_cert = \"/usr/" + kLong + ".crt\"");
  text.replace(text.find("../programs/"), 12, source_dir() + "/scenarios/programs/");
  const auto file = dir.write("long.toml", text);
  for (const auto& command : {"check " + file, "run " + file + " --out " + dir.file("run")}) {
    BOOST_TEST_CONTEXT(command) {
      const auto o = run_flexhil(command);
      BOOST_TEST(o.code == 2, o.output);
      BOOST_TEST(o.output.find(file + ":") != std::string::npos, o.output);  // file:line:col
      BOOST_TEST(o.output.find("at most 255") != std::string::npos, o.output);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_hub_bind_that_is_no_ip_address_is_an_error_at_its_key_not_a_broker_failure) {
  TempDir dir;
  auto text = read_text(source_dir() + "/scenarios/pass/sas.toml");
  text.replace(text.find("[hub]\n"), 6, "[hub]\nbind = \"999.1.1.1\"\n");
  text.replace(text.find("../programs/"), 12, source_dir() + "/scenarios/programs/");
  const auto file = dir.write("bind.toml", text);
  const auto o = run_flexhil("run " + file + " --out " + dir.file("run"));
  BOOST_TEST(o.code == 2, o.output);
  BOOST_TEST(o.output.find(file + ":") != std::string::npos, o.output);
  BOOST_TEST(o.output.find("not a numeric IP address") != std::string::npos, o.output);
}

namespace {

// Starts `flexhil <argv…>`, waits for `ready` in its output, returns it running.
ChildProcess start_and_wait(const std::vector<std::string>& args, const std::string& out_file, const std::string& ready) {
  ChildProcess::Options o;
  o.argv = {flexhil_binary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdout_path = out_file;
  o.stderr_path = out_file;
  auto child = ChildProcess::spawn(o);
  const bool up = wait_until([&] { return read_text(out_file).find(ready) != std::string::npos || !child.running(); }, 30s);
  BOOST_REQUIRE_MESSAGE(up && child.running(), read_text(out_file));
  return child;
}

int number_after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, marker << " not in: " << text);
  return std::stoi(text.substr(at + marker.size()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_hub_listens_only_on_its_bind_address_websocket_included) {
  TempDir dir;
  auto hub = start_and_wait({"hub", "--registry", fixture("registry/devices.toml"), "--out", dir.file("hub"),
                             "--port", "0", "--ws-port", "0"},
                            dir.file("hub.out"), "is ready");
  const int mosquitto = number_after(read_text(dir.file("hub.out")), "mosquitto pid ");
  const auto sockets = listening_sockets_of(mosquitto);
  BOOST_TEST(sockets.size() == 3u, "mqtts, websocket and internal listeners expected");
  for (const auto& s : sockets) {
    BOOST_TEST_CONTEXT(s.address << ":" << s.port) {
      BOOST_TEST(!s.wildcard());
      BOOST_TEST(s.address == "127.0.0.1");
    }
  }
  hub.signal(SIGINT);
  BOOST_TEST(hub.wait_for(20s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(the_plc_defaults_to_loopback_like_the_hub) {
  TempDir dir;
  auto plc = start_and_wait({"plc", "--scenario", source_dir() + "/scenarios/demo.toml", "--port", "0", "--quiet"},
                            dir.file("plc.out"), "serving");
  const auto out = read_text(dir.file("plc.out"));
  BOOST_TEST(out.find("on 127.0.0.1:") != std::string::npos, out);
  const auto sockets = listening_sockets_of(plc.pid());
  BOOST_REQUIRE_EQUAL(sockets.size(), 1u);
  BOOST_TEST(sockets[0].address == "127.0.0.1");
  BOOST_TEST(sockets[0].port == number_after(out, "on 127.0.0.1:"));
  plc.signal(SIGTERM);
  BOOST_TEST(plc.wait_for(20s).value_or(-1) == 0);
}
