#pragma once
// The scenario's [[action]]s in time order, handed out as scenario time passes. Pure: the
// timeline stage asks due(t) on every tick and performs what it gets.
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "harness/scenario/scenario.hpp"

namespace flexhil::run {

class ActionSchedule {
 public:
  explicit ActionSchedule(std::vector<scenario::Action> actions);  // stable-sorted by at_s
  // The actions whose time has come (at_s <= t) and that were not handed out before, in order.
  std::vector<const scenario::Action*> due(double t);
  bool done() const noexcept { return next_ >= actions_.size(); }
  // Scenario time of the next action not handed out yet; nullopt when none is left.
  std::optional<double> next_at() const {
    return done() ? std::nullopt : std::optional<double>(actions_[next_].at_s);
  }
  // How long the timeline may sleep at scenario time `t` (scale: scenario seconds per wall
  // second) and still perform the next action on time: at most `tick`, at least 1 ms.
  std::chrono::milliseconds sleep_before_next(double t, double scale, std::chrono::milliseconds tick) const;

 private:
  std::vector<scenario::Action> actions_;
  std::size_t next_ = 0;
};

}  // namespace flexhil::run
