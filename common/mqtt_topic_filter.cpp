#include "common/mqtt_topic_filter.hpp"

#include <vector>

namespace flexhil {
namespace {

std::vector<std::string_view> levels(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

}  // namespace

bool is_valid_topic_filter(std::string_view filter) {
  if (filter.empty()) return false;
  const auto parts = levels(filter);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto p = parts[i];
    if (p.find('#') != std::string_view::npos && (p != "#" || i + 1 != parts.size())) return false;
    if (p.find('+') != std::string_view::npos && p != "+") return false;
  }
  return true;
}

bool topic_matches_filter(std::string_view filter, std::string_view topic) {
  if (!is_valid_topic_filter(filter) || topic.empty()) return false;
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;
  const auto f = levels(filter), t = levels(topic);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == "#") return true;
    if (i >= t.size()) return false;
    if (f[i] != "+" && f[i] != t[i]) return false;
  }
  return f.size() == t.size();
}

}  // namespace flexhil
