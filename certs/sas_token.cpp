// Azure IoT Hub shared access signatures: building, parsing and verifying, byte for byte as the
// hub does (spec "SAS password"). Pure logic: no clock, no I/O.
#include "certs/sas_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "common/event.hpp"

namespace flexhil::certs {
namespace {

constexpr std::string_view kPrefix = "SharedAccessSignature ";

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string encode(std::string_view s, bool upper_hex) {
  const char* hex = upper_hex ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The hub's signature: base64(HMAC-SHA256(base64decode(key), sr_as_transmitted + "\n" + se)).
// Returns false when the key is not valid base64.
bool compute_signature(const std::string& key_base64, std::string_view sr_transmitted,
                       std::string_view se, std::string& signature) {
  std::string key;
  if (key_base64.empty() || !base64_decode(key_base64, key) || key.empty()) return false;
  std::string message;
  message.reserve(sr_transmitted.size() + 1 + se.size());
  message.append(sr_transmitted).append("\n").append(se);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
                sizeof mac, &mac_len) == nullptr)
    return false;
  signature = base64_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

}  // namespace

std::string url_encode(std::string_view s) { return encode(s, true); }

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];  // a stray '%' (or '+') stays as it is
  }
  return out;
}

std::string make_sas_token(const SasTokenRequest& request) {
  std::string sr;
  switch (request.spelling) {
    case SrSpelling::unencoded: sr = request.resource; break;
    case SrSpelling::percent_upper: sr = encode(request.resource, true); break;
    case SrSpelling::percent_lower: sr = encode(request.resource, false); break;
  }
  const std::string se = std::to_string(request.expiry);
  std::string signature;
  if (!compute_signature(request.key_base64, sr, se, signature))
    throw std::invalid_argument("SAS key is not valid base64");
  std::string token = std::string(kPrefix) + "sr=" + sr + "&sig=" + url_encode(signature) + "&se=" + se;
  if (request.policy_name) token += "&skn=" + url_encode(*request.policy_name);
  return token;
}

std::optional<ParsedSasToken> parse_sas_token(std::string_view password, std::string* error) {
  if (password.substr(0, kPrefix.size()) != kPrefix) {
    fail(error, "SAS token must start with 'SharedAccessSignature ' (exactly, one space)");
    return std::nullopt;
  }
  std::string_view rest = password.substr(kPrefix.size());
  ParsedSasToken token;
  bool have_sr = false, have_sig = false, have_se = false, have_skn = false;
  while (true) {
    const std::size_t amp = rest.find('&');
    const std::string_view field = rest.substr(0, amp);
    const std::size_t eq = field.find('=');
    if (field.empty() || eq == std::string_view::npos || eq == 0) {
      fail(error, "malformed SAS field '" + std::string(field) + "' (expected name=value)");
      return std::nullopt;
    }
    const std::string name = lower(field.substr(0, eq));
    if (!std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
      fail(error, "malformed SAS field name '" + std::string(field.substr(0, eq)) + "'");
      return std::nullopt;
    }
    const std::string_view value = field.substr(eq + 1);
    auto take = [&](bool& seen) {
      if (seen) return fail(error, "duplicate SAS field '" + name + "'");
      seen = true;
      return true;
    };
    if (name == "sr") {
      if (!take(have_sr)) return std::nullopt;
      token.sr_raw = std::string(value);
      token.sr_decoded = url_decode(value);
    } else if (name == "sig") {
      if (!take(have_sig)) return std::nullopt;
      token.signature = url_decode(value);
    } else if (name == "se") {
      if (!take(have_se)) return std::nullopt;
      token.se_raw = std::string(value);
    } else if (name == "skn") {
      if (!take(have_skn)) return std::nullopt;
      token.skn = url_decode(value);
    }
    // Unknown fields are ignored, as the hub's parser does.
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  if (!have_sr || token.sr_raw.empty()) return fail(error, "SAS token has no 'sr' field"), std::nullopt;
  if (!have_sig || token.signature.empty()) return fail(error, "SAS token has no 'sig' field"), std::nullopt;
  if (!have_se || token.se_raw.empty()) return fail(error, "SAS token has no 'se' field"), std::nullopt;
  // Digits only (no sign, no escapes): the signature covers se exactly as transmitted.
  const char* end = token.se_raw.data() + token.se_raw.size();
  const auto [ptr, ec] = std::from_chars(token.se_raw.data(), end, token.expiry);
  if (ec != std::errc() || ptr != end || token.se_raw.front() == '-') {
    fail(error, "SAS 'se' must be decimal seconds since the Unix epoch, got '" + token.se_raw + "'");
    return std::nullopt;
  }
  return token;
}

bool verify_sas_signature(const ParsedSasToken& token, const std::string& key_base64) {
  std::string expected;
  if (!compute_signature(key_base64, token.sr_raw, token.se_raw, expected)) return false;
  return expected.size() == token.signature.size() &&
         CRYPTO_memcmp(expected.data(), token.signature.data(), expected.size()) == 0;
}

}  // namespace flexhil::certs
