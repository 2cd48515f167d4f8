#include "sim/flexy/runtime/alarm_state.hpp"

namespace flexhil::flexy {

AlarmType AlarmState::crossed(double value) const {
  const auto& c = config_;
  if (c.level) return (value != 0) == *c.level ? AlarmType::level : AlarmType::none;
  if (c.hihi && value > *c.hihi) return AlarmType::hihi;
  if (c.lolo && value < *c.lolo) return AlarmType::lolo;
  if (c.high && value > *c.high) return AlarmType::high;
  if (c.low && value < *c.low) return AlarmType::low;
  return AlarmType::none;
}

bool AlarmState::inside(double value) const {
  const auto& c = config_;
  if (c.level) return (value != 0) != *c.level;
  const double db = c.deadband;
  const auto upper = c.high ? c.high : c.hihi;
  const auto lower = c.low ? c.low : c.lolo;
  if (upper && value > *upper - db) return false;
  if (lower && value < *lower + db) return false;
  return true;
}

AlarmTransition AlarmState::update(double value, double now_s) {
  if (!config_.enabled) return std::nullopt;
  const AlarmType beyond = crossed(value);
  switch (status_) {
    case AlarmStatus::none:
    case AlarmStatus::pretrigger:
      if (beyond == AlarmType::none) {
        status_ = AlarmStatus::none;
        return std::nullopt;
      }
      if (status_ == AlarmStatus::none) {
        pretrigger_from_s_ = now_s;
        status_ = AlarmStatus::pretrigger;
      }
      if (now_s - pretrigger_from_s_ < config_.delay_seconds) return std::nullopt;
      status_ = AlarmStatus::alarm;
      type_ = beyond;
      since_s_ = now_s;
      user_.clear();
      return "ALM";
    case AlarmStatus::alarm:
      if (!inside(value)) return std::nullopt;
      status_ = AlarmStatus::returned;
      since_s_ = now_s;
      return "RTN";
    case AlarmStatus::acknowledged:
      if (!inside(value)) return std::nullopt;
      status_ = AlarmStatus::none;
      type_ = AlarmType::none;
      since_s_ = now_s;
      return "END";
    case AlarmStatus::returned:
      if (beyond == AlarmType::none) return std::nullopt;
      status_ = AlarmStatus::alarm;  // back beyond the limit before anyone acknowledged
      type_ = beyond;
      since_s_ = now_s;
      return "ALM";
  }
  return std::nullopt;
}

AlarmTransition AlarmState::acknowledge(double now_s) {
  if (status_ == AlarmStatus::alarm) {
    status_ = AlarmStatus::acknowledged;
    since_s_ = now_s;
    return "ACK";
  }
  if (status_ == AlarmStatus::returned) {
    status_ = AlarmStatus::none;
    type_ = AlarmType::none;
    since_s_ = now_s;
    return "END";
  }
  return std::nullopt;
}

}  // namespace flexhil::flexy
