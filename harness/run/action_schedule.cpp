#include "harness/run/action_schedule.hpp"

#include <algorithm>

namespace flexhil::run {

ActionSchedule::ActionSchedule(std::vector<scenario::Action> actions) : actions_(std::move(actions)) {
  // Stable: two actions at the same time keep the order the scenario wrote them in.
  std::stable_sort(actions_.begin(), actions_.end(),
                   [](const scenario::Action& a, const scenario::Action& b) { return a.at_s < b.at_s; });
}

std::vector<const scenario::Action*> ActionSchedule::due(double t) {
  std::vector<const scenario::Action*> out;
  while (next_ < actions_.size() && actions_[next_].at_s <= t) out.push_back(&actions_[next_++]);
  return out;
}

}  // namespace flexhil::run
