#pragma once
// The emulated Flexy's information record: GETSYS PRG,"SERNUM" and GETSYS/SETSYS INF,"…".
// Pure: derived from the configuration only, so a run is repeatable.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::flexy {

// A serial number in the Flexy's "NNNN-NNNN-NN" shape, derived from the device name (FNV-1a),
// so two emulated devices differ and one device keeps its number from run to run.
std::string serial_number(std::string_view device_name);

inline constexpr const char* kCodeName = "Flexy 205";
inline constexpr const char* kFirmwareVersion = "14.9";

// GETSYS <group>,"<field>" (group "PRG" or "INF", field case-insensitive): PRG/INF SERNUM, INF
// CodeName, FwrVersion and NbTags; nullopt = unknown.
std::optional<basic::Value> device_info_field(const FlexyConfig& config, std::string_view group, std::string_view field);

// MEMORY "<which>" (upper case): free bytes the emulated Flexy 205 reports — constants (README.md
// policy): "PROG" free program memory, "VAR" free variable memory, "ALL" the two together.
inline constexpr std::int32_t kFreeProgramMemory = 130547;
inline constexpr std::int32_t kFreeVariableMemory = 4194304;
std::optional<std::int32_t> device_memory_figure(std::string_view which);

// SETSYS INF,"LOAD" is accepted (the record is always loaded); every other field is read-only.
basic::HostResult set_device_info_field(std::string_view group, std::string_view field);

}  // namespace flexhil::flexy
