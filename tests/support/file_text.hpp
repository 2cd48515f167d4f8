#pragma once
// The whole content of a file, bytes as they are ("" when it cannot be opened: tests then fail on
// what they expected to find, with the file's name in their message).
#include <filesystem>
#include <string>

namespace flexhil::testing {

std::string read_text(const std::filesystem::path& path);

}  // namespace flexhil::testing
