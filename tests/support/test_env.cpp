#include "tests/support/test_env.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
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

std::pair<int, std::string> run_shell(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1, out};
}

std::pair<int, std::string> flexhil_command(const std::string& args) { return run_shell(flexhil_binary() + " " + args); }

}  // namespace flexhil::testing
