#include "broker/property_bag.hpp"

#include <cctype>

namespace flexhil::broker {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string percent_decode(std::string_view text, bool* ok) {
  if (ok) *ok = true;
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    if (text[i] == '%' && ok) *ok = false;
    out += text[i];
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 128 && std::isalnum(u)) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string encode_property_bag(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& entries) {
  std::string out;
  for (const auto& [name, value] : entries) {
    if (!out.empty()) out += '&';
    // "$." system properties keep their readable prefix, as the hub writes them.
    if (name.rfind("$.", 0) == 0)
      out += "%24." + percent_encode(name.substr(2));
    else
      out += percent_encode(name);
    if (value) out += '=' + percent_encode(*value);
  }
  return out;
}

const std::optional<std::string>* PropertyBag::find(std::string_view name) const {
  const std::optional<std::string>* found = nullptr;
  for (const auto& [k, v] : entries)
    if (k == name) found = &v;
  return found;
}

Json PropertyBag::to_json() const {
  Json obj = Json::object();
  for (const auto& [k, v] : entries) obj[k] = v ? Json(*v) : Json(nullptr);
  return obj;
}

PropertyBag decode_property_bag(std::string_view bag) {
  PropertyBag out;
  std::size_t pos = 0;
  while (pos <= bag.size() && !bag.empty()) {
    auto amp = bag.find('&', pos);
    if (amp == std::string_view::npos) amp = bag.size();
    const auto item = bag.substr(pos, amp - pos);
    pos = amp + 1;
    if (!item.empty()) {
      const auto eq = item.find('=');
      bool ok_name = true, ok_value = true;
      std::string name = percent_decode(item.substr(0, eq), &ok_name);
      std::optional<std::string> value;
      if (eq != std::string_view::npos) value = percent_decode(item.substr(eq + 1), &ok_value);
      if (!ok_name || !ok_value) out.errors.push_back("bad percent escape in '" + std::string(item) + "'");
      if (name.empty()) out.errors.push_back("empty property name in '" + std::string(item) + "'");
      out.entries.emplace_back(std::move(name), std::move(value));
    }
    if (amp == bag.size()) break;
  }
  return out;
}

}  // namespace flexhil::broker
