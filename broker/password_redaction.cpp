#include "broker/password_redaction.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <string_view>
#include <vector>

namespace flexhil::broker {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A field name as the hub would read it: percent-decoded, trimmed, lower case.
std::string field_name(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      const int hi = hex_digit(raw[i + 1]), lo = hex_digit(raw[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += raw[i];
  }
  return lower(trim(out));
}

bool all_of(std::string_view s, std::string_view extra, bool alnum = true) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return (alnum && std::isalnum(c)) || extra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// A name worth showing next to "<redacted>": short plain text, nothing that could be a secret.
bool showable_name(std::string_view raw) { return raw.size() <= 24 && all_of(raw, "_-.%"); }

using KeepValue = bool (*)(std::string_view name, std::string_view value);

bool sas_value_kept(std::string_view name, std::string_view value) {
  if (name == "sr") return all_of(value, ".-_%/:~");
  if (name == "se") return all_of(value, "0123456789", false);
  if (name == "skn") return all_of(value, "_-.%");
  return false;
}

bool x509_value_kept(std::string_view name, std::string_view value) {
  if (name == "x509") return lower(value) == "true";
  if (name == "hostname" || name == "deviceid" || name == "moduleid") return all_of(value, ".-_:%@#*!(),$'+");
  return false;
}

std::string redact_fields(std::string_view text, char separator, KeepValue keep) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    auto end = text.find(separator, pos);
    if (end == std::string_view::npos) end = text.size();
    const auto field = text.substr(pos, end - pos);
    const auto eq = field.find('=');
    if (field.empty()) {
    } else if (eq == std::string_view::npos || !showable_name(trim(field.substr(0, eq)))) {
      out += fmt::format("<redacted {} bytes>", field.size());
    } else {
      const auto raw_name = field.substr(0, eq);
      const auto value = field.substr(eq + 1);
      out += keep(field_name(raw_name), value) ? std::string(field) : std::string(raw_name) + "=<redacted>";
    }
    if (end >= text.size()) break;
    out += separator;
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string redact_password(const std::optional<std::string>& password) {
  if (!password || password->empty()) return "";
  const std::string_view p = *password;
  const auto lowered = lower(p);
  const auto start = lowered.find_first_not_of(" \t");
  constexpr std::string_view sas_prefix = "sharedaccesssignature";
  if (start != std::string::npos && lowered.compare(start, sas_prefix.size(), sas_prefix) == 0)
    return "SharedAccessSignature " + redact_fields(trim(p.substr(start + sas_prefix.size())), '&', sas_value_kept);
  if (lowered.find("x509=true") != std::string::npos) return redact_fields(p, ';', x509_value_kept);
  return fmt::format("<redacted {} bytes>", p.size());
}

}  // namespace flexhil::broker
