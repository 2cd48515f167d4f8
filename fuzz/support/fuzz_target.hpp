#pragma once
// What every fuzz target defines (libFuzzer's entry point), and small helpers to turn the raw
// bytes into the arguments of the function under test.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace flexhil::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its first `count - 1` newlines: several string arguments from one input,
// in a form a person can write as a seed file. Missing fields are empty.
inline std::vector<std::string_view> fields(std::string_view text, std::size_t count) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < count) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.push_back(text);
  out.resize(count);
  return out;
}

// A broken invariant of the code under test: abort, so that libFuzzer keeps the input and the
// replay test fails. (An assert would vanish from release builds.)
inline void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace flexhil::fuzz
