#include "harness/scenario/toml_json.hpp"

#include <fmt/format.h>
#include <sstream>

#include "common/json_read.hpp"

namespace flexhil::scenario {

Json toml_to_json(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    Json out = Json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = toml_to_json(v);
    return out;
  }
  if (const auto* a = node.as_array()) {
    Json out = Json::array();
    for (const auto& v : *a) out.push_back(toml_to_json(v));
    return out;
  }
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return i->get();
  if (const auto* f = node.as_floating_point()) return f->get();
  if (const auto* b = node.as_boolean()) return b->get();
  std::ostringstream text;  // dates and times: their TOML spelling
  node.visit([&](const auto& v) { text << v; });
  return text.str();
}

Json json_value(TomlTable& t, const char* key, bool required) {
  const auto* n = t.node(key);
  if (!n) {
    if (required) t.fail(key, fmt::format("missing required key '{}' (a table or JSON text)", key));
    return Json::object();
  }
  if (const auto* s = n->as_string()) {
    auto r = read_json(s->get());
    if (!r.ok()) t.fail(key, fmt::format("'{}' is not valid JSON: {} (at byte {})", key, r.error, r.error_offset));
    return std::move(*r.value);
  }
  return toml_to_json(*n);
}

}  // namespace flexhil::scenario
