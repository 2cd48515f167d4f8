#pragma once
// `[fleet]`: one `[dut]` table as the template of `count` devices (docs/scenario-fleet.md). Pure:
// the template's TOML is copied per member with `{n}` / `{n:03}` replaced by the member's number
// in every string value, per-member `[[fleet.override]]` tables merged in, and the members' start
// times staggered; the scenario loader then reads each member as it reads a `[dut]`. Copies keep
// their source positions, so an error in a member names the line of the template or override.
//
//   auto members = expand_fleet(dut_table, fleet_reader);  // members[i].dut is a [dut] table
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "common/error.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::scenario {

struct FleetSpec {
  int count = 0;
  int first = 1;          // the number {n} of the first member
  double stagger_s = 0;   // scenario seconds between two members' starts
  std::string pattern;    // the template's device id, e.g. "Flexy{n:03}"
  SourcePosition where;
};

struct FleetMember {
  int n = 0;
  double start_s = 0;     // scenario seconds
  // The member's [dut] table. The first member's is the template itself, substituted in place, so
  // the template's mistakes are reported at their lines (toml++ copies carry no source position);
  // the others are copies made before that.
  const toml::table* dut = nullptr;
  std::unique_ptr<toml::table> copy;
  // The [[fleet.override]] tables merged into this member (their keys are copies too).
  std::vector<SourcePosition> overrides;
};

// `text` with every `{n}` replaced by n and every `{n:0W}` by n zero-padded to W digits (W 1..9).
// nullopt when a brace group starting "{n" is malformed (the error names it).
std::optional<std::string> substitute_member_number(std::string_view text, int n, std::string* error = nullptr);

// Reads `[fleet]` (count, first, stagger, [[override]]) and expands the `[dut]` template. Throws
// ConfigError (file:line:col) for a bad key, a pattern without {n} when count > 1, an override
// naming no member, or an override's tag_initial naming a tag the template does not have.
std::vector<FleetMember> expand_fleet(toml::table& dut_template, TomlTable& fleet, FleetSpec& spec);

}  // namespace flexhil::scenario
