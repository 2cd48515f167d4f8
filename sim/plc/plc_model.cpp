#include "sim/plc/plc_model.hpp"

#include "sim/plc/value_codec.hpp"

namespace flexhil::plc {
namespace {

bool overlaps(std::uint32_t a_first, std::uint32_t a_count, std::uint32_t b_first, std::uint32_t b_count) {
  return a_first < b_first + b_count && b_first < a_first + a_count;
}

}  // namespace

PlcModel::PlcModel(PlcConfig config) : config_(std::move(config)) {
  for (int u : config_.units) units_.emplace(u, std::make_unique<RegisterMap>());
  points_.reserve(config_.points.size());
  for (const auto& p : config_.points) {
    auto* map = units_.at(p.unit).get();
    map->declare(p.table, p.offset, p.count(), p.writable);
    points_.push_back(PointState{&p, Waveform(p.waveform), map, 0, std::nullopt});
  }
}

bool PlcModel::serves_unit(int unit) const { return units_.count(unit) != 0; }

RegisterMap* PlcModel::unit_map(int unit) {
  auto it = units_.find(unit);
  return it == units_.end() ? nullptr : it->second.get();
}

void PlcModel::record_change(PointState& p, std::optional<double> old_value, double t, const char* cause) {
  PlcChange c{t, p.config->unit, p.config->name, old_value, p.value, cause};
  {
    auto e = make_event("plc_change");
    e["unit"] = c.unit;
    e["point"] = c.point;
    e["old"] = old_value ? Json(*old_value) : Json(nullptr);
    e["new"] = c.new_value;
    e["cause"] = c.cause;
    e["scenario_s"] = t;
    outbox_.push_back(std::move(e));
  }
  history_.record(std::move(c));
}

void PlcModel::advance(double t) {
  for (auto& p : points_) {
    const auto& cfg = *p.config;
    const double v = quantize_value(p.wave.at(t), cfg.type);
    if (p.wave_value && *p.wave_value == v) continue;
    p.wave_value = v;
    if (!started_) {
      p.value = v;
      p.map->store(cfg.table, cfg.offset, cfg.type, cfg.word_order, v);
      record_change(p, std::nullopt, t, "initial");
      continue;
    }
    if (v == p.value) continue;
    const double old = p.value;
    p.value = v;
    p.map->store(cfg.table, cfg.offset, cfg.type, cfg.word_order, v);
    record_change(p, old, t, "waveform");
  }
  started_ = true;
}

std::uint8_t PlcModel::access_exception(int unit, const RequestCheck& request) const {
  const auto it = units_.find(unit);
  if (it == units_.end()) return 0x0B;
  const auto& map = *it->second;
  const bool zero = config_.unmapped == UnmappedPolicy::zero;
  for (int i = 0; i < request.range_count; ++i) {
    const auto& r = request.ranges[i];
    if (!zero && !map.all_declared(r.table, r.first, r.count)) return 0x02;
    if (r.write) {
      // In "zero" mode undeclared addresses of writable tables take writes; declared read-only
      // points never do.
      for (const auto& p : points_) {
        if (p.config->unit != unit || p.config->table != r.table) continue;
        if (!p.config->writable && overlaps(p.config->offset, static_cast<std::uint32_t>(p.config->count()), r.first, r.count))
          return 0x02;
      }
      if (!zero && !map.all_writable(r.table, r.first, r.count)) return 0x02;
    }
  }
  return 0;
}

void PlcModel::after_write(int unit, const RequestCheck& request, double t) {
  for (int i = 0; i < request.range_count; ++i) {
    const auto& r = request.ranges[i];
    if (!r.write) continue;
    for (auto& p : points_) {
      const auto& cfg = *p.config;
      if (cfg.unit != unit || cfg.table != r.table ||
          !overlaps(cfg.offset, static_cast<std::uint32_t>(cfg.count()), r.first, r.count))
        continue;
      const double v = p.map->load(cfg.table, cfg.offset, cfg.type, cfg.word_order);
      if (v == p.value) continue;
      const double old = p.value;
      p.value = v;
      record_change(p, old, t, "client-write");
    }
  }
}

bool PlcModel::set_value(const std::string& point, double value, double t) {
  for (auto& p : points_) {
    if (p.config->name != point) continue;
    const auto& cfg = *p.config;
    const double v = quantize_value(value, cfg.type);
    if (v == p.value) return true;
    const double old = p.value;
    p.value = v;
    p.map->store(cfg.table, cfg.offset, cfg.type, cfg.word_order, v);
    record_change(p, old, t, "api");
    return true;
  }
  return false;
}

std::optional<double> PlcModel::value(const std::string& point) const {
  for (const auto& p : points_)
    if (p.config->name == point) return p.value;
  return std::nullopt;
}

bool PlcModel::fault_applies(const FaultSpec& f, const RequestCheck& request) const {
  if (f.unit && *f.unit != request.unit) return false;
  const bool by_points = !f.points.empty();
  const bool by_range = f.table.has_value();
  if (!by_points && !by_range) return true;
  for (int i = 0; i < request.range_count; ++i) {
    const auto& r = request.ranges[i];
    if (by_range && *f.table == r.table && overlaps(f.first, f.count, r.first, r.count)) return true;
    if (by_points) {
      for (const auto& name : f.points) {
        const auto* p = config_.find_point(name);
        if (p && p->unit == request.unit && p->table == r.table &&
            overlaps(p->offset, static_cast<std::uint32_t>(p->count()), r.first, r.count))
          return true;
      }
    }
  }
  return false;
}

void PlcModel::record_fault(const FaultSpec& f, bool start, double t) {
  FaultRecord rec{t, f.unit, std::string(to_string(f.kind)), start ? "start" : "end", f.describe()};
  {
    auto e = make_event("plc_fault");
    e["unit"] = f.unit ? Json(*f.unit) : Json(nullptr);
    e["fault"] = rec.fault;
    e["state"] = rec.state;
    e["detail"] = rec.detail;
    e["scenario_s"] = t;
    outbox_.push_back(std::move(e));
  }
  fault_log_.push_back(std::move(rec));
}

}  // namespace flexhil::plc
