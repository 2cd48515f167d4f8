#define BOOST_TEST_MODULE test_basic
#include <boost/test/unit_test.hpp>
