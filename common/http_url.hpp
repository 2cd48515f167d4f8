#pragma once
// An absolute http(s) URL as a program writes it ("http://api.example.com:8080/v1/data?x=1"),
// split into what a client needs: scheme, lower-case host, port (80/443 by default) and the
// request target. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::http {

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // lower-case, without brackets or port
  std::uint16_t port = 80;
  std::string target = "/";  // path and query, never empty
  std::string authority() const;  // "host" or "host:port" when not the scheme's default
};

// nullopt for anything else than http:// and https:// with a host (user info is refused too).
std::optional<Url> parse_url(std::string_view text);
// A server as PUTHTTP/GETHTTP take it: "host", "host:port" or a whole "http://host[:port]" prefix.
std::optional<Url> parse_server(std::string_view server, std::string_view target);

}  // namespace flexhil::http
