#include "tests/support/test_env.hpp"

#include <cstdlib>

namespace flexhil::testing {

namespace {
std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
}  // namespace

std::string binary_dir() { return env_or("FLEXHIL_BINARY_DIR", FLEXHIL_DEFAULT_BINARY_DIR); }
std::string source_dir() { return env_or("FLEXHIL_SOURCE_DIR", FLEXHIL_DEFAULT_SOURCE_DIR); }
std::string flexhil_binary() { return binary_dir() + "/harness/flexhil"; }
std::string fixture(const std::string& rel) { return source_dir() + "/fixtures/" + rel; }

}  // namespace flexhil::testing
