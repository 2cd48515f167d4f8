#include "common/json_scan.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <unordered_set>

#include "common/json_read.hpp"
#include "common/json_text.hpp"

namespace flexhil {

JsonNode::JsonNode() = default;

namespace {

constexpr int max_depth = max_json_depth;

struct Failure {};

class Scanner {
 public:
  Scanner(std::string_view text, JsonScan& out) : s_(text), out_(out) {}

  JsonNode document() {
    skip_ws();
    JsonNode root = value("", 0);
    skip_ws();
    if (pos_ != s_.size()) fail_after_value("end of input after the JSON value");
    return root;
  }

 private:
  [[noreturn]] void fail(std::string message) {
    out_.error_offset = pos_;
    out_.error = std::move(message);
    throw Failure{};
  }
  // An error right after a string: a word character here means the string was cut short by an
  // unescaped quote (`"Ta"g":1` or `"v":"a"b"`).
  [[noreturn]] void fail_after_value(const std::string& expected) {
    if (last_was_string_ && pos_ < s_.size() && pos_ == last_string_end_) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c != ',' && c != '}' && c != ']' && c != ':' && c != ' ' && c != '\t' && c != '\n' &&
          c != '\r')
        out_.suspected_unescaped_quote = true;
    }
    fail(pos_ < s_.size() ? fmt::format("expected {}, found '{}'", expected, printable(s_[pos_]))
                          : fmt::format("expected {}, found end of input", expected));
  }
  static std::string printable(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return fmt::format("\\x{:02X}", u);
    return std::string(1, c);
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  JsonNode value(const std::string& path, int depth) {
    if (pos_ >= s_.size()) fail("expected a value, found end of input");
    last_was_string_ = false;
    JsonNode n;
    n.offset = pos_;
    const char c = s_[pos_];
    // `depth` containers are open around this value; the top level is level 1.
    if ((c == '{' || c == '[') && depth >= max_depth) fail(fmt::format("nesting deeper than {} levels", max_depth));
    if (c == '{') return object(path, depth);
    if (c == '[') return array(path, depth);
    if (c == '"') {
      n.type = JsonNode::Type::string;
      n.text = string(path);
      return n;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      n.type = JsonNode::Type::number;
      n.text = number();
      return n;
    }
    if (consume("true")) { n.type = JsonNode::Type::boolean; n.text = "true"; return n; }
    if (consume("false")) { n.type = JsonNode::Type::boolean; n.text = "false"; return n; }
    if (consume("null")) { n.type = JsonNode::Type::null; n.text = "null"; return n; }
    fail(fmt::format("expected a value, found '{}'", printable(c)));
  }

  JsonNode object(const std::string& path, int depth) {
    JsonNode n;
    n.type = JsonNode::Type::object;
    n.offset = pos_;
    std::unordered_set<std::string> seen;
    ++pos_;  // {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      last_was_string_ = false;
      return n;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') {
        if (pos_ < s_.size() && s_[pos_] == '}') fail("expected an object key after ',' (trailing comma)");
        fail(pos_ < s_.size() ? fmt::format("expected an object key, found '{}'", printable(s_[pos_]))
                              : std::string("expected an object key, found end of input"));
      }
      const std::size_t key_offset = pos_;
      std::string key = string(path);
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail_after_value("':' after object key");
      ++pos_;
      skip_ws();
      const std::string child_path = path + "/" + key;
      if (!seen.insert(key).second)
        out_.duplicate_keys.push_back({key_offset, path.empty() ? "/" : path, key});
      JsonNode child = value(child_path, depth + 1);
      n.members.emplace_back(std::move(key), std::move(child));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        last_was_string_ = false;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        last_was_string_ = false;
        return n;
      }
      fail_after_value("',' or '}' in object");
    }
  }

  JsonNode array(const std::string& path, int depth) {
    JsonNode n;
    n.type = JsonNode::Type::array;
    n.offset = pos_;
    ++pos_;  // [
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      last_was_string_ = false;
      return n;
    }
    for (;;) {
      skip_ws();
      n.items.push_back(value(fmt::format("{}/{}", path, n.items.size()), depth + 1));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        last_was_string_ = false;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        last_was_string_ = false;
        return n;
      }
      fail_after_value("',' or ']' in array");
    }
  }

  unsigned read_hex4() {
    if (pos_ + 4 > s_.size()) fail("expected 4 hex digits after \\u");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = json_hex_digit(s_[pos_ + i]);
      if (h < 0) fail("expected 4 hex digits after \\u");
      v = v * 16 + static_cast<unsigned>(h);
    }
    pos_ += 4;
    return v;
  }
  std::string string(const std::string& path) {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        last_was_string_ = true;
        last_string_end_ = pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        // Invalid per RFC 8259, but keep scanning: the rest still tells us about duplicates.
        out_.control_characters.push_back(
            {pos_, path.empty() ? "/" : path, fmt::format("U+{:04X}", static_cast<unsigned char>(c))});
        out += c;
        ++pos_;
        continue;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("unterminated escape sequence");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = read_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            const unsigned lo = read_hex4();
            if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          fail(fmt::format("invalid escape '\\{}' in string", printable(e)));
      }
    }
  }

  std::string number() {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const std::size_t b = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - b;
    };
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
      if (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') fail("leading zero in number");
    } else if (digits() == 0) {
      fail("expected digits in number");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) fail("expected digits after '.' in number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) fail("expected digits in exponent");
    }
    last_was_string_ = false;
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  JsonScan& out_;
  std::size_t pos_ = 0;
  bool last_was_string_ = false;
  std::size_t last_string_end_ = 0;
};

}  // namespace

JsonScan scan_json(std::string_view text) {
  JsonScan out;
  Scanner scanner(text, out);
  try {
    out.root = scanner.document();
  } catch (const Failure&) {
    out.root.reset();
  }
  return out;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + static_cast<std::size_t>(len) > s.size()) return i;
    for (int k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += static_cast<std::size_t>(len);
  }
  return std::nullopt;
}

std::optional<double> number_from_text(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> node_number(const JsonNode& n) {
  if (n.type == JsonNode::Type::number || n.type == JsonNode::Type::string) return number_from_text(n.text);
  if (n.type == JsonNode::Type::boolean) return n.text == "true" ? 1.0 : 0.0;
  return std::nullopt;
}

}  // namespace flexhil
