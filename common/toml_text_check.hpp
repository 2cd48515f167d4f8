#pragma once
// A check of TOML text before toml++ parses it. TOML 1.0 allows non-ASCII characters only inside
// strings and comments, so refusing them elsewhere changes no valid document; it is needed
// because toml++ 3.3 (Debian 12) reaches undefined behaviour (an "unreachable" branch of its
// non-ASCII whitespace table) on many of them — 'é' as a bare key, or a stray byte, found by
// fuzz/targets/registry_loader.cpp. The same branch is reached by a non-ASCII character that
// follows a backslash in a multi-line basic string (a line-ending one, or an invalid escape);
// that is refused too.
#include <optional>
#include <string>
#include <string_view>

namespace flexhil {

struct TomlTextProblem {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters
  std::string message;
};

// nullopt when toml++ may parse the text.
std::optional<TomlTextProblem> check_toml_text(std::string_view text);

}  // namespace flexhil
