#pragma once
// Azure IoT Hub shared access signatures, exactly as the hub computes and parses them
// (docs/hub-behaviour.md "SAS password"). Pure: no sockets, no clock reads — the
// caller passes "now".
//
//   SharedAccessSignature sr={resource}&sig={urlencoded base64 HMAC}&se={expiry}[&skn={policy}]
//   sig = base64(HMAC-SHA256(key = base64decode(key), msg = sr_as_transmitted + "\n" + se))
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::certs {

// How `sr` is spelled in the token: the hub accepts all three.
enum class SrSpelling { unencoded, percent_upper /* %2F */, percent_lower /* %2f */ };

struct SasTokenRequest {
  std::string resource;            // e.g. "myhub.azure-devices.net/devices/Flexy1" (decoded form)
  std::string key_base64;          // device or policy key, base64
  std::int64_t expiry = 0;         // seconds since the Unix epoch
  std::optional<std::string> policy_name;  // adds skn=
  SrSpelling spelling = SrSpelling::percent_upper;
};

// The full password string "SharedAccessSignature sr=…&sig=…&se=…[&skn=…]".
// Throws std::invalid_argument if the key is not valid base64.
std::string make_sas_token(const SasTokenRequest& request);

struct ParsedSasToken {
  std::string sr_raw;       // exactly as transmitted (what the signature covers)
  std::string sr_decoded;   // URL-decoded
  std::string signature;    // URL-decoded base64 signature
  std::string se_raw;       // as transmitted
  std::int64_t expiry = 0;
  std::optional<std::string> skn;
};

// Parses a password; nullopt with `error` set when malformed (wrong prefix, missing field,
// duplicate field, non-numeric se, …). Field order free, names case-insensitive.
std::optional<ParsedSasToken> parse_sas_token(std::string_view password, std::string* error = nullptr);

// True when `token.signature` equals HMAC-SHA256 under key_base64 (constant-time compare).
bool verify_sas_signature(const ParsedSasToken& token, const std::string& key_base64);

std::string url_encode(std::string_view s);   // RFC 3986 unreserved kept, %XX upper-case
std::string url_decode(std::string_view s);   // '+' is kept as '+'

}  // namespace flexhil::certs
