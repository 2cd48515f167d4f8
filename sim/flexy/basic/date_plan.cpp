#include "sim/flexy/basic/date_plan.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "common/ascii_case.hpp"

namespace flexhil::basic {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 12>* names;  // month / weekday abbreviations, or null
  int names_first;                           // value of names[0]
};

const std::array<const char*, 12> kMonths{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const std::array<const char*, 12> kWeekdays{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "", "", "", "", ""};

const std::array<FieldSpec, 5> kFields{{{"minutes", 0, 59, nullptr, 0},
                                        {"hours", 0, 23, nullptr, 0},
                                        {"days", 1, 31, nullptr, 0},
                                        {"months", 1, 12, &kMonths, 1},
                                        {"weekdays", 0, 7, &kWeekdays, 0}}};

struct FieldError {
  std::string message;
};


int value_of(std::string_view text, const FieldSpec& f) {
  if (text.empty()) throw FieldError{"empty value"};
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    int v = 0;
    for (char c : text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw FieldError{"'" + std::string(text) + "' is not a number"};
      v = v * 10 + (c - '0');
      if (v > 1000) break;
    }
    if (v < f.min || v > f.max)
      throw FieldError{std::to_string(v) + " is out of range " + std::to_string(f.min) + "-" + std::to_string(f.max)};
    return v;
  }
  if (f.names) {
    const std::string u = ascii_upper(text);
    for (std::size_t i = 0; i < f.names->size(); ++i)
      if (u == (*f.names)[i]) return f.names_first + static_cast<int>(i);
  }
  throw FieldError{"'" + std::string(text) + "' is not a value of this field"};
}

// Sets the values of one field into `out` (indexed by value); `star` tells whether it was `*`.
std::vector<bool> parse_field(std::string_view text, const FieldSpec& f, bool& star) {
  std::vector<bool> out(static_cast<std::size_t>(f.max + 1), false);
  star = text == "*";
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const auto comma = text.find(',', begin);
    std::string_view item = text.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin);
    int step = 1;
    if (const auto slash = item.find('/'); slash != std::string_view::npos) {
      const std::string_view s = item.substr(slash + 1);
      if (s.empty() || s.size() > 4) throw FieldError{"bad step '" + std::string(s) + "'"};
      step = 0;
      for (char c : s) {
        if (!std::isdigit(static_cast<unsigned char>(c))) throw FieldError{"bad step '" + std::string(s) + "'"};
        step = step * 10 + (c - '0');
      }
      if (step < 1) throw FieldError{"a step must be at least 1"};
      item = item.substr(0, slash);
    }
    int from = f.min, to = f.max;
    if (item != "*") {
      if (const auto dash = item.find('-'); dash != std::string_view::npos && dash > 0) {
        from = value_of(item.substr(0, dash), f);
        to = value_of(item.substr(dash + 1), f);
        if (to < from) throw FieldError{"range " + std::string(item) + " goes backwards"};
      } else {
        from = value_of(item, f);
        to = step > 1 ? f.max : from;  // "5/15" = from 5 every 15
      }
    }
    for (int v = from; v <= to; v += step) out[static_cast<std::size_t>(v)] = true;
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return out;
}

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

DatePlanParse parse_date_plan(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) break;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    fields.push_back(text.substr(i, j - i));
    i = j;
  }
  if (fields.size() != 5)
    return {std::nullopt, "a plan has 5 fields \"mm hh dd MM ww\", got " + std::to_string(fields.size())};
  DatePlan plan;
  for (std::size_t f = 0; f < 5; ++f) {
    bool star = false;
    std::vector<bool> set;
    try {
      set = parse_field(fields[f], kFields[f], star);
    } catch (const FieldError& e) {
      return {std::nullopt, "field " + std::to_string(f + 1) + " (" + kFields[f].name + "): " + e.message};
    }
    for (std::size_t v = 0; v < set.size(); ++v) {
      if (!set[v]) continue;
      switch (f) {
        case 0: plan.minutes.set(v); break;
        case 1: plan.hours.set(v); break;
        case 2: plan.days.set(v); break;
        case 3: plan.months.set(v); break;
        default: plan.weekdays.set(v % 7); break;  // 7 = Sunday
      }
    }
    if (f == 2) plan.any_day = star;
    if (f == 4) plan.any_weekday = star;
  }
  return {plan, {}};
}

bool plan_matches(const DatePlan& plan, const LocalMinute& t) {
  if (!plan.minutes.test(static_cast<std::size_t>(t.minute)) || !plan.hours.test(static_cast<std::size_t>(t.hour)) ||
      !plan.months.test(static_cast<std::size_t>(t.month)))
    return false;
  const bool day = plan.days.test(static_cast<std::size_t>(t.day));
  const bool weekday = plan.weekdays.test(static_cast<std::size_t>(t.weekday));
  if (!plan.any_day && !plan.any_weekday) return day || weekday;
  return day && weekday;
}

LocalMinute local_minute(std::int64_t utc_seconds, std::int32_t offset_seconds) {
  const std::int64_t local = utc_seconds + offset_seconds;
  const std::int64_t days = floor_div(local, 86400);
  const std::int64_t in_day = local - days * 86400;
  LocalMinute t;
  int y = 1970;
  civil_from_days(days, y, t.month, t.day);
  t.hour = static_cast<int>(in_day / 3600);
  t.minute = static_cast<int>(in_day % 3600 / 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  return t;
}

std::optional<std::int64_t> next_plan_time(const DatePlan& plan, std::int64_t after_utc,
                                           const std::function<std::int32_t(std::int64_t)>& offset_at) {
  std::int64_t t = floor_div(after_utc, 60) * 60 + 60;
  const std::int64_t limit = t + 5LL * 366 * 86400;
  while (t < limit) {
    const std::int32_t offset = offset_at(t);
    const LocalMinute local = local_minute(t, offset);
    if (plan_matches(plan, local)) return t;
    const bool day_possible = plan.months.test(static_cast<std::size_t>(local.month)) &&
                              (plan.any_day && plan.any_weekday
                                   ? true
                                   : (!plan.any_day && !plan.any_weekday)
                                         ? plan.days.test(static_cast<std::size_t>(local.day)) ||
                                               plan.weekdays.test(static_cast<std::size_t>(local.weekday))
                                         : plan.days.test(static_cast<std::size_t>(local.day)) &&
                                               plan.weekdays.test(static_cast<std::size_t>(local.weekday)));
    std::int64_t skip = 60;
    if (!day_possible) {
      skip = (24 - local.hour) * 3600LL - local.minute * 60LL;  // to the next local midnight
    } else if (!plan.hours.test(static_cast<std::size_t>(local.hour))) {
      skip = (60 - local.minute) * 60LL;  // to the next local hour
    }
    // Across a change of offset (DST) the local clock jumps: go minute by minute there.
    if (skip > 60 && offset_at(t + skip) != offset) skip = 60;
    t += skip;
  }
  return std::nullopt;
}

}  // namespace flexhil::basic
