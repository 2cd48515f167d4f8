#include "broker/plain_broker.hpp"

#include <stdexcept>

#include "common/event.hpp"
#include "common/json_read.hpp"

namespace flexhil::broker {

std::string render_plain_users(const std::vector<PlainUser>& users) {
  std::string out;
  for (const auto& u : users) out += Json{{"name", u.name}, {"password", u.password}}.dump() + "\n";
  return out;
}

std::vector<PlainUser> parse_plain_users(std::string_view text) {
  std::vector<PlainUser> users;
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    const Json j = parse_json_or_discarded(line);
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("password") ||
        !j["password"].is_string())
      throw std::invalid_argument("users file line " + std::to_string(line_no) +
                                  ": expected {\"name\": \"...\", \"password\": \"...\"}");
    users.push_back({j["name"].get<std::string>(), j["password"].get<std::string>()});
  }
  return users;
}

PlainConnectVerdict judge_plain_connect(const std::vector<PlainUser>& users, const std::optional<std::string>& username,
                                        const std::optional<std::string>& password) {
  PlainConnectVerdict v;
  if (users.empty()) {
    v.accepted = true;
    v.auth = "anonymous";
    return v;
  }
  v.auth = "password";
  auto refuse = [&](std::string why) {
    v.reason_id = kPlainCredentialsRefused;
    v.reason = std::move(why);
    return v;
  };
  if (!username || username->empty()) return refuse("no username: the broker allows no anonymous clients");
  const PlainUser* user = nullptr;
  for (const auto& u : users)
    if (u.name == *username) user = &u;
  if (!user) return refuse("unknown user '" + *username + "'");
  if (!password) return refuse("no password for user '" + *username + "'");
  if (*password != user->password) return refuse("wrong password for user '" + *username + "'");
  v.accepted = true;
  return v;
}

}  // namespace flexhil::broker
