#pragma once
// Where tests find what they drive: the build tree (the flexhil binary, the mosquitto plugin)
// and the source tree (fixtures). CTest sets both variables; running a test binary by hand falls
// back to the directories CMake configured.
#include <string>

namespace flexhil::testing {

std::string binary_dir();                    // build tree root
std::string source_dir();                    // source tree root
std::string flexhil_binary();                // <build>/harness/flexhil
std::string fixture(const std::string& rel);  // <source>/fixtures/<rel>

}  // namespace flexhil::testing
