#pragma once
// Export block descriptors ("$dtIV $ftT", "$dtHL $ftT $st_h4 $et_0 $tnTemp") as a BASIC program
// reads them with OPEN "exp:…": parsing, and the text tables of the data types the emulator
// serves — instant values (IV), historical log (HL), event log (EV), alarms (AR, AH: no alarm
// is ever active in the emulator, so only the header). Pure: the data is a snapshot the device
// hands in. Where the public guides are silent the choice is in README.md ("Export blocks").
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/flexy/basic/host.hpp"

namespace flexhil::flexy {

struct ExportRequest {
  std::string data_type;      // $dt: "IV", "HL", "EV", "AR", "AH"
  char format = 'T';          // $ft: only T (text) is served
  std::int64_t start = 0;     // $st: seconds since 1970 (default 01/01/1970)
  std::int64_t end = 1924991999;  // $et: default 31/12/2030 23:59:59
  std::string tag_name;       // $tn: one tag ("" = all)
  std::string groups;         // $fl: IV groups "A".."D" ("" = all)
};

// Parses the descriptor after "exp:". `now` (seconds since 1970) resolves relative times
// ($st_m10 = ten minutes ago; s, m, h, d units; no unit = minutes). nullopt + error.
std::optional<ExportRequest> parse_export_block(std::string_view descriptor, std::int64_t now, std::string& error);

struct ExportTag {
  int id = 0;  // index + 1
  std::string name;
  basic::Value value;
  int quality = 0;  // as the IV table writes it (65472 good, 65344 uncertain, 65280 bad)
  std::string groups;  // letters of the tag's IV groups
};
struct HistoryPoint {
  int tag_id = 0;
  std::int64_t time = 0;
  basic::Value value;
};
struct EventLine {
  std::int64_t time = 0;
  int level = 0;
  std::string message;
};
struct ExportData {
  std::vector<ExportTag> tags;
  std::vector<HistoryPoint> history;  // chronological
  std::vector<EventLine> events;      // chronological
  std::function<std::string(std::int64_t)> time_text;  // "DD/MM/YYYY HH:MM:SS" as TIME$ writes it
};

// The export as text: a header line of quoted column names, then one record per line, fields
// separated by ';', strings in quotes, CRLF line ends.
std::string render_export(const ExportRequest& request, const ExportData& data);

}  // namespace flexhil::flexy
