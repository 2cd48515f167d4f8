#define BOOST_TEST_MODULE test_rules
#include <boost/test/unit_test.hpp>
