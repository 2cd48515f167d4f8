#include "tests/reports/sample_run.hpp"

#include <cmath>
#include <fmt/format.h>

namespace flexhil::testing {

using report::ReportInput;
using rules::Finding;
using rules::HubBehaviour;
using rules::RuleInfo;
using rules::Severity;

namespace {

constexpr std::int64_t origin = 1'000'000'000'000;  // mono_ns of run_start
constexpr double scale = 10;

struct Builder {
  ReportInput& in;
  std::uint64_t seq = 0;
  Json& add(std::string kind, double scenario_s) {
    const auto mono = origin + static_cast<std::int64_t>(scenario_s / scale * 1e9);
    const int ms = static_cast<int>(std::fmod(scenario_s / scale, 60.0) * 1000);
    Json e = {{"seq", ++seq},
              {"mono_ns", mono},
              {"wall", fmt::format("2026-11-26T08:00:{:02}.{:03}000Z", ms / 1000, ms % 1000)},
              {"kind", std::move(kind)}};
    in.events.push_back(std::move(e));
    return in.events.back();
  }
  void publish(const std::string& device, double t, const std::string& payload, const char* verdict = "accepted") {
    auto& e = add("publish", t);
    e["device"] = device;
    e["topic"] = "devices/" + device + "/messages/events/";
    e["props"] = Json::object();
    e["qos"] = 1;
    e["retain"] = false;
    e["size"] = payload.size();
    e["payload_b64"] = base64_encode(payload);
    e["verdict"] = verdict;
  }
};

}  // namespace

ReportInput sample_run(std::size_t publishes) {
  ReportInput in;
  in.scenario = "demo";
  in.run_id = "20261126T080000Z";
  in.started_wall = "2026-11-26T08:00:00.000000Z";
  in.time_scale = scale;
  in.devices = {"Flexy205Self", "FlexyWrongThumb"};
  in.full_push_period_s = 20;
  in.change_push_period_s = 2;
  in.plotted_tags = {{"Temperature", "Temperature"}, {"Pressure", "PT101"}};
  in.catalogue = {
      {"AUTH-X509-THUMBPRINT", "AUTH", Severity::error, HubBehaviour::refuses, "Certificate thumbprint matches the registry", ""},
      {"CADENCE-FULL-PUSH", "CADENCE", Severity::error, HubBehaviour::downstream_breaks, "Full push every period", ""},
      {"PAYLOAD-NUMBER-AS-STRING", "PAYLOAD", Severity::warning, HubBehaviour::accepts, "Numbers sent as strings", ""},
      {"CONN-CONNECTED", "CONN", Severity::info, HubBehaviour::accepts, "Device connected", ""},
  };
  Builder b{in};
  {
    auto& e = b.add("run_start", 0);
    e["scenario"] = "demo";
    e["run"] = in.run_id;
    e["time_scale"] = scale;
  }
  {
    auto& e = b.add("connect", 0.5);
    e.update({{"device", "FlexyWrongThumb"}, {"auth", "x509-selfsigned"}, {"verdict", "refused"}, {"connack", 5},
              {"reason", "thumbprint does not match the registry"}, {"reason_id", "AUTH-X509-THUMBPRINT"}});
  }
  {
    auto& e = b.add("connect", 1.0);
    e.update({{"device", "Flexy205Self"}, {"auth", "x509-selfsigned"}, {"verdict", "accepted"}, {"connack", 0},
              {"reason", "ok"}});
  }
  double temperature = 20.0;
  for (std::size_t i = 0; i < publishes; ++i) {
    const double t = 2.0 + 2.0 * static_cast<double>(i);
    const double old = temperature;
    temperature = 20.0 + 5.0 * std::sin(static_cast<double>(i) / 4.0);
    auto& change = b.add("plc_change", t - 0.7);
    change.update({{"unit", 1}, {"point", "Temperature"}, {"old", old}, {"new", temperature}, {"cause", "waveform"},
                   {"scenario_s", t - 0.7}});
    auto& pt = b.add("plc_change", t - 0.6);
    pt.update({{"unit", 1}, {"point", "PT101"}, {"old", 1.0 + 0.01 * static_cast<double>(i)},
               {"new", 1.0 + 0.01 * static_cast<double>(i + 1)}, {"cause", "waveform"}});
    b.publish("Flexy205Self", t,
              fmt::format("{{\"time\":\"2026-11-26T08:00:{:02}Z\",\"Temperature\":\"{:.1f}\",\"tags\":{{\"Pressure\":{:.2f}}}}}",
                          static_cast<int>(t) % 60, temperature, 1.0 + 0.01 * static_cast<double>(i + 1)));
  }
  const double end = 2.0 + 2.0 * static_cast<double>(publishes);
  b.publish("Flexy205Self", end + 1, evil_payload);
  const std::uint64_t evil_seq = b.seq;
  b.publish("Flexy205Self", end + 2, "{\"Temperature\":1}", "disconnected");
  {
    auto& e = b.add("action", end + 3);
    e.update({{"action", "c2d"}, {"device", "Flexy205Self"}, {"detail", "hello"}});
  }
  {
    auto& e = b.add("disconnect", end + 4);
    e.update({{"device", "Flexy205Self"}, {"reason", "kicked"}, {"detail", "publish on a forbidden topic"}});
  }
  {
    auto& e = b.add("run_end", end + 6);
    e.update({{"scenario", "demo"}, {"run", in.run_id}, {"reason", "completed"}});
  }
  in.duration_s = (end + 6) / scale;

  in.findings = {
      {"AUTH-X509-THUMBPRINT", Severity::error, "FlexyWrongThumb", HubBehaviour::refuses,
       "certificate thumbprint 3F…A1 does not match the registry's primary or secondary", {2}},
      {"CADENCE-FULL-PUSH", Severity::error, "Flexy205Self", HubBehaviour::downstream_breaks,
       "no full push for 64 s (expected every 20 s ± 2 s)", {4, 7, 10}},
      {"PAYLOAD-NUMBER-AS-STRING", Severity::warning, "Flexy205Self", HubBehaviour::accepts,
       "Temperature sent as string \"21.5\" in 30 messages", {6, evil_seq}},
      {"CONN-CONNECTED", Severity::info, "Flexy205Self", HubBehaviour::accepts, "connected after 0.1 s", {3}},
  };
  in.passed = false;
  in.exit_code = 1;
  in.exit_reason = "2 error findings";
  return in;
}

}  // namespace flexhil::testing
