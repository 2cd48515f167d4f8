#pragma once
// The emulated Flexy's historical log: per tag, the last values the runtime stored (a poll that
// changed the value, a SETIO), bounded so a long run cannot grow it without end. Served as
// OPEN "exp:$dtHL …". Pure: the caller gives the time.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/export_block.hpp"

namespace flexhil::flexy {

class TagHistory {
 public:
  explicit TagHistory(std::size_t points_per_tag = 1000) : per_tag_(points_per_tag == 0 ? 1 : points_per_tag) {}
  void record(int tag_id, std::int64_t time, basic::Value value);
  std::vector<HistoryPoint> chronological() const;  // every tag, oldest first
  std::size_t size(int tag_id) const;

 private:
  std::size_t per_tag_;
  std::map<int, std::deque<HistoryPoint>> points_;
};

}  // namespace flexhil::flexy
