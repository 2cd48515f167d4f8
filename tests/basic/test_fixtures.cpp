// Programs under fixtures/programs/: the language feature programs (each lists its expected
// console output in `// expect:` lines) and, when present, the reference-like Azure publishers.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/basic/basic_test_util.hpp"
#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

using flexhil::testing::read_text;

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

namespace {
Lines expected_output(const std::string& source) {
  Lines out;
  std::istringstream in(source);
  std::string line;
  const std::string marker = "// expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(marker, 0) == 0) out.push_back(line.substr(marker.size()));
    else if (line == "// expect:") out.emplace_back();
  }
  return out;
}

FakeHost fixture_host() {
  FakeHost h;
  h.tags.push_back(FakeTag{"Temperature", 21.5, 1, "Boiler", "A"});
  h.tags.push_back(FakeTag{"Pressure", 3.0, 1, "Line", "B"});
  h.inbox.push_back({"t", "payload"});
  h.mqtt_status = 5;
  return h;
}

// Runs init, posts the events the events fixture handles (ignored by the others), then runs
// until the queue is empty or the Cyclic section has run twice.
Lines run_fixture(const std::string& source) {
  Session s(source, {}, fixture_host());
  const auto& init = s.step();
  BOOST_TEST(init.ok, init.error_message);
  s.basic.post_timer(1);
  s.basic.post_tag_change(0);
  s.basic.post_mqtt_message();
  s.basic.post_mqtt_status(5);
  int cyclic = 0;
  for (int i = 0; i < 20 && s.basic.pending() > 0 && cyclic < 2; ++i) {
    const auto& r = s.step();
    BOOST_TEST(r.ok, r.error_message);
    if (r.kind == RequestKind::cyclic) ++cyclic;
  }
  return s.host.prints;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(fixtures)

BOOST_AUTO_TEST_CASE(every_language_fixture_prints_its_expected_output) {
  fs::path dir = flexhil::testing::fixture("programs/lang");
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".bas") continue;
    ++count;
    BOOST_TEST_CONTEXT(entry.path().filename().string()) {
      std::string source = read_text(entry.path().string());
      Lines expected = expected_output(source);
      BOOST_TEST(!expected.empty());
      Lines got = run_fixture(source);
      BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
  }
  BOOST_TEST(count >= 9);
}

BOOST_AUTO_TEST_CASE(azure_publishers_parse_and_their_init_opens_and_connects_mqtt) {
  for (const char* name : {"programs/azure_x509_publisher.bas", "programs/azure_sas_publisher.bas"}) {
    std::string path = flexhil::testing::fixture(name);
    BOOST_TEST_REQUIRE(fs::exists(path), path << " is missing: the fixture is part of the repository");
    BOOST_TEST_CONTEXT(name) {
      Session s(read_text(path), {}, fixture_host());
      const auto& r = s.step();
      BOOST_TEST(r.kind == RequestKind::init);
      BOOST_TEST(r.ok, r.error_message);
      BOOST_TEST(s.host.calls("OPEN").size() == 1u);
      BOOST_TEST(s.host.calls("SETPARAM").size() >= 5u);
      BOOST_TEST(s.host.calls("CONNECT").size() == 1u);
      std::map<std::string, std::string> params;
      for (const auto& c : s.host.calls("SETPARAM")) {
        BOOST_REQUIRE_EQUAL(c.args.size(), 2u);
        params[std::get<std::string>(c.args[0])] = std::get<std::string>(c.args[1]);  // values are strings
      }
      BOOST_TEST(params["Port"] == "8883");
      BOOST_TEST(params["TLSVersion"] == "tlsv1.2");
      BOOST_TEST(params["ProtocolVersion"] == "3.1.1");
      const std::string& user = params["Username"];
      BOOST_TEST(user.find(".azure-devices.net/") != std::string::npos, user);
      BOOST_TEST(user.size() > 23);
      BOOST_TEST(user.substr(user.size() - 23) == "/api-version=2016-11-14", user);
      const std::string& password = params["Password"];
      if (std::string(name).find("sas") != std::string::npos) {
        BOOST_TEST(password.rfind("SharedAccessSignature sr=", 0) == 0, password);
        BOOST_TEST(password.find("&se=") != std::string::npos, password);
      } else {
        BOOST_TEST(password.find(";x509=true") != std::string::npos, password);
        BOOST_TEST(!params["CertFile"].empty());
      }
      BOOST_TEST(s.host.timers.at(1) > 0.0);
      BOOST_TEST(s.host.timers.at(2) > 0.0);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(publisher)

BOOST_AUTO_TEST_CASE(x509_publisher_pushes_all_selected_tags_and_then_only_changed_ones) {
  std::string path = flexhil::testing::fixture("programs/azure_x509_publisher.bas");
  BOOST_TEST_REQUIRE(fs::exists(path), path << " is missing: the fixture is part of the repository");
  FakeHost h;
  h.tags.push_back(FakeTag{"Temperature", 21.5, 1, "", "A"});
  h.tags.push_back(FakeTag{"Pressure", 3.0, 1, "", "B"});
  h.tags.push_back(FakeTag{"Counter", std::int32_t{7}, 2, "", "A"});
  h.status_after_connect = 5;
  Session s(read_text(path), {}, h);
  BOOST_TEST(s.step().ok);
  BOOST_TEST(s.basic.watches_tag(0));
  BOOST_TEST(!s.basic.watches_tag(1));  // group B is not selected
  BOOST_TEST(s.basic.watches_tag(2));
  BOOST_TEST(s.host.timers.at(1) == 20.0);
  BOOST_TEST(s.host.timers.at(2) == 2.0);
  BOOST_TEST(s.step().kind == RequestKind::cyclic);

  s.basic.post_timer(1);
  s.step();  // cyclic again
  BOOST_TEST(s.step().ok, s.basic.last_outcome().error_message);
  auto publish = s.host.calls("PUBLISH");
  BOOST_REQUIRE_EQUAL(publish.size(), 1u);
  BOOST_TEST(std::get<std::string>(publish[0].args[0]) == "devices/Flexy205/messages/events/");
  BOOST_TEST(std::get<std::string>(publish[0].args[1]) ==
             "{\"Temperature\":\"21.5\",\"Counter\":\"7\",\"time\":\"2026-11-26 09:10:05\"}");

  s.host.tags[2].value = std::int32_t{8};
  s.basic.post_tag_change(2);
  s.basic.post_timer(2);
  for (int i = 0; i < 3; ++i) BOOST_TEST(s.step().ok, s.basic.last_outcome().error_message);
  publish = s.host.calls("PUBLISH");
  BOOST_REQUIRE_EQUAL(publish.size(), 2u);
  BOOST_TEST(std::get<std::string>(publish[1].args[1]) == "{\"Counter\":\"8\",\"time\":\"2026-11-26 09:10:05\"}");
}

BOOST_AUTO_TEST_SUITE_END()
