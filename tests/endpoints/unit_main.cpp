#define BOOST_TEST_MODULE test_endpoints
#include <boost/test/unit_test.hpp>
