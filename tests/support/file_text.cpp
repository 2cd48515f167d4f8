#include "tests/support/file_text.hpp"

#include <fstream>
#include <iterator>

namespace flexhil::testing {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace flexhil::testing
