// The first plaintext bytes of a device's TLS session as the shim keeps them: a CONNECT on the
// MQTTS port, or an upgrade request and WebSocket frames on the WebSocket port. Both readings
// are taken (the plugin picks one by listener); the will they give is judged. Never throws.
#include "broker/mqtt_connect_packet.hpp"
#include "broker/websocket_frames.hpp"
#include "broker/will_policy.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

namespace {
void judge(std::string_view stream) {
  const auto parsed = broker::parse_connect_prefix(stream);
  if (parsed.status == broker::ConnectParseStatus::malformed) fuzz::require(!parsed.error.empty());
  if (parsed.status != broker::ConnectParseStatus::complete) return;
  const auto verdict = broker::judge_will(parsed.packet.client_id, parsed.packet.will, true);
  if (verdict.refuse) fuzz::require(!verdict.reason_id.empty());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto stream = fuzz::as_text(data, size);
  judge(stream);
  const auto payload = broker::websocket_client_payload(stream);
  fuzz::require(payload.size() <= stream.size());  // frames only ever shrink the stream
  judge(payload);
  return 0;
}
