#include "common/http_message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>

namespace flexhil::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters: what a method and a header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

struct Head {
  std::string first_line;
  std::vector<Header> headers;
  std::size_t size = 0;  // including the blank line
};

// The head up to the blank line. Lines end in CRLF; a bare LF is accepted (RFC 9112 §2.2).
// nullopt: not complete yet; an error sets `error`.
std::optional<Head> parse_head(std::string_view buffer, const Limits& limits, std::string& error, int& status) {
  const bool blank_line = buffer.find("\n\r\n") != std::string_view::npos || buffer.find("\n\n") != std::string_view::npos;
  if (!blank_line) {
    if (buffer.size() > limits.max_head) {
      error = fmt::format("the request head is longer than {} bytes", limits.max_head);
      status = 431;
    }
    return std::nullopt;
  }
  Head head;
  std::size_t pos = 0;
  bool first = true;
  for (;;) {
    const auto nl = buffer.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = buffer.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (pos > limits.max_head) {
      error = fmt::format("the head is longer than {} bytes", limits.max_head);
      status = 431;
      return std::nullopt;
    }
    if (line.empty()) {
      if (first) continue;  // RFC 9112 §2.2: ignore empty lines before the request line
      break;
    }
    if (first) {
      head.first_line = std::string(line);
      first = false;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      error = "obsolete header line folding";
      status = 400;
      return std::nullopt;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      error = fmt::format("malformed header line '{}'", line.substr(0, 80));
      status = 400;
      return std::nullopt;
    }
    head.headers.push_back(Header{std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
  }
  head.size = pos;
  return head;
}

struct Body {
  ParseState state = ParseState::incomplete;
  std::string data;
  std::size_t size = 0;  // bytes of the buffer the body took
  std::string error;
  int status = 400;
};

Body chunked_body(std::string_view rest, const Limits& limits) {
  Body b;
  std::size_t pos = 0;
  for (;;) {
    const auto nl = rest.find('\n', pos);
    if (nl == std::string_view::npos) return b;
    std::string_view line = rest.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = line.substr(0, line.find(';'));  // chunk extensions are ignored
    line = trim(line);
    std::size_t size = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || end != line.data() + line.size()) {
      b.state = ParseState::error;
      b.error = "malformed chunk size";
      return b;
    }
    pos = nl + 1;
    if (size == 0) {
      // Trailer fields up to the blank line; ignored.
      for (;;) {
        const auto tnl = rest.find('\n', pos);
        if (tnl == std::string_view::npos) return b;
        std::string_view t = rest.substr(pos, tnl - pos);
        pos = tnl + 1;
        if (t.empty() || t == "\r") break;
      }
      b.state = ParseState::complete;
      b.size = pos;
      return b;
    }
    if (b.data.size() + size > limits.max_body) {
      b.state = ParseState::error;
      b.error = fmt::format("the body is larger than {} bytes", limits.max_body);
      b.status = 413;
      return b;
    }
    if (rest.size() < pos + size + 1) return b;
    b.data.append(rest.substr(pos, size));
    pos += size;
    if (rest.compare(pos, 2, "\r\n") == 0) {
      pos += 2;
    } else if (rest[pos] == '\n') {
      pos += 1;
    } else if (rest.size() < pos + 2) {
      return b;
    } else {
      b.state = ParseState::error;
      b.error = "a chunk does not end with CRLF";
      return b;
    }
  }
}

// The body after a head: chunked, Content-Length, or (for a response only) up to the close.
Body framed_body(const std::vector<Header>& headers, std::string_view rest, const Limits& limits, bool is_response,
                 bool closed) {
  Body b;
  if (const auto te = find_header(headers, "Transfer-Encoding")) {
    if (!iequals(trim(*te), "chunked")) {
      b.state = ParseState::error;
      b.error = fmt::format("transfer coding '{}' is not supported", *te);
      b.status = 501;
      return b;
    }
    b = chunked_body(rest, limits);
    if (b.state == ParseState::incomplete && closed) {
      b.state = ParseState::error;
      b.error = "the connection closed inside a chunked body";
    }
    return b;
  }
  if (const auto cl = find_header(headers, "Content-Length")) {
    const auto v = trim(*cl);
    std::size_t length = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
      b.state = ParseState::error;
      b.error = fmt::format("bad Content-Length '{}'", v.substr(0, 40));
      return b;
    }
    if (length > limits.max_body) {
      b.state = ParseState::error;
      b.error = fmt::format("the body of {} bytes is larger than {} bytes", length, limits.max_body);
      b.status = 413;
      return b;
    }
    if (rest.size() < length) {
      if (closed) {
        b.state = ParseState::error;
        b.error = fmt::format("the connection closed after {} of {} body bytes", rest.size(), length);
      }
      return b;
    }
    b.state = ParseState::complete;
    b.data = std::string(rest.substr(0, length));
    b.size = length;
    return b;
  }
  if (!is_response) {  // a request without framing has no body (RFC 9112 §6.3)
    b.state = ParseState::complete;
    return b;
  }
  if (rest.size() > limits.max_body) {
    b.state = ParseState::error;
    b.error = fmt::format("the body is larger than {} bytes", limits.max_body);
    b.status = 413;
    return b;
  }
  if (closed) {
    b.state = ParseState::complete;
    b.data = std::string(rest);
    b.size = rest.size();
  }
  return b;
}

// The headers with Content-Length from the body (the framing is ours, never the caller's).
void with_length(const std::vector<Header>& headers, std::size_t length, std::string& out) {
  for (const auto& h : headers) {
    if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding")) continue;
    out += h.name + ": " + h.value + "\r\n";
  }
  out += fmt::format("Content-Length: {}\r\n\r\n", length);
}

}  // namespace

std::optional<std::string> find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return std::nullopt;
}

RequestParse parse_request(std::string_view buffer, const Limits& limits) {
  RequestParse r;
  auto fail = [&](int status, std::string why) {
    r.state = ParseState::error;
    r.error_status = status;
    r.error = std::move(why);
    return r;
  };
  std::string error;
  int status = 400;
  const auto head = parse_head(buffer, limits, error, status);
  if (!error.empty()) return fail(status, error);
  if (!head) return r;
  // request-line = method SP request-target SP HTTP-version
  const std::string_view line = head->first_line;
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, fmt::format("malformed request line '{}'", line.substr(0, 80)));
  r.request.method = std::string(line.substr(0, sp1));
  r.request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  r.request.version = std::string(line.substr(sp2 + 1));
  if (!is_token(r.request.method)) return fail(400, fmt::format("malformed method '{}'", r.request.method.substr(0, 40)));
  if (r.request.target.empty() || r.request.target.front() != '/')
    return fail(400, fmt::format("the request target '{}' is not a path", r.request.target.substr(0, 80)));
  if (r.request.version != "HTTP/1.1" && r.request.version != "HTTP/1.0")
    return fail(505, fmt::format("unsupported version '{}'", r.request.version.substr(0, 20)));
  const auto q = r.request.target.find('?');
  r.request.path = r.request.target.substr(0, q);
  if (q != std::string::npos) r.request.query = r.request.target.substr(q + 1);
  r.request.headers = head->headers;
  if (r.request.version == "HTTP/1.1" && !find_header(r.request.headers, "Host"))
    return fail(400, "an HTTP/1.1 request without a Host header");
  auto body = framed_body(r.request.headers, buffer.substr(head->size), limits, false, false);
  if (body.state == ParseState::error) return fail(body.status, body.error);
  if (body.state == ParseState::incomplete) return r;
  r.request.body = std::move(body.data);
  r.consumed = head->size + body.size;
  r.state = ParseState::complete;
  return r;
}

ResponseParse parse_response(std::string_view buffer, bool closed, const Limits& limits) {
  ResponseParse r;
  auto fail = [&](std::string why) {
    r.state = ParseState::error;
    r.error = std::move(why);
    return r;
  };
  std::string error;
  int status = 0;
  const auto head = parse_head(buffer, limits, error, status);
  if (!error.empty()) return fail(error);
  if (!head) return closed ? fail(buffer.empty() ? "the server closed the connection without answering"
                                                 : "the server closed the connection inside the response head")
                           : r;
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const std::string_view line = head->first_line;
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12 || line[8] != ' ')
    return fail(fmt::format("malformed status line '{}'", line.substr(0, 80)));
  const auto code = line.substr(9, 3);
  int value = 0;
  const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), value);
  if (ec != std::errc() || end != code.data() + code.size() || value < 100 || value > 599 ||
      (line.size() > 12 && line[12] != ' '))
    return fail(fmt::format("malformed status line '{}'", line.substr(0, 80)));
  r.response.status = value;
  r.response.reason = line.size() > 13 ? std::string(line.substr(13)) : std::string();
  r.response.headers = head->headers;
  // 1xx, 204 and 304 carry no body (RFC 9112 §6.3).
  if (value < 200 || value == 204 || value == 304) {
    r.state = ParseState::complete;
    return r;
  }
  auto body = framed_body(r.response.headers, buffer.substr(head->size), limits, true, closed);
  if (body.state == ParseState::error) return fail(body.error);
  if (body.state == ParseState::incomplete) return r;
  r.response.body = std::move(body.data);
  r.state = ParseState::complete;
  return r;
}

std::string serialize(const Request& request) {
  std::string out = fmt::format("{} {} {}\r\n", request.method, request.target.empty() ? "/" : request.target,
                                request.version.empty() ? "HTTP/1.1" : request.version);
  with_length(request.headers, request.body.size(), out);
  return out + request.body;
}

std::string serialize(const Response& response) {
  const auto reason = response.reason.empty() ? std::string(reason_phrase(response.status)) : response.reason;
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", response.status, reason);
  with_length(response.headers, response.body.size(), out);
  return out + response.body;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

}  // namespace flexhil::http
