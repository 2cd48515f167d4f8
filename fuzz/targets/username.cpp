// The IoT Hub username grammar. Input: "<username>\n<client id>\n<hub host>"; an input starting
// with 0x00 stands for a CONNECT without username. Never throws; a verdict is either accepted
// or refused with a reason id.
#include "broker/username_grammar.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::as_text(data, size);
  const bool no_username = !text.empty() && text.front() == '\0';
  if (no_username) text.remove_prefix(1);
  const auto f = fuzz::fields(text, 3);
  const std::optional<std::string> username = no_username ? std::nullopt : std::optional<std::string>(f[0]);
  const auto verdict = broker::judge_username(username, f[1], f[2]);
  (void)broker::to_string(verdict.form);
  if (!verdict.accepted) fuzz::require(!verdict.reason_id.empty());
  return 0;
}
