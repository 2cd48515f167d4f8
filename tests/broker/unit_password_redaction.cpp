// redact_password(): every spelling of a secret in an MQTT password is gone from the capture,
// and what is kept (sr, se, skn; the eWON X.509 marker) is exactly what was sent.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "broker/password_redaction.hpp"

using flexhil::broker::redact_password;

namespace {

constexpr const char* kSecret = "LlyQyX/KScs+Ud9/2x/PTVm";  // stands for a signature or key

bool leaks(const std::string& redacted, const std::string& secret) {
  // Any 6 consecutive characters of the secret would be a leak.
  for (std::size_t i = 0; i + 6 <= secret.size(); ++i)
    if (redacted.find(secret.substr(i, 6)) != std::string::npos) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(password_redaction)

BOOST_AUTO_TEST_CASE(the_sas_signature_is_redacted_in_every_spelling) {
  const std::string s = kSecret;
  const std::string enc = "LlyQyX%2FKScs%2BUd9%2F2x%2FPTVm";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"SharedAccessSignature sr=h.azure-devices.net%2Fdevices%2FF1&sig=" + enc + "&se=1924992000", enc},
      {"SharedAccessSignature sig=" + enc + "&se=1924992000&sr=h%2Fdevices%2FF1", enc},
      {"SharedAccessSignature se=1924992000&sr=h&sig=" + enc, enc},
      {"SharedAccessSignature sr=h&SIG=" + enc + "&se=1", enc},
      {"SharedAccessSignature sr=h&Sig=" + enc + "&se=1", enc},
      {"sharedaccesssignature sr=h&sig=" + enc + "&se=1", enc},
      {"  SharedAccessSignature sr=h&sig=" + enc + "&se=1", enc},
      {"SharedAccessSignature sr=h&sig=" + s + "&se=1", s},                 // raw '+' and '/'
      {"SharedAccessSignature sr=h&sig=LlyQyX KScs Ud9 2x&se=1", "LlyQyX KScs Ud9 2x"},  // spaces
      {"SharedAccessSignature sr=h&sig= " + s + "&se=1", s},
      {"SharedAccessSignature sr=h&%73ig=" + enc + "&se=1", enc},           // percent-encoded name
      {"SharedAccessSignature sr=h&s%69g=" + enc + "&se=1", enc},
      {"SharedAccessSignature sr=h sig=" + s + "&se=1", s},                 // sig hidden in sr
      {"SharedAccessSignature se=1 sig=" + s + "&sr=h", s},                 // … or in se
      {"SharedAccessSignature skn=iothubowner sig=" + s + "&sr=h", s},      // … or in skn
      {"SharedAccessSignature sr=h&sig=" + s + "&sig=" + s + "&se=1", s},   // twice
      {"SharedAccessSignature sr=h&" + s + "&se=1", s},                     // no name at all
      {"SharedAccessSignature sr%3Dh%26sig%3D" + enc + "%26se%3D1", enc},   // all of it encoded
      {"SharedAccessSignature sr=h&sig=" + enc + "&skn=owner&se=1&extra=" + s, s},
  };
  for (const auto& [password, secret] : cases) {
    BOOST_TEST_CONTEXT(password) {
      const auto r = redact_password(password);
      BOOST_TEST(!leaks(r, secret), r);
      BOOST_TEST(r.rfind("SharedAccessSignature ", 0) == 0u, r);
    }
  }
}

BOOST_AUTO_TEST_CASE(harmless_sas_fields_are_kept_as_sent) {
  const auto r = redact_password(std::string("SharedAccessSignature sr=h.azure-devices.net%2Fdevices%2FF1&sig=") +
                                 kSecret + "&se=1924992000&skn=iothubowner");
  BOOST_TEST(r ==
             "SharedAccessSignature sr=h.azure-devices.net%2Fdevices%2FF1&sig=<redacted>&se=1924992000&skn=iothubowner");
}

BOOST_AUTO_TEST_CASE(x509_marker_passwords_keep_the_marker_and_lose_any_key) {
  BOOST_TEST(redact_password(std::string("HostName=h;DeviceId=d;x509=true")) == "HostName=h;DeviceId=d;x509=true");
  BOOST_TEST(redact_password(std::string("x509=true")) == "x509=true");
  const std::string key = "c2NlbmFyaW8tbGlicmFyeS1zYXMta2V5";
  for (const auto& p : {"x509=true;SharedAccessKey=" + key, "HostName=h;DeviceId=d;x509=true;SharedAccessKey=" + key,
                        "x509=true;" + key, "x509=TRUE;sharedaccesskey=" + key, "HostName=h " + key + ";x509=true",
                        "DeviceId=d;SharedAccessKeyName=k;SharedAccessKey=" + key + ";x509=true"}) {
    BOOST_TEST_CONTEXT(p) {
      const auto r = redact_password(p);
      BOOST_TEST(!leaks(r, key), r);
      BOOST_TEST(r.find("x509=") != std::string::npos, r);
    }
  }
}

BOOST_AUTO_TEST_CASE(anything_else_is_redacted_whole) {
  BOOST_TEST(redact_password(std::string("secret")) == "<redacted 6 bytes>");
  BOOST_TEST(redact_password(std::string("sr=h&sig=abcdef&se=1")) == "<redacted 20 bytes>");  // no prefix
  BOOST_TEST(redact_password(std::string("SharedAccessKey=abcdefgh")) == "<redacted 24 bytes>");
  BOOST_TEST(redact_password(std::string()) == "");
  BOOST_TEST(redact_password(std::nullopt) == "");
}

BOOST_AUTO_TEST_SUITE_END()
