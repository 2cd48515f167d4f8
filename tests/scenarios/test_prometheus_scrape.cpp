// A live run scraped by Debian's real Prometheus (started here on loopback with its own config and
// data folder) and queried through its HTTP API with curl: a finding is in Prometheus before the
// run ends, the end of the run is visible while /metrics lingers, and every query of the Grafana
// dashboard (fixtures/grafana/) returns data.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>

#include "common/event.hpp"
#include "common/net.hpp"
#include "common/process.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using flexhil::testing::read_text;
using namespace std::chrono_literals;

namespace {

// Percent-encodes a PromQL query for the URL.
std::string url_encoded(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The result vector of an instant query (empty when Prometheus has no data or did not answer).
Json prom_query(std::uint16_t port, const std::string& query) {
  const auto [code, text] = testing::run_shell("curl -s --max-time 5 'http://127.0.0.1:" + std::to_string(port) +
                                               "/api/v1/query?query=" + url_encoded(query) + "'");
  if (code != 0) return Json::array();
  const auto doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || doc.value("status", "") != "success") return Json::array();
  return doc["data"]["result"];
}

// The first sample's value, NaN when there is none.
double prom_value(std::uint16_t port, const std::string& query) {
  const auto r = prom_query(port, query);
  if (!r.is_array() || r.empty()) return std::nan("");
  return std::stod(r[0]["value"][1].get<std::string>());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prometheus_scrape)

BOOST_AUTO_TEST_CASE(real_prometheus_sees_findings_during_the_run_and_every_dashboard_query_has_data) {
  const auto prometheus = find_program("prometheus");
  BOOST_REQUIRE_MESSAGE(prometheus, "Debian's prometheus is not installed (make setup installs it)");
  testing::TempDir dir;
  const std::uint16_t metrics_port = pick_free_port();
  const std::uint16_t prom_port = pick_free_port();
  ChildProcess::Options r;
  r.argv = {testing::flexhil_binary(), "run", testing::source_dir() + "/scenarios/bad/duplicate_keys.toml", "--out",
            dir.file("run"), "--time-scale", "5", "--metrics", "127.0.0.1:" + std::to_string(metrics_port),
            "--metrics-linger", "120"};
  r.stdout_path = dir.file("run.out");
  r.stderr_path = dir.file("run.out");
  auto run = ChildProcess::spawn(r);
  BOOST_REQUIRE_MESSAGE(wait_for_tcp_port("127.0.0.1", metrics_port, 30s, [&] { return run.running(); }),
                        read_text(dir.file("run.out")));

  dir.write("prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                              "  - job_name: flexhil\n    static_configs:\n      - targets: ['127.0.0.1:" +
                                  std::to_string(metrics_port) + "']\n");
  ChildProcess::Options p;
  p.argv = {*prometheus, "--config.file=" + dir.file("prometheus.yml"), "--storage.tsdb.path=" + dir.file("tsdb"),
            "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)};
  p.stdout_path = dir.file("prometheus.log");
  p.stderr_path = dir.file("prometheus.log");
  auto prom = ChildProcess::spawn(p);
  BOOST_REQUIRE_MESSAGE(wait_for_tcp_port("127.0.0.1", prom_port, 30s, [&] { return prom.running(); }),
                        read_text(dir.file("prometheus.log")));

  // Live: Prometheus holds the duplicate-key findings while the run has not finished.
  const std::string findings = "flexhil_findings_total{rule=\"PAYLOAD-DUPLICATE-KEY\"}";
  double live = 0, finished = 1;
  const bool seen_live = wait_until(
      [&] {
        live = prom_value(prom_port, findings);
        finished = prom_value(prom_port, "flexhil_run_finished");
        return live > 0 && finished == 0;
      },
      60s);
  BOOST_TEST(seen_live, "findings " << live << ", finished " << finished << "\n" << read_text(dir.file("run.out")));

  // The end: reports written, /metrics lingers, Prometheus scrapes the outcome.
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return prom_value(prom_port, "flexhil_run_finished") == 1; }, 90s),
                        read_text(dir.file("run.out")));
  BOOST_TEST(prom_value(prom_port, "flexhil_run_exit_code") == 0);
  BOOST_TEST(prom_value(prom_port, "flexhil_plc_requests_total") > 0);
  const auto info = prom_query(prom_port, "flexhil_run_info");
  BOOST_REQUIRE(info.size() == 1u);
  BOOST_TEST(info[0]["metric"]["scenario"] == "bad-duplicate-keys");

  // Every dashboard query, with its variables set to "all", returns data.
  const auto dashboard = Json::parse(read_text(testing::source_dir() + "/fixtures/grafana/flexhil-dashboard.json"));
  int queries = 0;
  for (const auto& panel : dashboard["panels"])
    for (const auto& target : panel.value("targets", Json::array())) {
      std::string q = target.value("expr", "");
      for (const auto& [var, value] : std::vector<std::pair<std::string, std::string>>{
               {"$instance", ".*"}, {"$scenario", ".*"}, {"$run", ".*"}, {"$__rate_interval", "1m"}})
        for (auto at = q.find(var); at != std::string::npos; at = q.find(var)) q.replace(at, var.size(), value);
      ++queries;
      BOOST_TEST(!prom_query(prom_port, q).empty(), panel.value("title", "") << ": no data for " << q);
    }
  BOOST_TEST(queries > 10);

  run.signal(SIGINT);  // ends the linger
  const auto status = run.wait_for(15s);
  BOOST_REQUIRE(status.has_value());
  BOOST_TEST(*status == 0);
  prom.stop();
}

BOOST_AUTO_TEST_SUITE_END()
