#pragma once
// Every value a PLC point took, with the scenario time it took it: what end-to-end checks
// compare published values with ("what did Temperature read at t = 12.5 s?").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flexhil::plc {

struct PlcChange {
  double scenario_s = 0;
  int unit = 0;
  std::string point;
  std::optional<double> old_value;  // none for the initial value
  double new_value = 0;
  std::string cause;                // "initial", "waveform", "client-write", "api"
};

class ValueHistory {
 public:
  void record(PlcChange change);  // scenario times of one point must not decrease
  // The value `point` held at scenario time t (the last change at or before t).
  std::optional<double> value_at(const std::string& point, double scenario_s) const;
  std::vector<PlcChange> changes() const { return changes_; }
  std::vector<PlcChange> changes_of(const std::string& point) const;
  std::size_t size() const noexcept { return changes_.size(); }

 private:
  std::vector<PlcChange> changes_;
  std::map<std::string, std::vector<std::pair<double, double>>, std::less<>> by_point_;
};

}  // namespace flexhil::plc
