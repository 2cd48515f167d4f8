#pragma once
// What the run's FTP sink accepts and serves (`[endpoints.ftp]`, docs/scenarios.md): an
// optional user/password (else any login is accepted), what RETR (the device's GETFTP) gets —
// `serve_dir`, a folder whose files are served by their path under it, and `files`, server
// paths mapped to single files (a file entry wins) — and `fail_code`, a reply every STOR and
// RETR gets instead of a transfer. Pure, loaded strictly (file:line:col); paths are resolved
// against the scenario's folder.
#include <map>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::endpoints {

struct FtpEndpointConfig {
  std::string user;       // "" = any login
  std::string password;
  std::string serve_dir;  // "" = none
  std::map<std::string, std::string> files;  // "/recipes/r1.txt" → local file
  int fail_code = 0;      // 0 = transfers happen; else a 4xx/5xx reply to STOR and RETR
  SourcePosition where;
};

// [endpoints.ftp]; calls t.finish(). `base_dir`: what relative paths are relative to.
FtpEndpointConfig load_ftp_endpoint_config(TomlTable& t, const std::string& base_dir = ".");

// The local file RETR of `server_path` ("/a/b.txt", normalised) sends, or nullopt.
std::optional<std::string> served_file(const FtpEndpointConfig& config, const std::string& server_path);

}  // namespace flexhil::endpoints
