#include "common/http_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>

namespace flexhil::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "host" or "host:port" into the URL; false when malformed.
bool split_authority(std::string_view authority, Url& url) {
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const auto digits = authority.substr(colon + 1);
    int port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535)
      return false;
    url.port = static_cast<std::uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return false;
  const bool ok = std::all_of(authority.begin(), authority.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
  if (!ok) return false;
  url.host = lower(authority);
  return true;
}

}  // namespace

std::string Url::authority() const {
  const std::uint16_t standard = scheme == "https" ? 443 : 80;
  return port == standard ? host : fmt::format("{}:{}", host, port);
}

std::optional<Url> parse_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  url.port = url.scheme == "https" ? 443 : 80;
  auto rest = text.substr(sep + 3);
  const auto slash = rest.find_first_of("/?#");
  if (!split_authority(rest.substr(0, slash), url)) return std::nullopt;
  if (slash != std::string_view::npos) {
    auto target = rest.substr(slash);
    target = target.substr(0, target.find('#'));  // a fragment never goes on the wire
    url.target = std::string(target);
    if (url.target.empty() || url.target.front() == '?') url.target = "/" + url.target;
  }
  if (std::any_of(url.target.begin(), url.target.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
    return std::nullopt;
  return url;
}

std::optional<Url> parse_server(std::string_view server, std::string_view target) {
  std::string t(target);
  if (t.empty() || t.front() != '/') t = "/" + t;
  if (server.find("://") != std::string_view::npos) {
    auto url = parse_url(server);
    if (!url) return std::nullopt;
    if (url->target == "/") url->target = t;
    else url->target = (url->target.back() == '/' ? url->target.substr(0, url->target.size() - 1) : url->target) + t;
    return url;
  }
  return parse_url("http://" + std::string(server) + t);
}

}  // namespace flexhil::http
