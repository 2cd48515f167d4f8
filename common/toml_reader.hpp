#pragma once
// Strict reading of TOML configuration: every key read is checked for type and range, every key
// not read is an error ("unknown key"), and every error names file:line:col and the valid choices.
// Used by the device registry, scenarios, PLC points and the Flexy configuration alike.
//
//   auto doc = flexhil::parse_toml_file("scenario.toml");
//   flexhil::TomlTable t(doc, "scenario.toml");
//   auto name = t.required_string("name");
//   auto scale = t.number("time_scale", 1.0, /*min*/ 0.001, /*max*/ 1000.0);
//   for (auto& dev : t.tables("device")) { ... dev.finish(); }
//   t.finish();  // throws on unknown keys
#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/duration.hpp"
#include "common/error.hpp"

namespace flexhil {

// Parses a TOML file; syntax errors become ConfigError with the parser's position.
toml::table parse_toml_file(const std::string& path);
// Parses TOML text (tests, inline documents); `file` names it in errors.
toml::table parse_toml_string(std::string_view text, const std::string& file);

SourcePosition position_of(const toml::node& node, const std::string& file);

class TomlTable {
 public:
  TomlTable(const toml::table& table, std::string file);

  const std::string& file() const noexcept { return file_; }
  const toml::table& raw() const noexcept { return *table_; }
  SourcePosition where() const { return position_of(*table_, file_); }
  SourcePosition where(std::string_view key) const;  // the key's value, or the table if absent
  bool has(std::string_view key) const;

  std::optional<std::string> string(std::string_view key);
  std::string string(std::string_view key, std::string fallback);
  std::string required_string(std::string_view key);
  // One of `choices` (case-sensitive); the error lists them.
  std::string choice(std::string_view key, const std::vector<std::string>& choices,
                     std::string fallback);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  std::int64_t required_integer(std::string_view key, std::int64_t min, std::int64_t max);
  // Integers are accepted where a number is expected.
  std::optional<double> number(std::string_view key, double min, double max);
  double number(std::string_view key, double fallback, double min, double max);
  std::optional<bool> boolean(std::string_view key);
  bool boolean(std::string_view key, bool fallback);
  std::vector<std::string> strings(std::string_view key);  // array of strings; absent = empty
  std::vector<double> numbers(std::string_view key);       // array of numbers; absent = empty
  // Durations as "250ms", "2s", "1.5m", "1h" or a number of seconds.
  std::optional<double> seconds(std::string_view key, double min, double max);

  std::optional<TomlTable> table(std::string_view key);
  // An array of tables ([[key]]); absent = empty.
  std::vector<TomlTable> tables(std::string_view key);
  const toml::node* node(std::string_view key);  // marks the key as known

  // Throws ConfigError for the first key that was never asked for, listing the known keys.
  void finish() const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const toml::node* get(std::string_view key);
  [[noreturn]] void type_error(std::string_view key, const char* expected) const;

  const toml::table* table_;
  std::string file_;
  std::set<std::string, std::less<>> known_;
};


}  // namespace flexhil
