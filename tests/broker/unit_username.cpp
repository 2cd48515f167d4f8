// Every username form of the spec, and the refusals for host, device and shape.
#include <boost/test/unit_test.hpp>

#include "broker/username_grammar.hpp"

using namespace flexhil::broker;

namespace {
constexpr const char* kHost = "eWONPROJECT.azure-devices.net";
UsernameVerdict judge(const std::string& u, const std::string& client = "Flexy1") {
  return judge_username(u, client, kHost);
}
std::string form(const UsernameVerdict& v) { return std::string(to_string(v.form)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(username_grammar)

BOOST_AUTO_TEST_CASE(current_form_with_question_mark_api_version_is_accepted) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy1/?api-version=2021-04-12");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "current");
  BOOST_TEST(v.api_version == "2021-04-12");
  BOOST_TEST(v.finding_id.empty());
}

BOOST_AUTO_TEST_CASE(sdk_form_with_device_client_type_and_model_id_is_accepted) {
  const auto v = judge(
      "eWONPROJECT.azure-devices.net/Flexy1/?api-version=2020-09-30&DeviceClientType=iothubclient%2F1.6.0%20(native)"
      "&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "sdk");
  BOOST_TEST(v.device_client_type == "iothubclient/1.6.0 (native)");
  BOOST_TEST(v.model_id == "dtmi:com:example:Thermostat;1");
}

BOOST_AUTO_TEST_CASE(sdk_form_with_only_device_client_type_is_sdk) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy1/?api-version=2020-09-30&DeviceClientType=x");
  BOOST_TEST(form(v) == "sdk");
}

BOOST_AUTO_TEST_CASE(legacy_form_without_question_mark_is_accepted) {
  for (const auto* version : {"2016-11-14", "2018-06-30"}) {
    const auto v = judge(std::string("eWONPROJECT.azure-devices.net/Flexy1/api-version=") + version);
    BOOST_TEST(v.accepted);
    BOOST_TEST(form(v) == "legacy");
    BOOST_TEST(v.api_version == version);
  }
}

BOOST_AUTO_TEST_CASE(no_api_version_is_accepted_with_a_finding) {
  for (const auto* u : {"eWONPROJECT.azure-devices.net/Flexy1", "eWONPROJECT.azure-devices.net/Flexy1/"}) {
    const auto v = judge(u);
    BOOST_TEST(v.accepted);
    BOOST_TEST(form(v) == "none");
    BOOST_TEST(v.finding_id == "AUTH-USERNAME-NO-API-VERSION");
  }
}

BOOST_AUTO_TEST_CASE(query_without_api_version_is_accepted_with_a_finding) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy1/?foo=bar");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "none");
  BOOST_TEST(v.finding_id == "AUTH-USERNAME-NO-API-VERSION");
}

BOOST_AUTO_TEST_CASE(unknown_query_parameters_are_ignored) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy1/?x=1&api-version=2021-04-12&y");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "current");
}

BOOST_AUTO_TEST_CASE(module_form_is_recognised_for_a_module_client_id) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy1/mod1/?api-version=2021-04-12", "Flexy1/mod1");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "module");
}

BOOST_AUTO_TEST_CASE(host_is_compared_case_insensitively) {
  BOOST_TEST(judge("ewonproject.AZURE-devices.net/Flexy1/?api-version=2021-04-12").accepted);
}

BOOST_AUTO_TEST_CASE(wrong_host_is_refused_with_username_host) {
  const auto v = judge("otherhub.azure-devices.net/Flexy1/?api-version=2021-04-12");
  BOOST_TEST(!v.accepted);
  BOOST_TEST(v.reason_id == "AUTH-USERNAME-HOST");
  BOOST_TEST(v.reason.find("otherhub.azure-devices.net") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(short_hub_name_without_domain_is_a_wrong_host) {
  BOOST_TEST(judge("eWONPROJECT/Flexy1/?api-version=2021-04-12").reason_id == "AUTH-USERNAME-HOST");
}

BOOST_AUTO_TEST_CASE(device_part_differing_from_client_id_is_refused) {
  const auto v = judge("eWONPROJECT.azure-devices.net/Flexy2/?api-version=2021-04-12");
  BOOST_TEST(!v.accepted);
  BOOST_TEST(v.reason_id == "AUTH-USERNAME-DEVICE");
  BOOST_TEST(v.reason.find("'Flexy2'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(device_part_is_case_sensitive) {
  BOOST_TEST(judge("eWONPROJECT.azure-devices.net/flexy1/?api-version=2021-04-12").reason_id == "AUTH-USERNAME-DEVICE");
}

BOOST_AUTO_TEST_CASE(device_part_that_only_starts_with_client_id_is_refused) {
  BOOST_TEST(judge("eWONPROJECT.azure-devices.net/Flexy10/?api-version=2021-04-12").reason_id ==
             "AUTH-USERNAME-DEVICE");
}

BOOST_AUTO_TEST_CASE(missing_username_is_refused_with_username_format) {
  const auto v = judge_username(std::nullopt, "Flexy1", kHost);
  BOOST_TEST(!v.accepted);
  BOOST_TEST(v.reason_id == "AUTH-USERNAME-FORMAT");
}

BOOST_AUTO_TEST_CASE(username_without_slash_is_refused_with_username_format) {
  BOOST_TEST(judge("Flexy1").reason_id == "AUTH-USERNAME-FORMAT");
}

BOOST_AUTO_TEST_CASE(garbage_after_the_device_id_is_refused_with_username_format) {
  BOOST_TEST(judge("eWONPROJECT.azure-devices.net/Flexy1/extra").reason_id == "AUTH-USERNAME-FORMAT");
}

BOOST_AUTO_TEST_CASE(device_ids_with_special_characters_match_exactly) {
  const auto v = judge("eWONPROJECT.azure-devices.net/a?b=c/?api-version=2021-04-12", "a?b=c");
  BOOST_TEST(v.accepted);
  BOOST_TEST(form(v) == "current");
}

BOOST_AUTO_TEST_SUITE_END()
