// The HTTP/1.1 request and response parsers of the run's HTTP endpoint and the emulated Flexy's
// client. Never throw; a complete request takes no more bytes than it was given, an error always
// carries the status the endpoint answers with, and a request that parsed serializes to one that
// parses back to the same method, target and body.
#include "common/http_message.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  http::Limits limits;
  limits.max_head = 2048;
  limits.max_body = 4096;
  const auto r = http::parse_request(text, limits);
  if (r.state == http::ParseState::error) fuzz::require(r.error_status >= 400 && r.error_status <= 505 && !r.error.empty());
  if (r.state == http::ParseState::complete) {
    fuzz::require(r.consumed <= size);
    const auto again = http::parse_request(http::serialize(r.request));
    fuzz::require(again.state == http::ParseState::complete);
    fuzz::require(again.request.method == r.request.method && again.request.target == r.request.target &&
                  again.request.body == r.request.body);
  }
  for (const bool closed : {false, true}) {
    const auto s = http::parse_response(text, closed, limits);
    if (s.state == http::ParseState::error) fuzz::require(!s.error.empty());
    if (s.state == http::ParseState::complete) fuzz::require(s.response.status >= 100 && s.response.status <= 599);
    if (closed) fuzz::require(s.state != http::ParseState::incomplete);
  }
  return 0;
}
