#include "sim/flexy/runtime/tag_database.hpp"
#include "common/ascii_case.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ostream>

namespace flexhil::flexy {
namespace {


basic::Value as_flag(bool b) { return std::string(b ? "1" : "0"); }

}  // namespace

std::string_view to_string(QualityLevel level) {
  switch (level) {
    case QualityLevel::not_initialised: return "not-initialised";
    case QualityLevel::bad: return "bad";
    case QualityLevel::uncertain: return "uncertain";
    case QualityLevel::good: return "good";
  }
  return "bad";
}

std::ostream& operator<<(std::ostream& out, QualityLevel level) { return out << to_string(level); }

std::optional<double> numeric(const basic::Value& v) {
  if (const auto* i = std::get_if<std::int32_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

std::optional<double> number_in_text(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

TagDatabase::TagDatabase(std::vector<TagConfig> tags, bool float_storage)
    : tags_(std::move(tags)), float_storage_(float_storage) {
  states_.resize(tags_.size());
  for (std::size_t i = 0; i < tags_.size(); ++i) {
    by_name_.emplace(ascii_lower(tags_[i].name), static_cast<int>(i));
    auto& s = states_[i];
    if (tags_[i].type == TagType::string) {
      s.value = tags_[i].initial;
    } else {
      s.value = normalise(tags_[i], numeric(tags_[i].initial).value_or(0));
    }
    if (tags_[i].address) {
      s.initialised = false;
      s.quality = 0;
    }
  }
}

std::optional<int> TagDatabase::find(std::string_view name) const {
  const auto it = by_name_.find(ascii_lower(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> TagDatabase::select(const basic::Value& selector) const {
  if (const auto* s = std::get_if<std::string>(&selector)) return find(*s);
  const double n = *numeric(selector);
  const auto i = static_cast<long long>(std::llround(n));
  if (i <= 0) {
    if (-i < size()) return static_cast<int>(-i);
    return std::nullopt;
  }
  if (i <= size()) return static_cast<int>(i - 1);
  return std::nullopt;
}

QualityLevel TagDatabase::quality_level(int index) const {
  const auto& s = state(index);
  if (!s.initialised) return QualityLevel::not_initialised;
  if (s.quality < 32) return QualityLevel::bad;
  if (s.quality < 192) return QualityLevel::uncertain;
  return QualityLevel::good;
}

basic::Value TagDatabase::normalise(const TagConfig& tag, double v) const {
  if (float_storage_) {
    // Old firmware: every value is a single-precision float (a 32-bit integer is rounded).
    if (tag.type == TagType::boolean) v = v != 0 ? 1 : 0;
    return static_cast<double>(static_cast<float>(v));
  }
  switch (tag.type) {
    case TagType::boolean: return std::int32_t{v != 0 ? 1 : 0};
    case TagType::integer: {
      const double r = std::nearbyint(v);
      return static_cast<std::int32_t>(std::clamp(r, -2147483648.0, 2147483647.0));
    }
    case TagType::dword: {
      const double r = std::clamp(std::nearbyint(v), 0.0, 4294967295.0);
      if (r <= 2147483647.0) return static_cast<std::int32_t>(r);
      return r;
    }
    case TagType::floating:
    case TagType::string: break;
  }
  return static_cast<double>(static_cast<float>(v));
}

std::optional<bool> TagDatabase::store(int index, const basic::Value& v) {
  const auto& tag = config(index);
  basic::Value next;
  if (tag.type == TagType::string) {
    if (const auto* s = std::get_if<std::string>(&v))
      next = *s;
    else
      return std::nullopt;
  } else {
    auto n = numeric(v);
    // SETIO name$, value$ into a numeric tag: the text is read as a number, as the Flexy does
    // for values written from a string (the whole text, blanks around it allowed).
    if (const auto* text = std::get_if<std::string>(&v); !n && text) n = number_in_text(*text);
    if (!n) return std::nullopt;
    next = normalise(tag, *n);
  }
  auto& s = state(index);
  const bool changed = next != s.value;
  s.value = std::move(next);
  return changed;
}

basic::Value TagDatabase::engineering_value(int index, double raw) const {
  const auto& tag = config(index);
  return normalise(tag, raw * tag.coef + tag.offset);
}

double TagDatabase::raw_value(int index, double engineering) const {
  const auto& tag = config(index);
  return tag.coef == 0 ? engineering - tag.offset : (engineering - tag.offset) / tag.coef;
}

bool TagDatabase::poll_succeeded(int index, double raw) {
  auto& s = state(index);
  s.quality = s.initialised ? (s.quality + 255) / 2 : 255;
  s.initialised = true;
  auto next = engineering_value(index, raw);
  const bool changed = next != s.value;
  s.value = std::move(next);
  return changed;
}

void TagDatabase::poll_failed(int index) {
  auto& s = state(index);
  s.quality = s.quality / 2;
  s.initialised = true;
}

SlaveStatus TagDatabase::slave_status(const std::string& slave) const {
  const auto it = slaves_.find(slave);
  return it == slaves_.end() ? SlaveStatus::not_initialised : it->second;
}

const TagConfig& TagDatabase::view(int index) const {
  const auto it = pending_.find(index);
  return it == pending_.end() ? config(index) : it->second;
}

std::optional<basic::Value> TagDatabase::field(int index, std::string_view name) const {
  const auto& tag = view(index);
  const auto f = ascii_lower(name);
  if (f == "name") return tag.name;
  if (f == "id") return std::int32_t{index + 1};
  if (f == "type") return std::int32_t{static_cast<int>(tag.type)};
  if (f == "description") return tag.description;
  if (f == "tagvalue") return value(index);
  if (f == "tagquality") return std::int32_t{quality(index)};
  if (f == "coef") return tag.coef;
  if (f == "offset") return tag.offset;
  if (f == "address" || f == "ioname") return tag.address_text;
  if (f == "topic" || f == "topicname") return std::string(1, tag.topic);
  // The emulator has one IO server (Modbus TCP); a tag without an address is a memory tag.
  if (f == "servername") return std::string(tag.address ? "MODBUS" : "MEM");
  // The alarm setup as configured (alarm = {…}); AlStat/AlType of the live alarm come from the
  // device's alarm states (FlexyDevice), 0 here.
  const auto& al = tag.alarm;
  if (f == "alhint") return al.hint;
  if (f == "alenabled") return std::int32_t{al.enabled ? 1 : 0};
  if (f == "albool") return std::int32_t{al.level ? 1 : 0};
  if (f == "altm") return static_cast<std::int32_t>(al.delay_seconds);
  if (f == "alstat" || f == "altype") return std::int32_t{0};
  if (f == "alhigh") return al.high.value_or(0.0);
  if (f == "allow") return al.low.value_or(0.0);
  if (f == "alhihi") return al.hihi.value_or(0.0);
  if (f == "allolo") return al.lolo.value_or(0.0);
  if (f == "aldb") return al.deadband;
  if (f.size() == 8 && f.rfind("ivgroup", 0) == 0 && f[7] >= 'a' && f[7] <= 'd')
    return as_flag(tag.groups[static_cast<std::size_t>(f[7] - 'a')]);
  return std::nullopt;
}

basic::HostResult TagDatabase::set_field(int index, std::string_view name, const basic::Value& v) {
  auto it = pending_.find(index);
  if (it == pending_.end()) it = pending_.emplace(index, config(index)).first;
  auto& tag = it->second;
  const auto f = ascii_lower(name);
  const auto text = [&]() -> std::string {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    const double n = *numeric(v);
    return n == std::floor(n) ? std::to_string(static_cast<long long>(n)) : std::to_string(n);
  };
  if (f == "description") {
    tag.description = text();
  } else if (f == "coef" || f == "offset") {
    auto n = numeric(v);
    if (!n) {
      try {
        n = std::stod(std::get<std::string>(v));
      } catch (const std::exception&) {
        return basic::HostResult::fail(4, "SETSYS TAG: '" + std::string(name) + "' needs a number");
      }
    }
    (f == "coef" ? tag.coef : tag.offset) = *n;
  } else if (f.size() == 8 && f.rfind("ivgroup", 0) == 0 && f[7] >= 'a' && f[7] <= 'd') {
    const auto t = text();
    tag.groups[static_cast<std::size_t>(f[7] - 'a')] = !(t.empty() || t == "0");
  } else if (f == "name") {
    const auto other = find(text());
    if (other && *other != index)
      return basic::HostResult::fail(4, "SETSYS TAG: a tag named '" + text() + "' already exists");
    tag.name = text();
  } else {
    return basic::HostResult::fail(4, "SETSYS TAG: field '" + std::string(name) + "' cannot be set");
  }
  return basic::HostResult::ok();
}

basic::HostResult TagDatabase::save(int index) {
  const auto it = pending_.find(index);
  if (it == pending_.end()) return basic::HostResult::ok();
  auto& current = tags_.at(static_cast<std::size_t>(index));
  by_name_.erase(ascii_lower(current.name));
  current = it->second;
  by_name_.emplace(ascii_lower(current.name), index);
  pending_.erase(it);
  return basic::HostResult::ok();
}

}  // namespace flexhil::flexy
