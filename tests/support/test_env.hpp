#pragma once
// Where tests find what they drive: the build tree (the flexhil binary, the mosquitto plugin)
// and the source tree (fixtures). CTest sets both variables; running a test binary by hand falls
// back to the directories CMake configured.
#include <string>
#include <utility>

namespace flexhil::testing {

std::string binary_dir();                    // build tree root
std::string source_dir();                    // source tree root
std::string flexhil_binary();                // <build>/harness/flexhil
std::string fixture(const std::string& rel);  // <source>/fixtures/<rel>

// Runs `command` through the shell, stdout and stderr merged: {exit code or 128 + signal, output}.
std::pair<int, std::string> run_shell(const std::string& command);
// `flexhil <args>` (arguments already quoted for the shell).
std::pair<int, std::string> flexhil_command(const std::string& args);

}  // namespace flexhil::testing
