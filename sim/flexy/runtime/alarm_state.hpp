#pragma once
// The alarm of one tag, as the Flexy's alarm setup describes it (AlHigh, AlLow, AlHiHi, AlLoLo,
// AlBool level, AlDb deadband, AlTm delay) and the state machine RG-0006's ALSTAT reports:
//   0 none → (limit crossed; held for the delay, 1 pretrigger meanwhile) → 2 ALM
//   2 ALM → ALMACK → 3 ACK → value back inside the limits (by the deadband) → END (0)
//   2 ALM → value back → 4 RTN → ALMACK → END (0)
// Pure: fed with each polled value and the scenario time; says which transition happened.
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::flexy {

struct AlarmConfig {
  bool enabled = false;
  std::optional<double> high, low, hihi, lolo;  // alarm when above high/hihi, below low/lolo
  std::optional<bool> level;                    // boolean alarm: in alarm when the value is this
  double deadband = 0;                          // back to normal only that far inside the limit
  double delay_seconds = 0;                     // the limit must be crossed that long (pretrigger)
  std::string hint;                             // AlHint
};

enum class AlarmStatus { none = 0, pretrigger = 1, alarm = 2, acknowledged = 3, returned = 4 };

// GETSYS TAG,"AlType" of the limit that is crossed: 1 high, 2 low, 3 level, 4 hihi, 5 lolo
// (0 none) — the emulator's numbering.
enum class AlarmType { none = 0, high = 1, low = 2, level = 3, hihi = 4, lolo = 5 };

// "ALM", "ACK", "RTN", "END" (the Flexy's alarm-state names), nullopt when nothing happened.
using AlarmTransition = std::optional<std::string_view>;

class AlarmState {
 public:
  explicit AlarmState(AlarmConfig config = {}) : config_(std::move(config)) {}
  const AlarmConfig& config() const noexcept { return config_; }
  AlarmStatus status() const noexcept { return status_; }
  AlarmType type() const noexcept { return type_; }
  double since_s() const noexcept { return since_s_; }  // scenario time of the last transition

  // A new value of the tag at scenario time `now_s`.
  AlarmTransition update(double value, double now_s);
  // ALMACK: ACK from ALM, END from RTN; nullopt (and no change) when there is nothing to acknowledge.
  AlarmTransition acknowledge(double now_s);
  const std::string& acknowledged_by() const noexcept { return user_; }
  void set_acknowledged_by(std::string user) { user_ = std::move(user); }

 private:
  AlarmType crossed(double value) const;   // the limit the value is beyond, none if inside
  bool inside(double value) const;         // inside every limit by the deadband

  AlarmConfig config_;
  AlarmStatus status_ = AlarmStatus::none;
  AlarmType type_ = AlarmType::none;
  double pretrigger_from_s_ = 0;
  double since_s_ = 0;
  std::string user_;
};

}  // namespace flexhil::flexy
