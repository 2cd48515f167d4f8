#pragma once
// The Flexy's tag database: tags in configured index order, case-insensitive names, values with
// quality, per-slave communication status, change detection for ONCHANGE and the GETSYS/SETSYS
// TAG field view. Pure: no sockets, no threads (FlexyDevice serialises access).
//
// Quality follows the HMS formula Q = (Qprev + 255*success)/2 on every poll; a tag is *bad*
// below 32 (three failed reads after good), *uncertain* below 192 and *good* above. A failed
// read keeps the last value (spec: *unverified*). A polled tag starts "not initialised"
// (quality 0) and jumps to 255 on its first good read. Memory tags are always good.
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::flexy {

enum class QualityLevel { not_initialised, bad, uncertain, good };
std::string_view to_string(QualityLevel level);
std::ostream& operator<<(std::ostream& out, QualityLevel level);

// Communication status of one Modbus slave (GETSYS of the IO server): 0 not initialised, 1 OK, 2 NOT OK.
enum class SlaveStatus { not_initialised = 0, ok = 1, not_ok = 2 };

class TagDatabase {
 public:
  TagDatabase(std::vector<TagConfig> tags, bool float_storage);

  int size() const noexcept { return static_cast<int>(tags_.size()); }
  const TagConfig& config(int index) const { return tags_.at(static_cast<std::size_t>(index)); }
  std::optional<int> find(std::string_view name) const;  // case-insensitive
  // SETSYS TAG,"load",x: a name, a negative (or zero) 0-based index -i, or a positive id (index+1).
  std::optional<int> select(const basic::Value& selector) const;

  const basic::Value& value(int index) const { return state(index).value; }
  int quality(int index) const { return state(index).quality; }
  QualityLevel quality_level(int index) const;

  // Converts `v` to the tag's type (and to single precision under the float storage policy) and
  // stores it; true when the stored value changed. Strings into numeric tags are rejected
  // (nullopt), as the Flexy raises a type error.
  std::optional<bool> store(int index, const basic::Value& v);
  // The engineering value of a raw Modbus reading: raw × Coef + Offset, in the tag's type.
  basic::Value engineering_value(int index, double raw) const;
  // The raw value to write for an engineering value: (v − Offset) / Coef.
  double raw_value(int index, double engineering) const;
  // A good poll: stores the value, updates quality; true when the value changed (ONCHANGE).
  bool poll_succeeded(int index, double raw);
  // A failed poll: the value is kept, quality falls.
  void poll_failed(int index);

  void set_slave_status(const std::string& slave, SlaveStatus status) { slaves_[slave] = status; }
  SlaveStatus slave_status(const std::string& slave) const;

  // GETSYS TAG,"field" for a loaded tag (Name, Id, Type, Description, TagValue, TagQuality,
  // IVGroupA..D, Coef, Offset, Address, Topic, ServerName (MODBUS or MEM), and the alarm fields
  // AlEnabled, AlBool, AlTm, AlHint, AlHigh, AlLow, AlHiHi, AlLoLo, AlDb as configured, AlStat and
  // AlType 0 (the device answers them from its alarm states); case-insensitive); nullopt = unknown field.
  std::optional<basic::Value> field(int index, std::string_view name) const;
  // SETSYS TAG,"field",v edits a pending copy; save() applies it.
  basic::HostResult set_field(int index, std::string_view name, const basic::Value& v);
  basic::HostResult save(int index);

 private:
  struct State {
    basic::Value value;
    int quality = 255;
    bool initialised = true;
  };
  const State& state(int index) const { return states_.at(static_cast<std::size_t>(index)); }
  State& state(int index) { return states_.at(static_cast<std::size_t>(index)); }
  const TagConfig& view(int index) const;  // pending edit if any
  basic::Value normalise(const TagConfig& tag, double v) const;

  std::vector<TagConfig> tags_;
  std::vector<State> states_;
  std::map<std::string, int> by_name_;  // lower-case name -> index
  std::map<int, TagConfig> pending_;
  std::map<std::string, SlaveStatus> slaves_;
  bool float_storage_;
};

// Numeric value of a BASIC value (strings -> nullopt).
std::optional<double> numeric(const basic::Value& v);
// The whole text as a number ("12.5", " -3 "), or nullopt ("abc", "12 V").
std::optional<double> number_in_text(std::string_view text);

}  // namespace flexhil::flexy
