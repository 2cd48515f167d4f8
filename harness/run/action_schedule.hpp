#pragma once
// The scenario's [[action]]s in time order, handed out as scenario time passes. Pure: the
// timeline stage asks due(t) on every tick and performs what it gets.
#include <cstddef>
#include <vector>

#include "harness/scenario/scenario.hpp"

namespace flexhil::run {

class ActionSchedule {
 public:
  explicit ActionSchedule(std::vector<scenario::Action> actions);  // stable-sorted by at_s
  // The actions whose time has come (at_s <= t) and that were not handed out before, in order.
  std::vector<const scenario::Action*> due(double t);
  bool done() const noexcept { return next_ >= actions_.size(); }

 private:
  std::vector<scenario::Action> actions_;
  std::size_t next_ = 0;
};

}  // namespace flexhil::run
