#pragma once
// What `flexhil hub` shows on its console: the banner telling a device (or the person setting
// one up on a lab bench) how to reach the hub, and one line per captured event. Plain functions
// on an std::ostream so the command, a test or another front end can use them.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "broker/hub_process.hpp"
#include "common/event.hpp"

namespace flexhil::broker {

// Host name, ports, CA file, username and SAS formats, registry, capture and broker log, and a
// warning for every device mosquitto will refuse (registered by thumbprint only).
void print_hub_banner(std::ostream& out, const HubProcess& hub, const std::string& capture_path);

// The console line for a captured event, or nothing for the once-a-second liveness answer
// (pong), which is not news to a person watching.
std::optional<std::string> hub_console_line(const Json& event);

// Under an accepted device publish, what `az iot hub monitor-events --properties all` shows:
// "  system      {…}" (the message's `$.` properties by their Azure names plus what the hub
// stamps: iothub-connection-device-id, iothub-enqueuedtime, iothub-message-source),
// "  application {…}" and "  payload     …" (the body as received, UTF-8 text or a hex dump,
// cut after 4 KB). Nothing for other events.
std::vector<std::string> hub_message_detail(const Json& event);

}  // namespace flexhil::broker
