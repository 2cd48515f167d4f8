#pragma once
// Shared helpers of the runtime's integration tests: a usr folder with the hub CA and a device
// certificate, waiting for hub events, decoding their payloads.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <mutex>
#include <string>
#include <vector>

#include "common/event.hpp"
#include "tests/broker/hub_fixture.hpp"

namespace flexhil::testing {

// <dir>/usr with ca.pem (the hub CA) and, when given, <id>.crt / <id>.key.
inline std::string make_usr_dir(HubFixture& f, const std::string& name, const DeviceCert* cert = nullptr) {
  const auto usr = f.dir().path() / name;
  std::filesystem::create_directories(usr);
  std::filesystem::copy_file(f.ca_file(), usr / "ca.pem", std::filesystem::copy_options::overwrite_existing);
  if (cert) {
    std::filesystem::copy_file(cert->crt, usr / (cert->id + ".crt"), std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(cert->key, usr / (cert->id + ".key"), std::filesystem::copy_options::overwrite_existing);
  }
  return usr.string();
}

inline bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

inline std::string payload_of(const Json& e) {
  std::string out;
  base64_decode(e.value("payload_b64", std::string()), out);
  return out;
}

// Accepted publishes of `device` in the hub's audit stream, in order.
inline std::vector<Json> publishes(HubFixture& f, const std::string& device) {
  std::vector<Json> out;
  for (const auto& e : f.events().events())
    if (e.value("kind", "") == "publish" && e.value("device", "") == device) out.push_back(e);
  return out;
}

// Thread-safe list of what callbacks saw.
template <typename T>
class Recorder {
 public:
  void add(T v) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(v));
  }
  std::vector<T> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    items_.clear();
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<T> items_;
};

}  // namespace flexhil::testing

namespace flexhil::testing {

// The PLC behind the fixture configurations (fixtures/flexy/azure_*.toml).
inline const char* kFixturePlc = R"(
[plc]
[[plc.point]]
name = "Temperature"
address = "40001F"
waveform = "constant"
value = 21.5
[[plc.point]]
name = "Counter"
address = "40003D"
waveform = "constant"
value = 123456
[[plc.point]]
name = "Pressure"
address = "30001"
waveform = "constant"
value = 1013
[[plc.point]]
name = "Running"
address = "1"
waveform = "constant"
value = 1
)";

// Replaces `Name = ...` in a program's configuration block (the lines a user edits).
inline std::string configure_program(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    const auto at = text.find("\n" + name + " = ");
    if (at == std::string::npos) throw std::logic_error("no configuration line for " + name);
    const auto end = text.find('\n', at + 1);
    text.replace(at + 1, end - at - 1, name + " = " + value);
  }
  return text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace flexhil::testing
