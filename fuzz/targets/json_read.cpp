// The JSON reader's fast path (common/json_fast_read.hpp) against nlohmann's parser: whatever
// the fast path accepts, nlohmann accepts with the same value and the same number types; the
// fast path never accepts what nlohmann refuses. read_json() itself never throws. read_json_head()
// accepts only what the fast path accepts, as an object, and its plain strings and unsigned
// numbers are the values the parse gives.
#include "fuzz/support/fuzz_target.hpp"
#include "common/json_fast_read.hpp"
#include "common/json_read.hpp"

using namespace flexhil;

namespace {

bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia.key() != ib.key() || !same(*ia, *ib)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a.dump() == b.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto fast = read_json_fast(text, 16);
  const auto full = read_json(text, 16);  // the fast path, then nlohmann
  if (fast) {
    const Json reference = Json::parse(text.begin(), text.end(), nullptr, false);
    fuzz::require(!reference.is_discarded());
    fuzz::require(same(*fast, reference));
    fuzz::require(full.ok() && same(*full.value, reference));
  }
  if (!full.ok()) fuzz::require(full.error_offset <= size && !full.error.empty());
  if (const auto head = read_json_head(text, 16)) {
    fuzz::require(fast && fast->is_object());
    for (const auto& m : head->members) {
      const auto it = fast->find(std::string(m.key));
      fuzz::require(it != fast->end());
      if (head->find(m.key) != &m) continue;  // a duplicate: the last one counts
      if (const auto s = head->plain_string(m.key)) fuzz::require(it->is_string() && *it == std::string(*s));
      if (const auto n = head->unsigned_number(m.key)) fuzz::require(it->is_number_unsigned() && *it == *n);
    }
  }
  return 0;
}
