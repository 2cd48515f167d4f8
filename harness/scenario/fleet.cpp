#include "harness/scenario/fleet.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace flexhil::scenario {

std::optional<std::string> substitute_member_number(std::string_view text, int n, std::string* error) {
  std::string out;
  out.reserve(text.size() + 4);
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "{n") != 0) {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i);
    const auto group = text.substr(i, close == std::string_view::npos ? text.size() - i : close - i + 1);
    if (group == "{n}") {
      out += std::to_string(n);
    } else if (group.size() == 6 && group.compare(0, 4, "{n:0") == 0 && group[4] >= '1' && group[4] <= '9' &&
               group[5] == '}') {
      out += fmt::format("{:0{}}", n, group[4] - '0');
    } else {
      if (error) *error = fmt::format("'{}' is not a member number: write {{n}} or {{n:03}} (zero-padded to 3 digits)", group);
      return std::nullopt;
    }
    i += group.size();
  }
  return out;
}

namespace {

// Every string value below `node` with the member's number in place of {n}.
void substitute_all(toml::node& node, int n, const std::string& file) {
  if (auto* t = node.as_table()) {
    for (auto&& [key, value] : *t) substitute_all(value, n, file);
  } else if (auto* a = node.as_array()) {
    for (auto& value : *a) substitute_all(value, n, file);
  } else if (auto* s = node.as_string()) {
    std::string error;
    auto replaced = substitute_member_number(s->get(), n, &error);
    if (!replaced) throw ConfigError(position_of(node, file), error);
    s->get() = std::move(*replaced);
  }
}

// `from` merged into `into`: tables key by key, anything else replaced.
void merge_into(toml::table& into, const toml::table& from) {
  for (auto&& [key, value] : from) {
    auto* existing = into.get(key);
    if (existing && existing->is_table() && value.is_table()) {
      merge_into(*existing->as_table(), *value.as_table());
      continue;
    }
    into.insert_or_assign(key, value);
  }
}

// The initial value of the template's memory tag `name` ([[dut.flexy.tag]]) set to `value`.
bool set_tag_initial(toml::table& dut, std::string_view name, const toml::node& value) {
  auto* flexy = dut["flexy"].as_table();
  auto* tags = flexy ? (*flexy)["tag"].as_array() : nullptr;
  if (!tags) return false;
  for (auto& tag : *tags) {
    auto* t = tag.as_table();
    const auto* tag_name = t ? t->get_as<std::string>("name") : nullptr;
    if (!tag_name || tag_name->get() != name) continue;
    t->insert_or_assign("initial", value);
    return true;
  }
  return false;
}

struct Override {
  std::set<int> members;
  std::optional<double> start_s;
  toml::table merged;                            // keys merged into the member's [dut]
  std::vector<std::pair<std::string, const toml::node*>> tag_initial;
};

Override read_override(TomlTable& o, const FleetSpec& spec, const std::map<std::string, int>& by_id) {
  Override r;
  const int last = spec.first + spec.count - 1;
  if (const auto* m = o.node("members")) {
    const auto* arr = m->as_array();
    if (!arr) o.fail("members", "'members' is an array of member numbers, e.g. [42]");
    for (const auto& v : *arr) {
      const auto n = v.value<std::int64_t>();
      if (!n || *n < spec.first || *n > last)
        throw ConfigError(position_of(v, o.file()),
                          fmt::format("member number must be {}..{} (first .. first + count - 1)", spec.first, last));
      r.members.insert(static_cast<int>(*n));
    }
  }
  for (const auto& id : o.strings("devices")) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) o.fail("devices", fmt::format("'{}' is not a member of the fleet", id));
    r.members.insert(it->second);
  }
  if (r.members.empty()) o.fail("an override names its members: members = [42] or devices = [\"Flexy042\"]");
  r.start_s = o.seconds("start", 0, 86400 * 366);
  if (const auto* ti = o.node("tag_initial")) {
    const auto* t = ti->as_table();
    if (!t) o.fail("tag_initial", "'tag_initial' is a table of tag = initial value, e.g. { CfgLocalTime = 1 }");
    for (auto&& [key, value] : *t) r.tag_initial.emplace_back(std::string(key.str()), &value);
  }
  for (auto&& [key, value] : o.raw()) {
    const auto k = key.str();
    if (k == "members" || k == "devices" || k == "start" || k == "tag_initial") continue;
    if (k == "device" || k == "kind") o.fail(k, fmt::format("'{}' is the fleet's: a member keeps its id and kind", k));
    (void)o.node(k);  // known: the member's [dut] reader judges it
    r.merged.insert_or_assign(key, value);
  }
  o.finish();
  return r;
}

}  // namespace

std::vector<FleetMember> expand_fleet(toml::table& dut_template, TomlTable& fleet, FleetSpec& spec) {
  spec.where = fleet.where();
  spec.count = static_cast<int>(fleet.required_integer("count", 1, 5000));
  spec.first = static_cast<int>(fleet.integer("first", 1, 0, 1'000'000));
  spec.stagger_s = fleet.seconds("stagger", 0, 3600).value_or(0);
  const auto* device = dut_template.get_as<std::string>("device");
  if (!device) throw ConfigError(position_of(dut_template, fleet.file()), "[dut] needs 'device', the fleet's id pattern (e.g. \"Flexy{n:03}\")");
  spec.pattern = device->get();
  std::string error;
  const auto a = substitute_member_number(spec.pattern, spec.first, &error);
  if (!a) throw ConfigError(position_of(*device, fleet.file()), error);
  if (spec.count > 1 && *a == spec.pattern)
    throw ConfigError(position_of(*device, fleet.file()),
                      fmt::format("device '{}' is the same for every member of the fleet: put {{n}} or {{n:03}} in it "
                                  "(e.g. \"Flexy{{n:03}}\")", spec.pattern));

  const toml::table pristine = dut_template;  // before the first member's substitution
  std::vector<FleetMember> members(static_cast<std::size_t>(spec.count));
  std::map<std::string, int> by_id;
  for (int i = 0; i < spec.count; ++i) {
    auto& m = members[static_cast<std::size_t>(i)];
    m.n = spec.first + i;
    m.start_s = i * spec.stagger_s;
    toml::table* t = &dut_template;
    if (i > 0) {
      m.copy = std::make_unique<toml::table>(pristine);
      t = m.copy.get();
    }
    substitute_all(*t, m.n, fleet.file());
    // The program reads its own name (GETSYS SYS "Identification"): the member's id by default.
    if (auto* fx = (*t)["flexy"].as_table(); fx && !fx->contains("name"))
      fx->insert("name", (*t)["device"].value_or(std::string{}));
    by_id.emplace((*t)["device"].value_or(std::string{}), m.n);
    m.dut = t;
  }
  for (auto& o : fleet.tables("override")) {
    const auto ov = read_override(o, spec, by_id);
    for (const int n : ov.members) {
      auto& m = members[static_cast<std::size_t>(n - spec.first)];
      auto* t = m.copy ? m.copy.get() : &dut_template;
      merge_into(*t, ov.merged);
      if (ov.start_s) m.start_s = *ov.start_s;
      m.overrides.push_back(o.where());
      for (const auto& [tag, value] : ov.tag_initial)
        if (!set_tag_initial(*t, tag, *value))
          throw ConfigError(position_of(*value, fleet.file()),
                            fmt::format("'{}' is not a tag of [dut.flexy] ([[dut.flexy.tag]] name)", tag));
    }
  }
  fleet.finish();
  return members;
}

}  // namespace flexhil::scenario
