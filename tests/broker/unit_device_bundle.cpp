// What a bench user pastes and uploads: `flexhil certs device --registry-block` (a registry the
// hub loads as it is) and the provisioning bundle's plan and README.txt.
#include <boost/test/unit_test.hpp>

#include <set>

#include "broker/device_bundle.hpp"
#include "broker/registry.hpp"
#include "certs/certificate_summary.hpp"
#include "certs/pki.hpp"
#include "common/toml_reader.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::broker;

namespace {

certs::KeyPair device_pair(const std::string& id, bool self_signed, const certs::KeyPair* ca = nullptr) {
  certs::CertificateSpec spec;
  spec.common_name = id;
  spec.key = certs::KeyType::ecdsa_p256;
  spec.client_auth = true;
  return self_signed ? certs::make_self_signed(spec) : certs::make_signed(spec, *ca);
}

Registry load_file_text(const testing::TempDir& dir, const std::string& text) {
  const auto file = dir.write("devices.toml", text);
  return load_registry(parse_toml_string(text, file), file);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(device_bundle)

BOOST_AUTO_TEST_CASE(a_self_signed_registry_block_loads_as_a_registry_with_the_certificate_next_to_it) {
  testing::TempDir dir("flexhil-bundle");
  const auto pair = device_pair("Flexy205", true);
  pair.write(dir.path().string(), "Flexy205");
  certs::RegistryBlock b;
  b.hub = "benchhub";
  b.device_id = "Flexy205";
  b.cert_pem = pair.cert_pem;
  b.certificate_path = "Flexy205.crt";
  const auto text = certs::registry_block(b);
  BOOST_TEST(text.find("hub = \"benchhub\"") != std::string::npos, text);
  const auto reg = load_file_text(dir, text);
  BOOST_TEST(reg.hub == "benchhub");
  const auto* dev = reg.find_device("Flexy205");
  BOOST_REQUIRE(dev != nullptr);
  BOOST_TEST((dev->auth == AuthKind::x509_selfsigned));
  BOOST_TEST(dev->primary_thumbprint == certs::sha1_thumbprint(pair.cert_pem));
  BOOST_TEST(dev->certificate == dir.file("Flexy205.crt"));
}

BOOST_AUTO_TEST_CASE(a_ca_signed_registry_block_registers_its_ca_and_without_a_hub_name_says_where_it_goes) {
  testing::TempDir dir("flexhil-bundle");
  certs::CertificateSpec ca_spec;
  ca_spec.common_name = "bench CA";
  ca_spec.is_ca = true;
  const auto ca = certs::make_self_signed(ca_spec);
  ca.write(dir.file("pki"), "ca");
  const auto pair = device_pair("Flexy206", false, &ca);
  certs::RegistryBlock b;
  b.device_id = "Flexy206";
  b.cert_pem = pair.cert_pem;
  b.certificate_path = "Flexy206.crt";
  b.self_signed = false;
  b.ca_certificate_path = "pki/ca.crt";
  const auto text = certs::registry_block(b);
  BOOST_TEST(text.find("# hub = ") != std::string::npos, text);
  const auto reg = load_file_text(dir, text);
  BOOST_REQUIRE(reg.cas.size() == 1u);
  BOOST_TEST(reg.cas.front().certificate == dir.file("pki/ca.crt"));
  BOOST_TEST((reg.find_device("Flexy206")->auth == AuthKind::x509_ca));
}

BOOST_AUTO_TEST_CASE(the_bundle_plan_takes_each_x509_device_files_and_says_why_one_is_missing) {
  const std::set<std::string> files{"/bench/Flexy1.crt", "/bench/Flexy1.key", "/bench/Flexy2.crt", "/bench/Flexy3.crt",
                                    "/bench/Flexy3.key"};
  Registry reg;
  reg.file = "/bench/devices.toml";
  auto device = [](std::string id, AuthKind auth, std::string cert = {}) {
    Device d;
    d.id = std::move(id);
    d.auth = auth;
    d.certificate = std::move(cert);
    return d;
  };
  reg.devices = {device("Flexy1", AuthKind::x509_selfsigned, "/bench/Flexy1.crt"),
                 device("Flexy2", AuthKind::x509_selfsigned, "/bench/Flexy2.crt"),
                 device("Flexy3", AuthKind::x509_selfsigned),  // by thumbprint: <id>.crt next to the registry
                 device("FlexySas", AuthKind::sas)};
  const auto plan = plan_bundle(reg, {}, [&](const std::string& p) { return files.count(p) > 0; });
  BOOST_REQUIRE(plan.size() == 4u);
  BOOST_TEST(plan[0].certificate == "/bench/Flexy1.crt");
  BOOST_TEST(plan[0].key == "/bench/Flexy1.key");
  BOOST_TEST(plan[0].missing.empty());
  BOOST_TEST(plan[1].certificate.empty());
  BOOST_TEST(plan[1].missing.find("/bench/Flexy2.key not found") != std::string::npos, plan[1].missing);
  BOOST_TEST(plan[2].certificate == "/bench/Flexy3.crt");
  BOOST_TEST(plan[3].certificate.empty());
  BOOST_TEST(plan[3].missing.empty());
  const auto only = plan_bundle(reg, {"Flexy3"}, [&](const std::string& p) { return files.count(p) > 0; });
  BOOST_REQUIRE(only.size() == 1u);
  BOOST_TEST(only[0].id == "Flexy3");

  const auto readme = bundle_readme("benchhub.azure-devices.net", "benchhub", 18883, plan);
  for (const char* expected :
       {"ftp> cd /usr", "ftp> put ca.pem", "ftp> put Flexy1.crt", "ftp> put Flexy1.key", "ftp> put Flexy3.key",
        "\"KeyFile\", \"/usr/Flexy1.key\"", "Not bundled: Flexy2", "flexhil certs sas --hub benchhub --device FlexySas",
        "\"Port\", \"18883\""})
    BOOST_TEST(readme.find(expected) != std::string::npos, expected << "\n--- in ---\n" << readme);
  BOOST_TEST(readme.find("ftp> put Flexy2") == std::string::npos, readme);
}

BOOST_AUTO_TEST_SUITE_END()
