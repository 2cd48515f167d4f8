#include "sim/flexy/runtime/export_block.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "sim/flexy/basic/conversions.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::flexy {

namespace {

// "$st_h4" → now − 4 h; "$st26/11/2026 10:00:00" (quoted, as it holds a space) → that time (UTC).
std::optional<std::int64_t> parse_time(const std::string& v, std::int64_t now) {
  if (!v.empty() && v[0] == '_') {
    std::size_t i = 1;
    std::int64_t unit = 60;
    if (i < v.size() && std::isalpha(static_cast<unsigned char>(v[i]))) {
      switch (std::tolower(static_cast<unsigned char>(v[i]))) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return std::nullopt;
      }
      ++i;
    }
    if (i >= v.size() || v.size() - i > 9) return std::nullopt;
    std::int64_t n = 0;
    for (; i < v.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return std::nullopt;
      n = n * 10 + (v[i] - '0');
    }
    return now - n * unit;
  }
  int d = 0, mo = 0, y = 0, h = 0, mi = 0, s = 0;
  const int n = std::sscanf(v.c_str(), "%2d/%2d/%4d %2d:%2d:%2d", &d, &mo, &y, &h, &mi, &s);
  if (n != 3 && n != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return std::nullopt;
  return basic::utc_seconds(y, mo, d, h, mi, s);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string export_text_of(const basic::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return quoted(*s);
  return basic::format_number(v, basic::NumberFormat{});
}

bool in_groups(const std::string& tag_groups, const std::string& wanted) {
  if (wanted.empty()) return true;
  for (char g : wanted)
    if (tag_groups.find(static_cast<char>(std::toupper(static_cast<unsigned char>(g)))) != std::string::npos) return true;
  return false;
}

bool same_name(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

std::optional<ExportRequest> parse_export_block(std::string_view descriptor, std::int64_t now, std::string& error) {
  ExportRequest r;
  bool has_type = false;
  std::size_t i = 0;
  const std::string d(descriptor);
  while (i < d.size()) {
    if (d[i] == ' ' || d[i] == '\t') {
      ++i;
      continue;
    }
    if (d[i] != '$' || i + 2 >= d.size()) {
      error = "export block: field expected at \"" + d.substr(i) + "\" (fields are $ and two letters: $dtIV)";
      return std::nullopt;
    }
    const std::string field = d.substr(i + 1, 2);
    i += 3;
    std::string value;
    if (i < d.size() && d[i] == '"') {
      const auto close = d.find('"', i + 1);
      if (close == std::string::npos) {
        error = "export block: unterminated quote in $" + field;
        return std::nullopt;
      }
      value = d.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      // A value runs up to the first space, '$' or '['.
      const auto stop = d.find_first_of(" \t$[", i);
      value = d.substr(i, stop == std::string::npos ? std::string::npos : stop - i);
      i = stop == std::string::npos ? d.size() : stop;
    }
    if (field == "dt") {
      r.data_type = value;
      has_type = true;
    } else if (field == "ft") {
      if (value.size() != 1) {
        error = "export block: $ft" + value + " is not a format (B, T, H or G)";
        return std::nullopt;
      }
      r.format = value[0];
    } else if (field == "st" || field == "et") {
      auto t = parse_time(value, now);
      if (!t) {
        error = "export block: $" + field + value + " is not a time (_s30, _m10, _h4, _d1 or \"DD/MM/YYYY HH:MM:SS\")";
        return std::nullopt;
      }
      (field == "st" ? r.start : r.end) = *t;
    } else if (field == "tn") {
      r.tag_name = value;
    } else if (field == "fl") {
      r.groups = value;
    }
    // Other fields ($fn, $ut, $ct, …) do not change what is read: ignored, as the guide says of
    // fields a data type does not use.
  }
  if (!has_type) {
    error = "export block: no $dt (data type) field";
    return std::nullopt;
  }
  if (r.data_type != "IV" && r.data_type != "HL" && r.data_type != "EV" && r.data_type != "AR" && r.data_type != "AH") {
    error = "export block: $dt" + r.data_type + " is not served by the emulator (IV, HL, EV, AR, AH)";
    return std::nullopt;
  }
  if (r.format != 'T') {
    error = std::string("export block: $ft") + r.format + " is not served by the emulator (only $ftT text)";
    return std::nullopt;
  }
  return r;
}

std::string render_export(const ExportRequest& request, const ExportData& data) {
  std::string out;
  const auto tag_wanted = [&](const ExportTag& t) {
    return (request.tag_name.empty() || same_name(t.name, request.tag_name)) && in_groups(t.groups, request.groups);
  };
  const auto time_text = [&](std::int64_t t) { return data.time_text ? data.time_text(t) : std::to_string(t); };
  if (request.data_type == "IV") {
    out += "\"TagId\";\"TagName\";\"Value\";\"AlStatus\";\"AlType\";\"Quality\"\r\n";
    for (const auto& t : data.tags) {
      if (!tag_wanted(t)) continue;
      out += std::to_string(t.id) + ";" + quoted(t.name) + ";" + export_text_of(t.value) + ";0;0;" + std::to_string(t.quality) + "\r\n";
    }
  } else if (request.data_type == "HL") {
    out += "\"TagId\";\"TagName\";\"TimeInt\";\"TimeStr\";\"IsInitValue\";\"Value\";\"IQuality\"\r\n";
    for (const auto& p : data.history) {
      if (p.time < request.start || p.time > request.end) continue;
      const ExportTag* tag = nullptr;
      for (const auto& t : data.tags)
        if (t.id == p.tag_id) tag = &t;
      if (!tag || !tag_wanted(*tag)) continue;
      out += std::to_string(p.tag_id) + ";" + quoted(tag->name) + ";" + std::to_string(p.time) + ";" +
             quoted(time_text(p.time)) + ";0;" + export_text_of(p.value) + ";3\r\n";
    }
  } else if (request.data_type == "EV") {
    out += "\"TimeInt\";\"TimeStr\";\"Level\";\"Message\"\r\n";
    for (const auto& e : data.events) {
      if (e.time < request.start || e.time > request.end) continue;
      out += std::to_string(e.time) + ";" + quoted(time_text(e.time)) + ";" + std::to_string(e.level) + ";" + quoted(e.message) + "\r\n";
    }
  } else if (request.data_type == "AR") {
    out += "\"AlarmId\";\"TagId\";\"TagName\";\"AlStatus\";\"AlType\";\"AlHint\";\"TimeInt\";\"TimeStr\"\r\n";
  } else {  // AH
    out += "\"AlarmId\";\"TagId\";\"TagName\";\"AlStatus\";\"AlType\";\"AlHint\";\"UserAck\";\"TimeInt\";\"TimeStr\"\r\n";
  }
  return out;
}

}  // namespace flexhil::flexy
