#include "common/json_read.hpp"

#include <fmt/format.h>

#include "common/json_fast_read.hpp"

namespace flexhil {
namespace {

struct TooDeep {};

// Offset of the bracket that opens level `depth` (1-based), skipping strings. Only called after
// the parser refused the text, to say where.
std::size_t offset_of_depth(std::string_view text, int depth) {
  int level = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++level == depth) return i;
    } else if (c == '}' || c == ']') {
      --level;
    }
  }
  return 0;
}

// "[json.exception.parse_error.101] parse error at line 1, column 3: syntax error …" → the part
// after the position, which is what a person needs next to our own file:line:col.
std::string plain_message(const char* what) {
  std::string_view m(what);
  if (const auto bracket = m.find("] "); m.rfind("[json.exception.", 0) == 0 && bracket != std::string_view::npos)
    m.remove_prefix(bracket + 2);
  if (const auto colon = m.find(": "); m.rfind("parse error at line", 0) == 0 && colon != std::string_view::npos)
    m.remove_prefix(colon + 2);
  return std::string(m);
}

}  // namespace

JsonRead read_json(std::string_view text, int max_depth) {
  JsonRead r;
  // The common case, valid ASCII JSON, without nlohmann's lexer; anything else (its value or its
  // error) from nlohmann below.
  if (auto fast = read_json_fast(text, max_depth)) {
    r.value = std::move(*fast);
    return r;
  }
  const auto bound = [max_depth](int depth, Json::parse_event_t event, Json&) {
    // `depth` is the number of containers already open around this one.
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= max_depth)
      throw TooDeep{};
    return true;
  };
  try {
    r.value = Json::parse(text.begin(), text.end(), bound, /*allow_exceptions=*/true);
  } catch (const TooDeep&) {
    r.error_offset = offset_of_depth(text, max_depth + 1);
    r.error = fmt::format("nesting deeper than {} levels", max_depth);
  } catch (const Json::parse_error& e) {
    r.error_offset = e.byte > 0 ? e.byte - 1 : 0;
    r.error = plain_message(e.what());
  } catch (const Json::out_of_range& e) {
    // 406 "number overflow parsing '1e400'": the message names the token, find it for the offset.
    std::string message = plain_message(e.what());
    if (const auto q = message.find('\''); q != std::string::npos) {
      const auto token = std::string_view(message).substr(q + 1, message.size() - q - 2);
      if (const auto at = text.find(token); !token.empty() && at != std::string_view::npos) r.error_offset = at;
    }
    r.error = "number out of range (" + message + ")";
  } catch (const Json::exception& e) {
    r.error = plain_message(e.what());
  }
  if (!r.value && r.error.empty()) r.error = "invalid JSON";
  return r;
}

Json parse_json_or_discarded(std::string_view text, int max_depth) {
  auto r = read_json(text, max_depth);
  return r.value ? std::move(*r.value) : Json(Json::value_t::discarded);
}

}  // namespace flexhil
