#define BOOST_TEST_MODULE test_flexy_runtime
#include <boost/test/unit_test.hpp>
