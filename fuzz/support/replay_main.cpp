// The fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput once on every file of the
// folders given (sorted, so a failure names the same file every time). The first folder is the
// seed corpus and must hold at least one file; the others (regressions) may be absent.
//   fuzz_<name>_replay fuzz/corpus/<name> fuzz/regressions/<name>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/support/fuzz_target.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string contents_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " <corpus-dir> [<regression-dir>...]\n";
    return 2;
  }
  std::size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path dir = argv[i];
    const bool is_corpus = i == 1;
    if (!fs::is_directory(dir)) {
      if (is_corpus) {
        std::cerr << "error: corpus folder " << dir << " does not exist\n";
        return 2;
      }
      continue;
    }
    const auto files = files_in(dir);
    if (is_corpus && files.empty()) {
      std::cerr << "error: corpus folder " << dir << " is empty\n";
      return 2;
    }
    for (const auto& file : files) {
      // Named before it runs: after a crash the last line says which input did it.
      std::cout << "input " << file.string() << std::endl;
      const std::string bytes = contents_of(file);
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++total;
    }
  }
  std::cout << total << " inputs ran without a crash\n";
  return 0;
}
