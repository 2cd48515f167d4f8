// SAS tokens and the password redactor. Input: "<password>\n<key base64>\n<sr>\n<path>".
// parse_sas_token and the URL codec never throw; make_sas_token throws only
// std::invalid_argument (bad key). Invariants: a token we make parses and verifies; url_decode
// undoes url_encode; after redaction a SAS token's signature is nowhere left in the text, and
// when the redacted text still parses (the allow-list may fold an odd field into
// `<redacted N bytes>`), its signature is `<redacted>`.
#include "broker/connect_judge.hpp"
#include "broker/password_redaction.hpp"
#include "certs/sas_token.hpp"
#include "fuzz/support/fuzz_target.hpp"

using namespace flexhil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto f = fuzz::fields(fuzz::as_text(data, size), 4);
  const std::string password(f[0]);
  const std::string key(f[1]);

  std::string error;
  const auto token = certs::parse_sas_token(password, &error);
  fuzz::require(token.has_value() || !error.empty());

  const auto redacted = broker::redact_password(password);
  if (token) {
    (void)certs::verify_sas_signature(*token, key);
    if (const auto again = certs::parse_sas_token(redacted)) fuzz::require(again->signature == "<redacted>");
    // A signature that stands only once in the password (in its sig field) must be gone.
    const auto& sig = token->signature;
    const auto first = password.find(sig);
    if (sig.size() >= 12 && first != std::string::npos && password.find(sig, first + 1) == std::string::npos)
      fuzz::require(redacted.find(sig) == std::string::npos);
  }

  fuzz::require(certs::url_decode(certs::url_encode(f[2])) == f[2]);
  (void)broker::sr_prefix_segments(certs::url_decode(f[2]), f[3]);

  certs::SasTokenRequest request;
  request.resource = std::string(f[2]);
  request.key_base64 = key;
  request.expiry = static_cast<std::int64_t>(size) * 1'000'003;
  request.policy_name = f[3].empty() ? std::nullopt : std::optional<std::string>(f[3]);
  request.spelling = static_cast<certs::SrSpelling>(size % 3);
  try {
    const auto made = certs::make_sas_token(request);
    // Unencoded, a resource with '&' or '%' cannot be read back; the hub's own clients encode.
    if (request.spelling != certs::SrSpelling::unencoded && !request.resource.empty()) {
      const auto back = certs::parse_sas_token(made);
      fuzz::require(back.has_value() && back->expiry == request.expiry);
      fuzz::require(certs::verify_sas_signature(*back, key));
      fuzz::require(back->sr_decoded == request.resource && back->skn == request.policy_name);
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
