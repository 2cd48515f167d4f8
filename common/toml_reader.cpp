#include "common/toml_reader.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iterator>

#include "common/toml_text_check.hpp"

namespace flexhil {

toml::table parse_toml_file(const std::string& path) {
  std::error_code ec;
  // Reading a folder as a stream throws from the middle of the iterator; say what it is instead.
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError({path, 0, 0}, "is a directory, not a TOML file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    // toml++'s own words for a missing or unreadable file.
    try {
      return toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      throw ConfigError({path, 0, 0}, std::string(e.description()));
    }
  }
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& e) {
    throw ConfigError({path, 0, 0}, std::string("cannot be read: ") + e.what());
  }
  return parse_toml_string(text, path);
}

toml::table parse_toml_string(std::string_view text, const std::string& file) {
  if (const auto problem = check_toml_text(text))
    throw ConfigError({file, problem->line, problem->column}, problem->message);
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw ConfigError({file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)},
                      std::string(e.description()));
  }
}

SourcePosition position_of(const toml::node& node, const std::string& file) {
  const auto& src = node.source();
  return {file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
}

TomlTable::TomlTable(const toml::table& table, std::string file)
    : table_(&table), file_(std::move(file)) {}

SourcePosition TomlTable::where(std::string_view key) const {
  if (const auto* n = table_->get(key)) return position_of(*n, file_);
  return where();
}

bool TomlTable::has(std::string_view key) const { return table_->contains(key); }

const toml::node* TomlTable::get(std::string_view key) {
  known_.emplace(key);  // queried keys are the valid ones, present or not
  return table_->get(key);
}

const toml::node* TomlTable::node(std::string_view key) { return get(key); }

void TomlTable::type_error(std::string_view key, const char* expected) const {
  fail(key, fmt::format("'{}' must be {}", key, expected));
}

void TomlTable::fail(std::string_view key, const std::string& message) const {
  throw ConfigError(where(key), message);
}

void TomlTable::fail(const std::string& message) const { throw ConfigError(where(), message); }

std::optional<std::string> TomlTable::string(std::string_view key) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) type_error(key, "a string");
  return std::string(*n->as_string());
}

std::string TomlTable::string(std::string_view key, std::string fallback) {
  auto v = string(key);
  return v ? *v : std::move(fallback);
}

std::string TomlTable::required_string(std::string_view key) {
  auto v = string(key);
  if (!v) fail(key, fmt::format("missing required key '{}' (a string)", key));
  return *v;
}

std::string TomlTable::choice(std::string_view key, const std::vector<std::string>& choices,
                              std::string fallback) {
  auto v = string(key);
  if (!v) return fallback;
  for (const auto& c : choices)
    if (c == *v) return *v;
  fail(key, fmt::format("unknown {} '{}' (expected one of: {})", key, *v,
                        fmt::join(choices, ", ")));
}

std::optional<std::int64_t> TomlTable::integer(std::string_view key, std::int64_t min,
                                               std::int64_t max) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) type_error(key, "an integer");
  auto v = n->as_integer()->get();
  if (v < min || v > max)
    fail(key, fmt::format("'{}' = {} is out of range (expected {} to {})", key, v, min, max));
  return v;
}

std::int64_t TomlTable::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) {
  auto v = integer(key, min, max);
  return v ? *v : fallback;
}

std::int64_t TomlTable::required_integer(std::string_view key, std::int64_t min,
                                         std::int64_t max) {
  auto v = integer(key, min, max);
  if (!v) fail(key, fmt::format("missing required key '{}' (an integer)", key));
  return *v;
}

std::optional<double> TomlTable::number(std::string_view key, double min, double max) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  double v = 0;
  if (n->is_integer())
    v = static_cast<double>(n->as_integer()->get());
  else if (n->is_floating_point())
    v = n->as_floating_point()->get();
  else
    type_error(key, "a number");
  if (!(v >= min && v <= max))
    fail(key, fmt::format("'{}' = {} is out of range (expected {} to {})", key, v, min, max));
  return v;
}

double TomlTable::number(std::string_view key, double fallback, double min, double max) {
  auto v = number(key, min, max);
  return v ? *v : fallback;
}

std::optional<bool> TomlTable::boolean(std::string_view key) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) type_error(key, "true or false");
  return n->as_boolean()->get();
}

bool TomlTable::boolean(std::string_view key, bool fallback) {
  auto v = boolean(key);
  return v ? *v : fallback;
}

std::vector<std::string> TomlTable::strings(std::string_view key) {
  std::vector<std::string> out;
  const auto* n = get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) type_error(key, "an array of strings");
  for (const auto& e : *arr) {
    if (!e.is_string()) throw ConfigError(position_of(e, file_), fmt::format("'{}' must hold only strings", key));
    out.emplace_back(*e.as_string());
  }
  return out;
}

std::vector<double> TomlTable::numbers(std::string_view key) {
  std::vector<double> out;
  const auto* n = get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) type_error(key, "an array of numbers");
  for (const auto& e : *arr) {
    if (e.is_integer())
      out.push_back(static_cast<double>(e.as_integer()->get()));
    else if (e.is_floating_point())
      out.push_back(e.as_floating_point()->get());
    else
      throw ConfigError(position_of(e, file_), fmt::format("'{}' must hold only numbers", key));
  }
  return out;
}

std::optional<double> TomlTable::seconds(std::string_view key, double min, double max) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  std::optional<double> v;
  if (n->is_integer())
    v = static_cast<double>(n->as_integer()->get());
  else if (n->is_floating_point())
    v = n->as_floating_point()->get();
  else if (n->is_string())
    v = parse_duration_seconds(n->as_string()->get());
  if (!v) type_error(key, "a duration (seconds, or a string like \"250ms\", \"2s\", \"5m\", \"1h\")");
  if (!(*v >= min && *v <= max))
    fail(key, fmt::format("'{}' = {} s is out of range (expected {} to {} s)", key, *v, min, max));
  return v;
}

std::optional<TomlTable> TomlTable::table(std::string_view key) {
  const auto* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_table()) type_error(key, "a table");
  return TomlTable(*n->as_table(), file_);
}

std::vector<TomlTable> TomlTable::tables(std::string_view key) {
  std::vector<TomlTable> out;
  const auto* n = get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) type_error(key, fmt::format("an array of tables ([[{}]])", key).c_str());
  for (const auto& e : *arr) {
    if (!e.is_table())
      throw ConfigError(position_of(e, file_), fmt::format("'{}' must hold only tables", key));
    out.emplace_back(*e.as_table(), file_);
  }
  return out;
}

void TomlTable::finish() const {
  for (auto&& [k, v] : *table_) {
    if (known_.find(k.str()) == known_.end()) {
      throw ConfigError(position_of(v, file_),
                        known_.empty()
                            ? fmt::format("unknown key '{}' (this table takes no keys)", k.str())
                            : fmt::format("unknown key '{}' (expected one of: {})", k.str(),
                                          fmt::join(known_, ", ")));
    }
  }
}

}  // namespace flexhil
