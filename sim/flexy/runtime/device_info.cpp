#include "sim/flexy/runtime/device_info.hpp"
#include "common/ascii_case.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace flexhil::flexy {

namespace {
}  // namespace

std::string serial_number(std::string_view device_name) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : device_name) h = (h ^ c) * 1099511628211ull;
  char text[16];
  std::snprintf(text, sizeof text, "%04u-%04u-%02u", static_cast<unsigned>(h % 10000),
                static_cast<unsigned>((h / 10000) % 10000), static_cast<unsigned>((h / 100000000) % 100));
  return text;
}

std::optional<basic::Value> device_info_field(const FlexyConfig& config, std::string_view group, std::string_view field) {
  const std::string g = ascii_upper(group), f = ascii_upper(field);
  if ((g == "PRG" || g == "INF") && f == "SERNUM") return basic::Value{serial_number(config.device_name)};
  if (g != "INF") return std::nullopt;
  // The emulator's identity (our choice, README.md): a Flexy 205 on a firmware with the MQTT
  // command family (>= 14).
  if (f == "CODENAME") return basic::Value{std::string(kCodeName)};
  if (f == "FWRVERSION") return basic::Value{std::string(kFirmwareVersion)};
  if (f == "NBTAGS") return basic::Value{static_cast<std::int32_t>(config.tags.size())};
  return std::nullopt;
}

basic::HostResult set_device_info_field(std::string_view group, std::string_view field) {
  if (ascii_upper(group) == "INF" && ascii_upper(field) == "LOAD") return basic::HostResult::ok();
  return basic::HostResult::fail(10, "unknown or read-only field");
}

std::optional<std::int32_t> device_memory_figure(std::string_view which) {
  if (which == "PROG") return kFreeProgramMemory;
  if (which == "VAR") return kFreeVariableMemory;
  if (which == "ALL") return kFreeProgramMemory + kFreeVariableMemory;
  return std::nullopt;
}

}  // namespace flexhil::flexy
