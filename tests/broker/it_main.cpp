// test_broker: real mosquitto + the iothub plugin + real TLS clients, one test per verdict.
#define BOOST_TEST_MODULE test_broker
#include <boost/test/unit_test.hpp>
