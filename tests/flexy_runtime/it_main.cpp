#define BOOST_TEST_MODULE test_flexy_runtime_integration
#include <boost/test/unit_test.hpp>
