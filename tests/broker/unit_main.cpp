#define BOOST_TEST_MODULE test_broker_unit
#include <boost/test/unit_test.hpp>
