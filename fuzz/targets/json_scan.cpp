// The payload JSON scanner of the rules. Never throws (json_scan.hpp); its answer must be
// consistent: a root or an error offset inside the text, never both.
#include "fuzz/support/fuzz_target.hpp"
#include "common/json_scan.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto scan = scan_json(text);
  fuzz::require(scan.root.has_value() != scan.error_offset.has_value());
  if (scan.error_offset) fuzz::require(*scan.error_offset <= size && !scan.error.empty());
  for (const auto& issue : scan.duplicate_keys) fuzz::require(issue.offset <= size);
  for (const auto& issue : scan.control_characters) fuzz::require(issue.offset <= size);
  if (const auto bad = first_invalid_utf8(text)) fuzz::require(*bad < size);
  return 0;
}
