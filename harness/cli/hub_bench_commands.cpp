// `flexhil hub c2d|desired|method|devices --run DIR …`: a bench user's second terminal to a
// running hub, like `az iot device c2d-message send`, `az iot hub device-twin update`,
// `az iot hub invoke-device-method` and `az iot hub device-identity list`. The commands go over
// the hub's internal listener (broker/hub_bench_client.hpp); the answer is the plugin's event.
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include "broker/hub_bench_client.hpp"
#include "broker/plugin_options.hpp"
#include "common/error.hpp"
#include "common/event_view.hpp"
#include "common/json_read.hpp"
#include "harness/cli/commands.hpp"

namespace flexhil::cli {

namespace {

using namespace std::chrono_literals;
// How long the plugin may take to record a command it was sent (it does so within milliseconds).
constexpr auto kAnswerTimeout = 5s;

struct BenchArgs {
  std::string run;
  std::string device;
  std::vector<std::string> properties;  // c2d: k=v (k alone = a null value)
  std::optional<std::int64_t> ttl_s;
  std::string body;                     // c2d: PAYLOAD or @file; desired: JSON
  std::string method;
  std::string payload = "{}";
  double timeout_s = 30;
  bool wait = false;  // c2d: wait for the message's fate (like az iot device c2d-message send --wait)
};

bool has_request(const Json& e, const std::string& request) { return EventView(e).string("request") == request; }

void require_registered(const broker::HubBenchClient& hub, const std::string& device) {
  if (!hub.registry().find_device(device))
    throw ConfigError({"--device"}, fmt::format("device '{}' is not in the hub's registry {} (IoT Hub answers 404 "
                                                "DeviceNotFound)", device, hub.access().registry));
}

Json parse_json_argument(const std::string& what, const std::string& text) {
  const Json j = parse_json_or_discarded(text);
  if (j.is_discarded()) throw ConfigError({what}, "not valid JSON: " + text);
  return j;
}

[[noreturn]] void no_answer(const std::string& what) {
  throw InfrastructureError(fmt::format("the hub did not record the {} within {} s (see its broker.log)", what,
                                        std::chrono::duration_cast<std::chrono::seconds>(kAnswerTimeout).count()));
}

std::string c2d_body(const std::string& arg) {
  if (arg.empty() || arg[0] != '@') return arg;
  std::ifstream in(arg.substr(1), std::ios::binary);
  if (!in) throw ConfigError({arg.substr(1)}, "cannot read the C2D payload file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A queued message's fate, as the real hub's feedback tells the sender: delivered when the device
// connects and subscribes (over MQTT the hub completes it then), or expired, or dropped. Exit 1
// when the device did not take it (expired, dropped, or still queued at --timeout): that is the
// device's doing, as with az's feedback "Expired".
int wait_for_c2d_fate(broker::HubBenchClient& hub, const BenchArgs& a, const std::string& mid) {
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_s * 1000));
  const auto e = hub.wait_for(
      [&](const Json& ev) {
        const auto kind = EventView(ev).kind();
        return (kind == "c2d_delivered" || kind == "c2d_expired" || kind == "c2d_dropped") &&
               EventView(ev).string("mid") == mid;
      },
      timeout);
  if (!e) {
    std::cout << fmt::format("c2d {} to {}: still queued after {:g} s (the device did not connect and subscribe)\n",
                             mid, a.device, a.timeout_s);
    return exit_code::findings;
  }
  const EventView v(*e);
  if (v.kind() == "c2d_delivered") {
    std::cout << fmt::format("c2d {} to {}: delivered after {} ms in the queue\n", mid, a.device,
                             v.display("waited_ms"));
    return exit_code::ok;
  }
  if (v.kind() == "c2d_expired")
    std::cout << fmt::format("c2d {} to {}: expired after {} ms in the queue, never delivered\n", mid, a.device,
                             v.display("waited_ms"));
  else
    std::cout << fmt::format("c2d {} to {}: dropped ({}: {})\n", mid, a.device, v.string("reason"),
                             v.string("detail"));
  return exit_code::findings;
}

int run_c2d(const BenchArgs& a) {
  Json props = Json::object();
  for (const auto& p : a.properties) {
    const auto eq = p.find('=');
    const std::string name = p.substr(0, eq);
    if (name.empty()) throw ConfigError({"--property"}, "'" + p + "' has no name (expected k=v)");
    props[name] = eq == std::string::npos ? Json() : Json(p.substr(eq + 1));
  }
  const std::string body = c2d_body(a.body);
  broker::HubBenchClient hub(a.run);
  require_registered(hub, a.device);
  const auto request = hub.new_request_id();
  Json cmd{{"device", a.device}, {"body_b64", base64_encode(body)}, {"props", props}, {"request", request}};
  if (a.ttl_s) cmd["ttl_s"] = *a.ttl_s;
  hub.send(broker::internal_topics::command_c2d, cmd);
  const auto e = hub.wait_for(
      [&](const Json& ev) {
        const auto kind = EventView(ev).kind();
        return (kind == "c2d_sent" || kind == "c2d_refused") && has_request(ev, request);
      },
      kAnswerTimeout);
  if (!e) no_answer("C2D message");
  const EventView v(*e);
  if (v.kind() == "c2d_refused") {
    std::cerr << fmt::format("error: the hub refused the message to {}: {}: {}\n", a.device, v.string("reason_id"),
                             v.string("reason"));
    // Too large is the sender's input; a full queue is the device not taking its messages.
    return v.string("reason_id") == "C2D-QUEUE-FULL" ? exit_code::findings : exit_code::usage;
  }
  if (v.flag("delivered")) {
    std::cout << fmt::format("c2d {} to {}: delivered ({} B)\n", v.string("mid"), a.device, v.display("size"));
    return exit_code::ok;
  }
  std::cout << fmt::format("c2d {} to {}: {} ({} pending, expires {})\n", v.string("mid"), a.device,
                           v.string("reason"), v.display("pending"), v.string("expires"))
            << std::flush;
  return a.wait ? wait_for_c2d_fate(hub, a, v.string("mid")) : exit_code::ok;
}

int run_desired(const BenchArgs& a) {
  const Json patch = parse_json_argument("JSON", a.body);
  if (!patch.is_object()) throw ConfigError({"JSON"}, "the desired-properties patch must be a JSON object");
  broker::HubBenchClient hub(a.run);
  require_registered(hub, a.device);
  const auto request = hub.new_request_id();
  hub.send(broker::internal_topics::command_desired, Json{{"device", a.device}, {"patch", patch}, {"request", request}});
  const auto e = hub.wait_for(
      [&](const Json& ev) { return EventView(ev).kind() == "desired_update" && has_request(ev, request); },
      kAnswerTimeout);
  if (!e) no_answer("desired-properties update");
  const EventView v(*e);
  std::cout << fmt::format("desired properties of {} at $version {}: {}\n", a.device, v.display("version"),
                           v.flag("delivered") ? "pushed to the device"
                                               : "not pushed (" + v.string("reason") +
                                                     "); the device reads them with a twin GET");
  return exit_code::ok;
}

int run_method(const BenchArgs& a) {
  const Json payload = parse_json_argument("--payload", a.payload);
  broker::HubBenchClient hub(a.run);
  require_registered(hub, a.device);
  // The $rid is the correlation id: it must be a plain topic segment, which the request id is.
  const auto rid = hub.new_request_id();
  hub.send(broker::internal_topics::command_method,
           Json{{"device", a.device}, {"method", a.method}, {"rid", rid}, {"payload", payload}});
  const auto sent = hub.wait_for(
      [&](const Json& ev) {
        const auto kind = EventView(ev).kind();
        return (kind == "method_request" && EventView(ev).string("rid") == rid) || kind == "command_rejected";
      },
      kAnswerTimeout);
  if (!sent) no_answer("method request");
  if (EventView(*sent).kind() == "command_rejected")
    throw ConfigError({"--name"}, "the hub rejected the method call: " + EventView(*sent).string("reason"));
  if (!EventView(*sent).flag("delivered")) {
    std::cerr << fmt::format("error: 404 DeviceNotOnline: {} ({})\n", a.device, EventView(*sent).string("reason"));
    return exit_code::findings;
  }
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_s * 1000));
  const auto answer = hub.wait_for(
      [&](const Json& ev) { return EventView(ev).kind() == "method_response" && EventView(ev).string("rid") == rid; },
      timeout);
  if (!answer) {
    std::cerr << fmt::format("error: 504 GatewayTimeout: {} did not answer method '{}' within {} s\n", a.device,
                             a.method, a.timeout_s);
    return exit_code::findings;
  }
  std::string text;
  base64_decode(EventView(*answer).text("payload_b64"), text);
  Json body = parse_json_or_discarded(text);
  if (body.is_discarded()) body = text;  // IoT Hub requires JSON; show what the device sent anyway
  Json out{{"status", EventView(*answer).integer("status").value_or(0)}, {"payload", body}};
  std::cout << out.dump(2) << '\n';
  return exit_code::ok;
}

int run_devices(const BenchArgs& a) {
  broker::HubBenchClient hub(a.run);
  const auto request = hub.new_request_id();
  hub.send(broker::internal_topics::command_devices, Json{{"request", request}});
  const auto e = hub.wait_for(
      [&](const Json& ev) { return EventView(ev).kind() == "device_status" && has_request(ev, request); },
      kAnswerTimeout);
  if (!e) no_answer("device list");
  std::cout << fmt::format("{:<24} {:<10} {:<26} {}\n", "DEVICE", "CONNECTED", "LAST SEEN", "PENDING C2D");
  const Json* devices = EventView(*e).has("devices") ? &(*e)["devices"] : nullptr;
  if (devices && devices->is_array())
    for (const auto& d : *devices) {
      const EventView v(d);
      std::string connected = v.flag("connected") ? "yes" : "no";
      if (v.flag("connected") && v.has("clean_session")) connected += v.flag("clean_session") ? " (cs1)" : " (cs0)";
      const auto seen = v.string("last_seen");
      std::cout << fmt::format("{:<24} {:<10} {:<26} {}\n", v.string("device"), connected, seen.empty() ? "never" : seen,
                               v.display("pending_c2d"));
    }
  return exit_code::ok;
}

CLI::App* bench_subcommand(CLI::App& hub, const char* name, const char* description, const char* example,
                           BenchArgs& args) {
  auto* cmd = hub.add_subcommand(name, description);
  cmd->footer(std::string("DIR is the folder a running `flexhil hub` (--out) or `flexhil run` writes; it holds\n"
                          "hub-access.json while the hub runs. Exit: 0 ok, 1 the device did not take it, 2 bad input,\n"
                          "3 no hub running there.\nExample: ") + example);
  cmd->add_option("--run", args.run, "the running hub's folder")->required();
  return cmd;
}

}  // namespace

void add_hub_bench_commands(CLI::App& hub, int& exit_code) {
  auto args = std::make_shared<BenchArgs>();

  auto* c2d = bench_subcommand(hub, "c2d", "Send a cloud-to-device message to a device (like az iot device c2d-message send).",
                               "flexhil hub c2d --run reports/hub/20261202T080000Z --device Flexy1 --property cmd=reset --ttl 60 '{\"reset\":1}'",
                               *args);
  c2d->add_option("--device", args->device, "device id")->required();
  c2d->add_option("--property", args->properties, "application property k=v (repeatable; k alone = no value)");
  c2d->add_option("--ttl", args->ttl_s, "time to live in seconds (1 to 172800; default: the hub's 3600, no $.exp)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{172800}));
  c2d->add_flag("--wait", args->wait,
                "wait for a queued message's fate: delivered (exit 0), expired, dropped or still queued at "
                "--timeout (exit 1)");
  c2d->add_option("--timeout", args->timeout_s, "with --wait: seconds to wait")
      ->check(CLI::Range(0.1, 172800.0))
      ->capture_default_str();
  c2d->add_option("PAYLOAD", args->body, "the message body, or @file")->required();
  c2d->callback([args, &exit_code] { exit_code = run_c2d(*args); });

  auto* desired = bench_subcommand(hub, "desired", "Update a device's desired properties (like az iot hub device-twin update --desired).",
                                   "flexhil hub desired --run reports/hub/20261202T080000Z --device Flexy1 '{\"interval\":10}'",
                                   *args);
  desired->add_option("--device", args->device, "device id")->required();
  desired->add_option("JSON", args->body, "the patch, a JSON object")->required();
  desired->callback([args, &exit_code] { exit_code = run_desired(*args); });

  auto* method = bench_subcommand(hub, "method", "Invoke a direct method and print the device's status and payload (like az iot hub invoke-device-method).",
                                  "flexhil hub method --run reports/hub/20261202T080000Z --device Flexy1 --name reboot --payload '{\"delay\":0}'",
                                  *args);
  method->add_option("--device", args->device, "device id")->required();
  method->add_option("--name", args->method, "method name")->required();
  method->add_option("--payload", args->payload, "request payload (JSON)")->capture_default_str();
  method->add_option("--timeout", args->timeout_s, "seconds to wait for the device's answer")
      ->check(CLI::Range(0.1, 300.0))
      ->capture_default_str();
  method->callback([args, &exit_code] { exit_code = run_method(*args); });

  auto* devices = bench_subcommand(hub, "devices", "List the registry's devices: connected or not, last seen, pending C2D messages.",
                                   "flexhil hub devices --run reports/hub/20261202T080000Z", *args);
  devices->callback([args, &exit_code] { exit_code = run_devices(*args); });
}

}  // namespace flexhil::cli
