// The device registry loader: shapes it accepts and errors with file:line:col.
#include <boost/test/unit_test.hpp>

#include "broker/registry.hpp"
#include "certs/pki.hpp"
#include "common/toml_reader.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::broker;

namespace {
constexpr const char* kKey1 = "c2VjcmV0LWtleS0xMjM0NTY3ODkwMTIzNDU2Nzg5MA==";
constexpr const char* kKey2 = "b3RoZXIta2V5LTEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=";

Registry load_text(const std::string& text, const std::string& file = "reg.toml") {
  auto doc = parse_toml_string(text, file);
  return load_registry(doc, file);
}

// Expects a ConfigError at line:col whose message contains `needle`.
void expect_error(const std::string& text, int line, int col, const std::string& needle) {
  try {
    load_text(text);
    BOOST_FAIL("expected a ConfigError containing '" + needle + "'");
  } catch (const ConfigError& e) {
    BOOST_TEST_INFO(e.what());
    BOOST_TEST(e.where().file == "reg.toml");
    BOOST_TEST(e.where().line == line);
    BOOST_TEST(e.where().column == col);
    BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos);
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(registry)

BOOST_AUTO_TEST_CASE(issue_example_registry_loads_with_all_fields) {
  const auto reg = load_text(std::string(R"(hub = "eWONPROJECT"

[[device]]
id = "Flexy205Self"
auth = "x509-selfsigned"
primary_thumbprint = "0eea49b0ae3ad296b620fe1bc34df4ac7b226c34"

[[device]]
id = "FlexySas"
auth = "sas"
primary_key = ")") + kKey1 + R"("
secondary_key = ")" + kKey2 + R"("
enabled = false
[device.twin.desired]
interval = 20
nested = { a = "b" }
[device.twin.reported]
fw = "14.7"

[[policy]]
name = "iothubowner"
key = ")" + kKey1 + R"("
permissions = ["DeviceConnect", "RegistryRead"]
)");
  BOOST_TEST(reg.hub == "eWONPROJECT");
  BOOST_TEST(reg.host() == "eWONPROJECT.azure-devices.net");
  BOOST_REQUIRE(reg.devices.size() == 2u);
  const auto* self = reg.find_device("Flexy205Self");
  BOOST_REQUIRE(self);
  BOOST_TEST(to_string(self->auth) == "x509-selfsigned");
  BOOST_TEST(self->primary_thumbprint == "0EEA49B0AE3AD296B620FE1BC34DF4AC7B226C34");
  BOOST_TEST(self->enabled);
  const auto* sas = reg.find_device("FlexySas");
  BOOST_REQUIRE(sas);
  BOOST_TEST(!sas->enabled);
  BOOST_TEST(sas->secondary_key == kKey2);
  BOOST_TEST(sas->twin_desired["interval"] == 20);
  BOOST_TEST(sas->twin_desired["nested"]["a"] == "b");
  BOOST_TEST(sas->twin_reported["fw"] == "14.7");
  const auto* pol = reg.find_policy("iothubowner");
  BOOST_REQUIRE(pol);
  BOOST_TEST(pol->has(Permission::device_connect));
  BOOST_TEST(pol->has(Permission::registry_read));
  BOOST_TEST(!pol->has(Permission::service_connect));
  BOOST_TEST(reg.find_device("flexysas") == nullptr);  // ids are case-sensitive
}

BOOST_AUTO_TEST_CASE(hub_given_as_host_name_is_reduced_to_the_hub_name) {
  BOOST_TEST(load_text("hub = \"MyHub.azure-devices.net\"\n").hub == "MyHub");
}

BOOST_AUTO_TEST_CASE(thumbprints_are_computed_from_certificate_files_relative_to_the_registry) {
  testing::TempDir dir;
  certs::CertificateSpec spec;
  spec.common_name = "Dev1";
  spec.key = certs::KeyType::ecdsa_p256;
  const auto kp = certs::make_self_signed(spec);
  kp.write(dir.file("certs"), "dev1");
  auto spec2 = spec;
  const auto kp2 = certs::make_self_signed(spec2);
  kp2.write(dir.file("certs"), "dev1b");
  const auto path = dir.write("reg.toml", R"(hub = "h1b"
[[device]]
id = "Dev1"
auth = "x509-selfsigned"
certificate = "certs/dev1.crt"
secondary_certificate = "certs/dev1b.crt"
)");
  const auto reg = load_registry(path);
  const auto* d = reg.find_device("Dev1");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->primary_thumbprint == certs::sha1_thumbprint(kp.cert_pem));
  BOOST_TEST(d->secondary_thumbprint == certs::sha1_thumbprint(kp2.cert_pem));
  BOOST_TEST(d->certificate == dir.file("certs/dev1.crt"));
}

BOOST_AUTO_TEST_CASE(sha256_thumbprint_given_makes_the_computed_secondary_sha256_too) {
  testing::TempDir dir;
  certs::CertificateSpec spec;
  spec.common_name = "Dev1";
  spec.key = certs::KeyType::ecdsa_p256;
  const auto kp = certs::make_self_signed(spec);
  kp.write(dir.path().string(), "b");
  const auto path = dir.write("reg.toml", R"(hub = "h1b"
[[device]]
id = "Dev1"
auth = "x509-selfsigned"
primary_thumbprint = ")" + std::string(64, 'a') + R"("
secondary_certificate = "b.crt"
)");
  const auto reg = load_registry(path);
  BOOST_TEST(reg.devices.at(0).secondary_thumbprint == certs::sha256_thumbprint(kp.cert_pem));
}

BOOST_AUTO_TEST_CASE(thumbprint_that_contradicts_its_certificate_is_an_error) {
  testing::TempDir dir;
  certs::CertificateSpec spec;
  spec.common_name = "Dev1";
  spec.key = certs::KeyType::ecdsa_p256;
  certs::make_self_signed(spec).write(dir.path().string(), "a");
  const auto path = dir.write("reg.toml", "[[device]]\nid = \"D\"\nauth = \"x509-selfsigned\"\nprimary_thumbprint = \"" +
                                              std::string(40, 'A') + "\"\ncertificate = \"a.crt\"\n");
  BOOST_CHECK_EXCEPTION(load_registry(path), ConfigError, [](const ConfigError& e) {
    return e.where().line == 4 && e.message().find("does not match") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(missing_certificate_file_names_the_key_position) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"x509-selfsigned\"\ncertificate = \"nope.crt\"\n", 4, 15,
               "nope.crt");
}

BOOST_AUTO_TEST_CASE(unknown_key_is_reported_with_line_and_column) {
  expect_error(std::string("[[device]]\nid = \"D\"\nauth = \"sas\"\nprimary_key = \"") + kKey1 + "\"\ncolour = 1\n", 5,
               10, "unknown key 'colour'");
}

BOOST_AUTO_TEST_CASE(unknown_auth_lists_the_valid_choices) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"password\"\n", 3, 8, "sas, x509-selfsigned, x509-ca");
}

BOOST_AUTO_TEST_CASE(invalid_device_id_characters_are_rejected) {
  expect_error("[[device]]\nid = \"bad id\"\nauth = \"x509-ca\"\n", 2, 6, "invalid device id");
  expect_error("[[device]]\nid = \"" + std::string(129, 'a') + "\"\nauth = \"x509-ca\"\n", 2, 6, "invalid device id");
}

BOOST_AUTO_TEST_CASE(device_id_of_128_allowed_characters_is_accepted) {
  const std::string id = "a-:.+%_#*?!(),=@;$'" + std::string(128 - 19, 'z');
  BOOST_TEST(id.size() == 128u);
  BOOST_TEST(load_text("[[device]]\nid = \"" + id + "\"\nauth = \"x509-ca\"\n").devices.at(0).id == id);
}

BOOST_AUTO_TEST_CASE(non_base64_key_is_rejected_at_its_value) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"sas\"\nprimary_key = \"not base64!\"\n", 4, 15, "base64");
}

BOOST_AUTO_TEST_CASE(too_short_key_is_rejected) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"sas\"\nprimary_key = \"YWJj\"\n", 4, 15, "16 to 64 bytes");
}

BOOST_AUTO_TEST_CASE(sas_device_without_primary_key_is_an_error) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"sas\"\n", 1, 1, "primary_key");
}

BOOST_AUTO_TEST_CASE(thumbprint_with_colons_is_rejected) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"x509-selfsigned\"\nprimary_thumbprint = \"0E:EA:49\"\n", 4, 22,
               "without colons");
}

BOOST_AUTO_TEST_CASE(thumbprints_of_different_lengths_are_rejected) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"x509-selfsigned\"\nprimary_thumbprint = \"" + std::string(40, 'a') +
                   "\"\nsecondary_thumbprint = \"" + std::string(64, 'b') + "\"\n",
               5, 24, "same length");
}

BOOST_AUTO_TEST_CASE(key_of_another_auth_kind_is_rejected) {
  expect_error(std::string("[[device]]\nid = \"D\"\nauth = \"x509-ca\"\nprimary_key = \"") + kKey1 + "\"\n", 4, 15,
               "only valid with auth = \"sas\"");
}

BOOST_AUTO_TEST_CASE(duplicate_device_ids_are_rejected_at_the_second) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"x509-ca\"\n[[device]]\nid = \"D\"\nauth = \"x509-ca\"\n", 5, 6,
               "duplicate device id 'D' (first defined at reg.toml:1");
}

BOOST_AUTO_TEST_CASE(duplicate_policies_and_unknown_permissions_are_rejected) {
  const std::string p = std::string("[[policy]]\nname = \"p\"\nkey = \"") + kKey1 + "\"\npermissions = [\"DeviceConnect\"]\n";
  expect_error(p + p, 6, 8, "duplicate policy 'p'");
  expect_error(std::string("[[policy]]\nname = \"p\"\nkey = \"") + kKey1 + "\"\npermissions = [\"Connect\"]\n", 4, 15,
               "unknown permission 'Connect'");
}

BOOST_AUTO_TEST_CASE(invalid_hub_name_is_rejected) {
  expect_error("hub = \"my hub\"\n", 1, 7, "invalid hub name");
}

BOOST_AUTO_TEST_CASE(twin_property_starting_with_dollar_is_rejected) {
  expect_error("[[device]]\nid = \"D\"\nauth = \"x509-ca\"\n[device.twin.desired]\n\"$version\" = 3\n", 5, 14,
               "may not start with '$'");
}

BOOST_AUTO_TEST_CASE(toml_syntax_error_keeps_the_parser_position) {
  expect_error("hub = \"a\"\n[[device]\n", 2, 10, "");
}

BOOST_AUTO_TEST_CASE(ca_certificates_are_resolved_and_checked) {
  testing::TempDir dir;
  certs::CertificateSpec spec;
  spec.common_name = "Device CA";
  spec.is_ca = true;
  spec.key = certs::KeyType::ecdsa_p256;
  certs::make_self_signed(spec).write(dir.path().string(), "ca");
  const auto path = dir.write("reg.toml", "[[ca]]\nname = \"devices\"\ncertificate = \"ca.crt\"\n");
  const auto reg = load_registry(path);
  BOOST_REQUIRE(reg.cas.size() == 1u);
  BOOST_TEST(reg.cas[0].certificate == dir.file("ca.crt"));
}

// Module identities ([[device.module]]): their own credentials and twin, ClientId
// "{deviceId}/{moduleId}".
BOOST_AUTO_TEST_CASE(modules_are_identities_of_their_device_with_their_own_credentials_and_twin) {
  const auto reg = load_text(std::string(R"(hub = "eWONPROJECT"
[[device]]
id = "Flexy205"
auth = "sas"
primary_key = ")") + kKey1 + R"("
[[device.module]]
id = "collector"
auth = "sas"
primary_key = ")" + kKey2 + R"("
twin = { desired = { period = 10 } }
[[device.module]]
id = "watchdog"
auth = "x509-selfsigned"
primary_thumbprint = "0eea49b0ae3ad296b620fe1bc34df4ac7b226c34"
enabled = false
)");
  BOOST_REQUIRE_EQUAL(reg.devices.size(), 1u);
  BOOST_REQUIRE_EQUAL(reg.modules.size(), 2u);
  const auto* m = reg.find_identity("Flexy205/collector");
  BOOST_REQUIRE(m);
  BOOST_TEST(m->module_id == "collector");
  BOOST_TEST(m->device_id == "Flexy205");
  BOOST_TEST(m->primary_key == kKey2);
  BOOST_TEST(m->twin_desired["period"] == 10);
  BOOST_TEST(!reg.find_identity("Flexy205/watchdog")->enabled);
  BOOST_TEST(reg.find_identity("Flexy205")->id == "Flexy205");
  BOOST_TEST(!reg.find_identity("Flexy205/nope"));
  BOOST_TEST(!reg.find_device("Flexy205/collector"));  // devices and modules stay apart
}

BOOST_AUTO_TEST_CASE(module_errors_name_the_module_table) {
  const std::string device = std::string("[[device]]\nid = \"D\"\nauth = \"sas\"\nprimary_key = \"") + kKey1 + "\"\n";
  expect_error(device + "[[device.module]]\nid = \"m\"\nauth = \"x509-ca\"\n", 7, 8, "one of: sas, x509-selfsigned");
  expect_error(device + "[[device.module]]\nid = \"m\"\nauth = \"sas\"\nprimary_key = \"" + kKey1 +
                   "\"\n[[device.module]]\nid = \"m\"\nauth = \"sas\"\nprimary_key = \"" + kKey1 + "\"\n",
               10, 6, "duplicate module id 'm' of device 'D'");
  expect_error(device + "[[device.module]]\nid = \"a/b\"\nauth = \"sas\"\n", 6, 6, "invalid module id 'a/b'");
  expect_error(device + "[[device.module]]\nid = \"m\"\nauth = \"sas\"\nprimary_key = \"" + kKey1 + "\"\nkeys = 1\n",
               9, 8, "keys");
}

BOOST_AUTO_TEST_SUITE_END()
