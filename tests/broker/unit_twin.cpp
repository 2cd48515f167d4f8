// Twin state: document with $version, reported patches, desired patches.
#include <boost/test/unit_test.hpp>

#include "broker/twin_state.hpp"

using namespace flexhil::broker;
using flexhil::Json;

BOOST_AUTO_TEST_SUITE(twin_state)

BOOST_AUTO_TEST_CASE(document_holds_initial_properties_with_version_one) {
  TwinState twin(Json{{"interval", 20}}, Json{{"fw", "1"}});
  const auto d = twin.document();
  BOOST_TEST(d["desired"]["interval"] == 20);
  BOOST_TEST(d["desired"]["$version"] == 1);
  BOOST_TEST(d["reported"]["fw"] == "1");
  BOOST_TEST(d["reported"]["$version"] == 1);
}

BOOST_AUTO_TEST_CASE(reported_patch_merges_and_bumps_the_version) {
  TwinState twin(Json::object(), Json{{"a", 1}, {"obj", {{"x", 1}, {"y", 2}}}});
  const auto r = twin.patch_reported(R"({"a":null,"b":2,"obj":{"y":null,"z":3}})");
  BOOST_TEST(r.status == 204);
  BOOST_TEST(r.version == 2);
  const auto rep = twin.document()["reported"];
  BOOST_TEST(!rep.contains("a"));
  BOOST_TEST(rep["b"] == 2);
  BOOST_TEST(rep["obj"] == (Json{{"x", 1}, {"z", 3}}));
  BOOST_TEST(rep["$version"] == 2);
}

BOOST_AUTO_TEST_CASE(malformed_reported_patch_is_400_and_changes_nothing) {
  TwinState twin;
  for (const auto* payload : {"{not json", "[1,2]", ""}) {
    const auto r = twin.patch_reported(payload);
    BOOST_TEST(r.status == 400);
    BOOST_TEST(r.version == 1);
  }
  BOOST_TEST(twin.reported_version() == 1);
}

BOOST_AUTO_TEST_CASE(desired_patch_bumps_only_the_desired_version) {
  TwinState twin;
  BOOST_TEST(twin.patch_desired(Json{{"interval", 5}}) == 2);
  BOOST_TEST(twin.patch_desired(Json{{"interval", 6}}) == 3);
  BOOST_TEST(twin.document()["desired"]["interval"] == 6);
  BOOST_TEST(twin.reported_version() == 1);
  BOOST_CHECK_THROW(twin.patch_desired(Json::array()), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(dollar_keys_in_a_patch_are_ignored) {
  TwinState twin;
  twin.patch_reported(R"({"$version":99,"a":1})");
  BOOST_TEST(twin.document()["reported"]["$version"] == 2);
}

BOOST_AUTO_TEST_SUITE_END()
