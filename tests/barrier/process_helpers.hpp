#pragma once
// Driving the real flexhil binary from tests: its exit code and output, files, and the TCP
// sockets a process listens on (from /proc, as `ss -ltnp` sees them).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"
#include "tests/support/file_text.hpp"

namespace flexhil::testing {

struct Outcome {
  int code = -1;  // exit code, or 128 + signal
  std::string output;
};

// Runs `flexhil <args>` through the shell (arguments already quoted), stdout and stderr merged.
inline Outcome run_flexhil(const std::string& args) {
  const std::string cmd = flexhil_binary() + " " + args + " 2>&1";
  Outcome o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) o.output += buf.data();
  const int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
  return o;
}

inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct ListeningSocket {
  std::string address;  // "127.0.0.1", "0.0.0.0", "::", "::1", …
  int port = 0;
  bool wildcard() const { return address == "0.0.0.0" || address == "::"; }
};

namespace detail {

inline std::string ipv4_of(const std::string& hex) {  // "0100007F" → "127.0.0.1" (little endian)
  const unsigned long v = std::stoul(hex, nullptr, 16);
  return std::to_string(v & 0xFF) + "." + std::to_string((v >> 8) & 0xFF) + "." + std::to_string((v >> 16) & 0xFF) +
         "." + std::to_string((v >> 24) & 0xFF);
}

inline std::string ipv6_of(const std::string& hex) {
  if (hex == std::string(32, '0')) return "::";
  if (hex == "00000000000000000000000001000000") return "::1";
  if (hex.substr(0, 24) == "0000000000000000FFFF0000") return "::ffff:" + ipv4_of(hex.substr(24));
  return hex;  // any other specific address: not a wildcard
}

}  // namespace detail

// Every TCP socket in LISTEN state whose inode is held open by process `pid`.
inline std::vector<ListeningSocket> listening_sockets_of(int pid) {
  namespace fs = std::filesystem;
  std::vector<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const auto target = fs::read_symlink(fd.path(), ec).string();
    if (target.rfind("socket:[", 0) == 0) inodes.push_back(target.substr(8, target.size() - 9));
  }
  std::vector<ListeningSocket> out;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_text(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string sl, local, remote, state, queues, timer, retr, uid, timeout, inode;
      f >> sl >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode;
      if (state != "0A") continue;  // TCP_LISTEN
      if (std::find(inodes.begin(), inodes.end(), inode) == inodes.end()) continue;
      const auto colon = local.find(':');
      const auto host = local.substr(0, colon);
      out.push_back({host.size() == 8 ? detail::ipv4_of(host) : detail::ipv6_of(host),
                     static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16))});
    }
  }
  return out;
}

}  // namespace flexhil::testing
