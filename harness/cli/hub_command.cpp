// `flexhil hub`: the impersonated IoT Hub alone, for any device — a real Flexy on a lab bench
// included. Prints what a device needs, then one line per event with its verdict, writes
// capture.jsonl, and stops mosquitto cleanly on Ctrl-C / SIGTERM.
#include <chrono>
#include <fmt/format.h>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "broker/device_bundle.hpp"
#include "broker/hub_console.hpp"
#include "broker/hub_process.hpp"
#include "broker/registry.hpp"
#include "common/error.hpp"
#include "common/net.hpp"
#include "common/event.hpp"
#include "common/event_view.hpp"
#include "common/signals.hpp"
#include "harness/cli/commands.hpp"
#include "harness/rules/event_findings.hpp"

namespace flexhil::cli {

namespace {

struct HubArgs {
  std::string registry;
  std::string hub;
  std::uint16_t port = 8883;
  std::optional<std::uint16_t> x509_port;  // deprecated aliases of --port (the two-port hub)
  std::optional<std::uint16_t> sas_port;
  std::optional<std::uint16_t> ws_port;
  bool tls13 = false;
  std::string bind = "127.0.0.1";
  std::string out;
  std::string pki;
  std::vector<std::string> extra_names;
  std::vector<std::string> trust;
  std::string bundle;                       // --bundle DIR: the provisioning bundle for the devices
  std::vector<std::string> bundle_devices;  // --bundle-device ID: only these (default: every X.509 device)
  std::string timestamp_key = "time";  // the payload key the TIME-… findings read
  CheckCaArgs check_ca;  // --check-ca FILE: judge a CA bundle instead of running the hub
};

std::string default_out_dir() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return std::string("reports/hub/") + stamp;
}

// --x509-port/--sas-port of the two-port hub still work, naming the one port, with one warning.
std::uint16_t device_port(const HubArgs& args, bool warn) {
  if (!args.x509_port && !args.sas_port) return args.port;
  if (args.x509_port && args.sas_port && *args.x509_port != *args.sas_port)
    throw ConfigError({"--sas-port"}, "--x509-port and --sas-port both name the one MQTTS port now and must not "
                                      "differ (got " + std::to_string(*args.x509_port) + " and " +
                                      std::to_string(*args.sas_port) + "); use --port");
  if (warn)
    std::cerr << "warning: --x509-port/--sas-port are deprecated: SAS and X.509 devices share one port; use --port\n";
  return args.x509_port ? *args.x509_port : *args.sas_port;
}

int run_hub(const HubArgs& args) {
  // Signals are blocked before any thread starts (paho, the log watcher) so that only the
  // signalfd sees Ctrl-C.
  StopSignals signals;
  const std::uint16_t port = device_port(args, true);  // a contradiction in the aliases is a usage error first
  // A malformed registry is a usage error (exit 2) before anything is created or started.
  static_cast<void>(broker::load_registry(args.registry));
  const std::string out_dir = args.out.empty() ? default_out_dir() : args.out;
  std::filesystem::create_directories(out_dir);
  std::filesystem::remove(out_dir + "/capture.jsonl");  // a reused --out starts a new capture (seq from 1)
  CaptureWriter capture(out_dir + "/capture.jsonl");
  std::mutex print_mutex;
  const auto expect = rules::bench_expectations(args.timestamp_key);
  capture.add_listener([&](const CapturedEvent& captured) {
    const Json& event = captured.json();
    const auto line = broker::hub_console_line(event);
    if (!line) return;
    std::string text = *line + '\n';
    for (const auto& l : broker::hub_message_detail(event)) text += l + '\n';
    // What the rules would say of this message or connect alone (accepted ones: a refusal's
    // reason is already on its line).
    if (EventView(event).string("verdict") == "accepted")
      for (const auto& f : rules::single_event_findings(event, expect))
        text += fmt::format("  finding     {} ({}, hub {}): {}\n", f.rule_id, rules::to_string(f.severity),
                            rules::to_string(f.hub), f.message);
    std::lock_guard lock(print_mutex);
    std::cout << text << std::flush;
  });

  broker::HubOptionsBuilder b;
  b.registry(args.registry).hub(args.hub).out_dir(out_dir).bind(args.bind).port(port).tls13(args.tls13);
  b.pki_dir(args.pki.empty() ? (std::filesystem::path(out_dir).parent_path() / "pki").string() : args.pki);
  if (args.ws_port) b.websocket_port(*args.ws_port);
  for (const auto& n : args.extra_names) b.extra_name(n);
  for (const auto& t : args.trust) b.trust(t);
  b.events_file(capture.path());  // where the bench commands (`flexhil hub c2d …`) find their answers
  broker::HubProcess hub(b.finalize(), capture);
  {
    std::lock_guard lock(print_mutex);
    broker::print_hub_banner(std::cout, hub, capture.path());
  }
  if (!args.bundle.empty()) {
    const auto bundle = broker::write_device_bundle(args.bundle, hub, args.bundle_devices);
    std::string names;
    for (const auto& f : bundle.files) names += (names.empty() ? "" : ", ") + std::filesystem::path(f).filename().string();
    std::lock_guard lock(print_mutex);
    std::cout << "provisioning bundle in " << bundle.dir << ": " << names << " (upload to /usr/, see README.txt)\n"
              << std::flush;
  }

  while (true) {
    if (const int sig = signals.wait(std::chrono::milliseconds(500))) {
      std::lock_guard lock(print_mutex);
      std::cout << "stopping (signal " << sig << ")\n" << std::flush;
      break;
    }
    if (const auto failure = hub.failure()) {
      hub.stop();
      throw InfrastructureError("the hub failed (" + failure->cause + "): " + failure->detail);
    }
    if (!hub.running()) {
      hub.stop();
      throw InfrastructureError("mosquitto stopped unexpectedly (see " + hub.log_file() + ")");
    }
  }
  hub.stop();
  if (const auto why = capture.failure(); !why.empty())
    throw InfrastructureError("capture.jsonl could not be written: " + why + " (" +
                              std::to_string(capture.lost()) + " events lost)");
  std::lock_guard lock(print_mutex);
  std::cout << "stopped; " << capture.count() << " events in " << capture.path() << '\n' << std::flush;
  return exit_code::ok;
}

}  // namespace

void add_hub_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<HubArgs>();
  // --registry is required unless --check-ca is given (then nothing is started), hence checked
  // in the callback rather than by CLI11.
  auto* cmd = app.add_subcommand("hub", "Run the impersonated Azure IoT Hub alone (mosquitto + the iothub plugin) "
                                        "for any device, a real Flexy on a lab bench included.");
  cmd->footer(
      "Prints what a device needs (host name, ports, CA file, username format), then one line per\n"
      "event with its verdict; writes <out>/capture.jsonl; Ctrl-C stops it.\n"
      "SAS and X.509 devices share one MQTTS port (8883), as on IoT Hub: the handshake requests an optional\n"
      "client certificate and takes any; a bad one is refused at CONNECT with CONNACK 5. TLS 1.2 only unless --tls13.\n"
      "--check-ca FILE judges a device's CA bundle against today's Azure roots and exits (no hub started).\n"
      "Each device message is shown with its properties, payload and the findings the rules raise on it.\n"
      "From a second terminal: flexhil hub c2d|desired|method|devices --run <out> (see their --help).\n"
      "Example: flexhil hub --registry fixtures/registry/devices.toml --bind 0.0.0.0 --extra-name 192.168.1.10\n"
      "Bench:   flexhil hub --registry bench/devices.toml --pki bench/pki --bind 0.0.0.0 --extra-name 192.168.1.10 "
      "--bundle bench/usr");
  auto* registry = cmd->add_option("--registry", args->registry, "device registry (TOML, see docs/registry.md)");
  cmd->add_option("--hub", args->hub, "hub name (default: the registry's `hub`)");
  cmd->add_option("--port", args->port, "MQTTS port for SAS and X.509 devices (0 = any free port)")->capture_default_str();
  cmd->add_option("--x509-port", args->x509_port, "deprecated: same as --port");
  cmd->add_option("--sas-port", args->sas_port, "deprecated: same as --port");
  cmd->add_option("--ws-port", args->ws_port, "enable MQTT over WebSocket (TLS) on this port, path /$iothub/websocket");
  cmd->add_flag("--tls13", args->tls13, "offer TLS 1.3 too (IoT Hub speaks 1.3 on preview hosts only; default: TLS 1.2 only)");
  cmd->add_option("--bind", args->bind, "address the device ports listen on (0.0.0.0 for a lab bench)")
      ->check(CLI::Validator(
          [](std::string& v) { return flexhil::is_ip_address(v) ? std::string() : "not a numeric IP address: " + v; },
          "IP"))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "output directory (default: reports/hub/<UTC timestamp>)");
  cmd->add_option("--pki", args->pki, "directory of the hub CA (ca.crt/ca.key, made if absent; default: <out>/../pki, "
                                      "so the CA a device trusts stays the same across runs)");
  cmd->add_option("--extra-name", args->extra_names, "extra DNS name or IP address for the hub certificate (repeatable)");
  cmd->add_option("--bundle", args->bundle,
                  "write a provisioning bundle for a real Flexy into this directory once the hub is up: ca.pem, "
                  "<DeviceId>.crt/.key of each X.509 device (the files next to its registered certificate) and "
                  "README.txt with the FTP upload steps to /usr");
  cmd->add_option("--bundle-device", args->bundle_devices,
                  "only this device in the bundle (repeatable; an error when its files are missing)");
  cmd->add_option("--timestamp-key", args->timestamp_key,
                  "payload key holding the device's timestamp, for the TIME-… findings shown under a message (\"\" = none)")
      ->capture_default_str();
  cmd->add_option("--trust", args->trust, "extra PEM CA certificate(s) a CA-signed device certificate may chain to (repeatable)")->check(CLI::ExistingFile);
  auto* check_ca = cmd->add_option("--check-ca", args->check_ca.file,
                                   "only judge this CA bundle (PEM) against Azure IoT Hub's roots, as "
                                   "`flexhil certs check-ca` does, and exit (0 ok, 1 finding, 2 not PEM)");
  check_ca->excludes(registry);
  add_check_ca_options(*cmd, args->check_ca);
  add_hub_bench_commands(*cmd, exit_code);
  cmd->callback([cmd, args, &exit_code] {
    if (!cmd->get_subcommands().empty()) return;  // a bench command ran instead of the hub
    if (!args->check_ca.file.empty()) {
      exit_code = run_check_ca(args->check_ca, std::cout);
      return;
    }
    if (args->registry.empty()) throw CLI::RequiredError("--registry");
    exit_code = run_hub(*args);
  });
}

}  // namespace flexhil::cli
