#include <boost/test/unit_test.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/rules/catalogue.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil::rules;

BOOST_AUTO_TEST_SUITE(catalogue_suite)

BOOST_AUTO_TEST_CASE(rule_ids_are_unique_upper_case_and_start_with_their_area) {
  std::set<std::string> seen;
  for (const auto& r : catalogue()) {
    BOOST_TEST(seen.insert(r.id).second, "duplicate " << r.id);
    BOOST_TEST(r.id.rfind(r.area + "-", 0) == 0, r.id << " not in area " << r.area);
    for (char c : r.id) BOOST_TEST((std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'));
    BOOST_TEST(!r.title.empty());
    BOOST_TEST(!r.description.empty());
  }
  BOOST_TEST(find_rule("PAYLOAD-DUPLICATE-KEY") != nullptr);
  BOOST_TEST(find_rule("NOPE") == nullptr);
}

BOOST_AUTO_TEST_CASE(committed_docs_rules_md_equals_the_generated_catalogue) {
  std::ifstream in(flexhil::testing::source_dir() + "/docs/rules.md");
  BOOST_REQUIRE_MESSAGE(in, "docs/rules.md missing");
  std::stringstream text;
  text << in.rdbuf();
  BOOST_TEST(text.str() == catalogue_markdown(),
             "docs/rules.md is stale: regenerate with `flexhil rules --markdown > docs/rules.md`");
}

BOOST_AUTO_TEST_SUITE_END()
