#include "common/json_fast_read.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/json_text.hpp"

namespace flexhil {
namespace {

using Json = nlohmann::json;

// Recursive descent over the text; any doubt ends in `failed`, and the caller gives up.
class FastReader {
 public:
  FastReader(std::string_view text, int max_depth) : p_(text.data()), end_(text.data() + text.size()), max_depth_(max_depth) {}

  std::optional<Json> document() {
    skip_space();
    Json v;
    if (!value(v, 1)) return std::nullopt;
    skip_space();
    if (p_ != end_) return std::nullopt;  // trailing content: nlohmann names it
    return v;
  }

  // The whole text checked as document() does, nothing built but the top level's spans.
  bool head(JsonHead& h) {
    build_ = false;
    h.members.clear();
    Json unused;
    skip_space();
    if (p_ == end_ || *p_ != '{' || max_depth_ < 1) return false;
    ++p_;
    skip_space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        skip_space();
        if (p_ == end_ || *p_ != '"') return false;
        const char* key = p_ + 1;
        bool escaped = false;
        if (!skip_string(escaped)) return false;
        const std::string_view key_raw(key, static_cast<std::size_t>(p_ - 1 - key));
        if (escaped) return false;  // an escaped key: not worth a fast path
        skip_space();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        skip_space();
        JsonHead::Member m;
        m.key = key_raw;
        const char* start = p_;
        if (p_ != end_ && *p_ == '"') {
          if (!skip_string(m.escaped)) return false;
          m.type = JsonHead::Member::Type::string;
          m.raw = std::string_view(start + 1, static_cast<std::size_t>(p_ - 1 - (start + 1)));
        } else {
          if (!value(unused, 2)) return false;
          m.raw = std::string_view(start, static_cast<std::size_t>(p_ - start));
          m.type = (*start == '-' || digit(*start)) ? JsonHead::Member::Type::number : JsonHead::Member::Type::other;
        }
        h.members.push_back(m);
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ != '}') return false;
        ++p_;
        break;
      }
    }
    skip_space();
    if (p_ != end_) return false;
    return true;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // `depth`: the level this value would open if it is a container (the top level is 1).
  bool value(Json& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"': {
        if (!build_) {
          bool escaped = false;
          return skip_string(escaped);
        }
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't': if (build_) out = true; return literal("true");
      case 'f': if (build_) out = false; return literal("false");
      case 'n': if (build_) out = nullptr; return literal("null");
      default: return number(out);
    }
  }

  bool object(Json& out, int depth) {
    if (depth > max_depth_) return false;
    ++p_;  // '{'
    if (build_) out = Json::object();
    Json::object_t ignored;
    auto& members = build_ ? out.get_ref<Json::object_t&>() : ignored;
    skip_space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      skip_space();
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      bool escaped = false;
      if (build_ ? !string(key) : !skip_string(escaped)) return false;
      skip_space();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_space();
      Json v;
      if (!value(v, depth + 1)) return false;
      if (build_) members.insert_or_assign(std::move(key), std::move(v));  // the last of duplicate keys, as nlohmann
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      return true;
    }
  }

  bool array(Json& out, int depth) {
    if (depth > max_depth_) return false;
    ++p_;  // '['
    if (build_) out = Json::array();
    Json::array_t ignored;
    auto& items = build_ ? out.get_ref<Json::array_t&>() : ignored;
    skip_space();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      skip_space();
      Json v;
      if (!value(v, depth + 1)) return false;
      if (build_) items.push_back(std::move(v));
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  bool hex4(unsigned& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = json_hex_digit(p_[i]);
      if (d < 0) return false;
      out = out * 16 + static_cast<unsigned>(d);
    }
    p_ += 4;
    return true;
  }

  bool escape(std::string& s) {
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"': s += '"'; return true;
      case '\\': s += '\\'; return true;
      case '/': s += '/'; return true;
      case 'b': s += '\b'; return true;
      case 'f': s += '\f'; return true;
      case 'n': s += '\n'; return true;
      case 'r': s += '\r'; return true;
      case 't': s += '\t'; return true;
      case 'u': {
        unsigned cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned low = 0;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(s, cp);
        return true;
      }
      default: return false;
    }
  }

  // Eight bytes that end nothing: no quote, backslash, control character or byte >= 0x80
  // (the classic has-zero-byte tricks on one 64-bit word).
  static bool plain8(const char* p) {
    std::uint64_t x;
    std::memcpy(&x, p, sizeof x);
    constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const auto has_zero = [](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
    if (x & highs) return false;
    if (((x - ones * 0x20) & ~x & highs) != 0) return false;  // a byte below 0x20 (all are < 0x80 here)
    return !has_zero(x ^ (ones * '"')) && !has_zero(x ^ (ones * '\\'));
  }

  // Moves p_ to the first byte that ends a plain run (quote, backslash, control character, byte
  // >= 0x80) or to the end: 16 bytes at a time with SSE2 (x86-64's baseline), else 8 in a word.
  // That is where the time goes (base64 payloads, topics, timestamps).
  void skip_plain() {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    while (end_ - p_ >= 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
      // Signed: bytes >= 0x80 are negative, so "< 0x20" also takes them.
      const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                        _mm_cmplt_epi8(x, space));
      if (const int mask = _mm_movemask_epi8(stop)) {
        p_ += __builtin_ctz(static_cast<unsigned>(mask));
        return;
      }
      p_ += 16;
    }
#endif
    while (end_ - p_ >= 8 && plain8(p_)) p_ += 8;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++p_;
    }
  }

  // At the opening quote: checks the string as string() does without keeping its text (head():
  // the line's own bytes are the value). `escaped`: it held an escape.
  bool skip_string(bool& escaped) {
    ++p_;
    escaped = false;
    for (;;) {
      skip_plain();
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c != '\\') return false;  // a control character, or UTF-8 for nlohmann to validate
      ++p_;
      escaped = true;
      scratch_.clear();
      if (!escape(scratch_)) return false;
    }
  }

  // At the opening quote. Plain runs are appended whole.
  bool string(std::string& s) {
    ++p_;
    for (;;) {
      const char* run = p_;
      skip_plain();
      s.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c != '\\') return false;  // a control character, or UTF-8 for nlohmann to validate
      ++p_;
      if (!escape(s)) return false;
    }
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // JSON's grammar, checked here (from_chars is laxer: it takes "01" and "1."), then converted
  // as nlohmann does: an integer is unsigned when non-negative, signed when negative, a double
  // when it does not fit either.
  bool number(Json& out) {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !digit(*p_)) return false;
    if (*p_ == '0')
      ++p_;
    else
      while (p_ != end_ && digit(*p_)) ++p_;
    bool integral = true;
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (!build_) {
      // Only what decides validity: a double out of range is nlohmann's error (below).
      if (integral) return true;
      double d = 0;
      const auto r = std::from_chars(start, p_, d);
      return r.ec == std::errc() && r.ptr == p_ && std::isfinite(d);
    }
    if (integral) {
      if (*start == '-') {
        std::int64_t v = 0;
        if (const auto r = std::from_chars(start, p_, v); r.ec == std::errc() && r.ptr == p_) {
          out = v;
          return true;
        }
      } else {
        std::uint64_t v = 0;
        if (const auto r = std::from_chars(start, p_, v); r.ec == std::errc() && r.ptr == p_) {
          out = v;
          return true;
        }
      }
    }
    double d = 0;
    const auto r = std::from_chars(start, p_, d);
    if (r.ec != std::errc() || r.ptr != p_ || !std::isfinite(d)) return false;  // 1e400: nlohmann's error
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
  int max_depth_;
  bool build_ = true;    // false: check the text, build nothing (head())
  std::string scratch_;  // strings decoded only to be checked
};

}  // namespace

std::optional<nlohmann::json> read_json_fast(std::string_view text, int max_depth) {
  return FastReader(text, max_depth).document();
}

std::optional<JsonHead> read_json_head(std::string_view text, int max_depth) {
  JsonHead h;
  if (!read_json_head(text, max_depth, h)) return std::nullopt;
  return h;
}

bool read_json_head(std::string_view text, int max_depth, JsonHead& out) { return FastReader(text, max_depth).head(out); }

const JsonHead::Member* JsonHead::find(std::string_view key) const {
  // The first byte before the whole key: several keys of an audit line share a length.
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->key.size() == key.size() && (key.empty() || it->key[0] == key[0]) && it->key == key) return &*it;
  return nullptr;
}

std::optional<std::string_view> JsonHead::plain_string(std::string_view key) const {
  const auto* m = find(key);
  if (!m || m->type != Member::Type::string || m->escaped) return std::nullopt;
  return m->raw;
}

std::optional<std::uint64_t> JsonHead::unsigned_number(std::string_view key) const {
  const auto* m = find(key);
  if (!m || m->type != Member::Type::number) return std::nullopt;
  std::uint64_t v = 0;
  const auto r = std::from_chars(m->raw.data(), m->raw.data() + m->raw.size(), v);
  if (r.ec != std::errc() || r.ptr != m->raw.data() + m->raw.size()) return std::nullopt;
  return v;
}

}  // namespace flexhil
