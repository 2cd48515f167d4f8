#pragma once
// HTTP/1.1 messages as the run's local HTTP endpoint and the emulated Flexy's HTTP client exchange
// them: parsing a request or a response from the bytes received so far, and writing one. Pure: no
// sockets; the caller appends what it reads and parses again until the message is complete.
// Bodies are framed by Content-Length or chunked transfer coding (RFC 9112 §6); a response
// without either ends when the connection closes.
//
//   auto r = http::parse_request(buffer);
//   if (r.state == http::ParseState::complete) answer(r.request);
//   else if (r.state == http::ParseState::error) reply_status(r.error_status);  // 400, 413, 431, 501, 505
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil::http {

struct Header {
  std::string name;   // as received
  std::string value;  // without surrounding blanks
};

// The first header named `name` (case-insensitive), or nullopt.
std::optional<std::string> find_header(const std::vector<Header>& headers, std::string_view name);

struct Request {
  std::string method;   // "GET", "POST", … as received (methods are case-sensitive)
  std::string target;   // the request target: "/api/data?x=1"
  std::string path;     // "/api/data"
  std::string query;    // "x=1" ("" when none)
  std::string version;  // "HTTP/1.1"
  std::vector<Header> headers;
  std::string body;     // chunked coding removed
};

struct Response {
  int status = 200;
  std::string reason;
  std::vector<Header> headers;
  std::string body;
};

struct Limits {
  std::size_t max_head = 16 * 1024;          // request/status line and headers
  std::size_t max_body = 16 * 1024 * 1024;
};

enum class ParseState { incomplete, complete, error };

struct RequestParse {
  ParseState state = ParseState::incomplete;
  Request request;          // when complete
  std::size_t consumed = 0; // bytes of the buffer the message took (when complete)
  int error_status = 0;     // the status to answer with (when error)
  std::string error;        // why, one line (when error)
};
RequestParse parse_request(std::string_view buffer, const Limits& limits = {});

struct ResponseParse {
  ParseState state = ParseState::incomplete;
  Response response;
  std::string error;
};
// `closed`: the peer closed the connection after `buffer` (ends a body framed by the close).
ResponseParse parse_response(std::string_view buffer, bool closed, const Limits& limits = {});

// The message on the wire. Content-Length is added from the body (any given one is replaced).
std::string serialize(const Request& request);
std::string serialize(const Response& response);
std::string_view reason_phrase(int status);  // "OK", "Created", …; "" for a code without one

}  // namespace flexhil::http
