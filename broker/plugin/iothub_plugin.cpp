// Entry points of the mosquitto plugin `iothub` (plugin API v5, mosquitto 2.0.11): parse the
// options, load the registry, register the callbacks, and hand every event to the HubPlugin
// kept in the userdata pointer. Only the three mosquitto_plugin_* symbols are exported
// (exports.map).
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "broker/plain_broker.hpp"
#include "broker/plugin/hub_plugin.hpp"
#include "common/error.hpp"

namespace {

using flexhil::broker::plugin::HubPlugin;

// What mosquitto keeps for us between init and cleanup.
struct Userdata {
  mosquitto_plugin_id_t* id = nullptr;
  std::unique_ptr<HubPlugin> hub;
};

// Exceptions must never cross into mosquitto's C code: log and fall back to "deny".
template <typename Event, int (HubPlugin::*Handler)(Event&)>
int dispatch(int, void* event_data, void* userdata) {
  auto* ud = static_cast<Userdata*>(userdata);
  try {
    return (ud->hub.get()->*Handler)(*static_cast<Event*>(event_data));
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "iothub plugin: %s", e.what());
  } catch (...) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "iothub plugin: unknown error");
  }
  return MOSQ_ERR_UNKNOWN;
}

constexpr auto on_basic_auth = &dispatch<mosquitto_evt_basic_auth, &HubPlugin::on_basic_auth>;
constexpr auto on_acl_check = &dispatch<mosquitto_evt_acl_check, &HubPlugin::on_acl_check>;
constexpr auto on_message = &dispatch<mosquitto_evt_message, &HubPlugin::on_message>;
constexpr auto on_disconnect = &dispatch<mosquitto_evt_disconnect, &HubPlugin::on_disconnect>;
constexpr auto on_tick = &dispatch<mosquitto_evt_tick, &HubPlugin::on_tick>;

struct Registration {
  int event;
  MOSQ_FUNC_generic_callback callback;
};
constexpr Registration kCallbacks[] = {
    {MOSQ_EVT_BASIC_AUTH, on_basic_auth}, {MOSQ_EVT_ACL_CHECK, on_acl_check}, {MOSQ_EVT_MESSAGE, on_message},
    {MOSQ_EVT_DISCONNECT, on_disconnect}, {MOSQ_EVT_TICK, on_tick},
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int mosquitto_plugin_version(int supported_version_count,
                                                                     const int* supported_versions) {
  for (int i = 0; i < supported_version_count; ++i)
    if (supported_versions[i] == 5) return 5;
  return -1;
}

__attribute__((visibility("default"))) int mosquitto_plugin_init(mosquitto_plugin_id_t* identifier, void** userdata,
                                                                  struct mosquitto_opt* options, int option_count) {
  auto ud = std::make_unique<Userdata>();
  ud->id = identifier;
  try {
    std::vector<std::pair<std::string, std::string>> opts;
    for (int i = 0; i < option_count; ++i)
      opts.emplace_back(options[i].key ? options[i].key : "", options[i].value ? options[i].value : "");
    auto parsed = flexhil::broker::parse_iothub_options(opts);
    if (parsed.plain) {
      std::vector<flexhil::broker::PlainUser> users;
      if (!parsed.users_file.empty()) {
        std::ifstream in(parsed.users_file, std::ios::binary);
        if (!in) throw std::invalid_argument("cannot read plugin_opt_users_file " + parsed.users_file);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        users = flexhil::broker::parse_plain_users(text);
      }
      ud->hub = std::make_unique<HubPlugin>(std::move(parsed), flexhil::broker::Registry{}, std::move(users));
    } else {
      auto registry = flexhil::broker::load_registry(parsed.registry);
      if (registry.hub.empty() && parsed.hub.empty())
        throw std::invalid_argument("no hub name: set `hub` in " + parsed.registry + " or plugin_opt_hub");
      ud->hub = std::make_unique<HubPlugin>(std::move(parsed), std::move(registry));
    }
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "iothub plugin: %s", e.what());
    return MOSQ_ERR_INVAL;
  }
  for (const auto& r : kCallbacks) {
    if (mosquitto_callback_register(identifier, r.event, r.callback, nullptr, ud.get()) != MOSQ_ERR_SUCCESS) {
      mosquitto_log_printf(MOSQ_LOG_ERR, "iothub plugin: cannot register callback for event %d", r.event);
      for (const auto& u : kCallbacks) mosquitto_callback_unregister(identifier, u.event, u.callback, nullptr);
      return MOSQ_ERR_UNKNOWN;
    }
  }
  mosquitto_log_printf(MOSQ_LOG_INFO, "iothub plugin: ready");
  *userdata = ud.release();
  return MOSQ_ERR_SUCCESS;
}

__attribute__((visibility("default"))) int mosquitto_plugin_cleanup(void* userdata, struct mosquitto_opt*, int) {
  std::unique_ptr<Userdata> ud(static_cast<Userdata*>(userdata));
  if (ud)
    for (const auto& r : kCallbacks) mosquitto_callback_unregister(ud->id, r.event, r.callback, nullptr);
  return MOSQ_ERR_SUCCESS;
}

}  // extern "C"
