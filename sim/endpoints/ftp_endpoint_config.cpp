#include "sim/endpoints/ftp_endpoint_config.hpp"

#include <filesystem>
#include <fmt/format.h>

#include "sim/endpoints/ftp_session.hpp"

namespace flexhil::endpoints {
namespace {

std::string under_base(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (std::filesystem::path(base_dir) / p).string();
}

}  // namespace

FtpEndpointConfig load_ftp_endpoint_config(TomlTable& t, const std::string& base_dir) {
  FtpEndpointConfig c;
  c.where = t.where();
  c.user = t.string("user", "");
  c.password = t.string("password", "");
  if (!c.password.empty() && c.user.empty()) t.fail("password", "'password' needs a 'user'");
  if (const auto code = t.integer("fail_code", 400, 599)) c.fail_code = static_cast<int>(*code);
  std::error_code ec;
  if (const auto dir = t.string("serve_dir")) {
    c.serve_dir = under_base(base_dir, *dir);
    if (!std::filesystem::is_directory(c.serve_dir, ec))
      t.fail("serve_dir", fmt::format("'{}' is not a folder", c.serve_dir));
  }
  if (auto files = t.table("files")) {
    for (const auto& [key, value] : files->raw()) {
      const std::string server(key.str());
      const auto local = under_base(base_dir, files->required_string(server));
      const auto normal = resolve_ftp_path("/", server);
      if (!normal || *normal == "/")
        files->fail(server, fmt::format("'{}' is not a server file path (no '..', no control bytes)", server));
      if (!std::filesystem::is_regular_file(local, ec))
        files->fail(server, fmt::format("file '{}' cannot be read", local));
      c.files[*normal] = local;
    }
    files->finish();
  }
  t.finish();
  return c;
}

std::optional<std::string> served_file(const FtpEndpointConfig& config, const std::string& server_path) {
  if (const auto it = config.files.find(server_path); it != config.files.end()) return it->second;
  if (config.serve_dir.empty()) return std::nullopt;
  // server_path is normalised (no ".."), so this stays inside serve_dir — unless a symbolic
  // link there leads out, which the scenario's author put there on purpose.
  const auto local = std::filesystem::path(config.serve_dir) / server_path.substr(1);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(local, ec)) return std::nullopt;
  return local.string();
}

}  // namespace flexhil::endpoints
