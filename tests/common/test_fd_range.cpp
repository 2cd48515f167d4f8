// fd_range: our own descriptors leave the numbers below FD_SETSIZE to libmodbus' select(), and a
// libmodbus socket numbered above is brought back into that range (or refused, never a crash).
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include "common/fd_range.hpp"

using namespace flexhil;

BOOST_AUTO_TEST_SUITE(fd_range)

BOOST_AUTO_TEST_CASE(own_descriptors_move_above_and_select_ones_come_back_below) {
  BOOST_REQUIRE_GT(raise_open_file_limit(), FD_SETSIZE);  // the test machine allows more than 1024
  const int low = ::eventfd(0, EFD_CLOEXEC);
  BOOST_REQUIRE_GE(low, 0);
  const int high = above_select_range(low);
  BOOST_TEST(high >= FD_SETSIZE);
  BOOST_TEST(::fcntl(low, F_GETFD) == -1);                 // the original is closed
  BOOST_TEST((::fcntl(high, F_GETFD) & FD_CLOEXEC) != 0);  // the copy is close-on-exec
  BOOST_TEST(above_select_range(high) == high);            // already above: unchanged
  BOOST_TEST(above_select_range(-1) == -1);
  const int back = into_select_range(high);
  BOOST_TEST(back >= 0);
  BOOST_TEST(back < FD_SETSIZE);
  BOOST_TEST(::fcntl(high, F_GETFD) == -1);
  BOOST_TEST(into_select_range(back) == back);
  ::close(back);
}

BOOST_AUTO_TEST_CASE(a_reserve_keeps_the_low_numbers_for_the_sockets_it_adopts) {
  BOOST_REQUIRE_GT(raise_open_file_limit(), 4 * FD_SETSIZE);
  std::size_t held = 0;
  {
    SelectRangeReserve reserve;
    held = reserve.available();
    BOOST_TEST(held > 0u);
    // Everyone else now gets numbers above the range (paho's sockets in a fleet run).
    const int other = ::eventfd(0, EFD_CLOEXEC);
    BOOST_TEST(other >= FD_SETSIZE);
    const int low = reserve.adopt(other);
    BOOST_TEST(low >= 0);
    BOOST_TEST(low < FD_SETSIZE);
    BOOST_TEST(::fcntl(other, F_GETFD) == -1);             // moved, not copied
    BOOST_TEST((::fcntl(low, F_GETFD) & FD_CLOEXEC) != 0);
    BOOST_TEST(::write(low, "\1\0\0\0\0\0\0\0", 8) == 8);  // it is the eventfd
    BOOST_TEST(reserve.available() == held - 1);
    reserve.give_back(low);
    BOOST_TEST(reserve.available() == held);
    BOOST_TEST(::write(low, "\1\0\0\0\0\0\0\0", 8) == -1);  // a placeholder (/dev/null, read-only) again
  }
  // Released: the low numbers are free again.
  const int fd = ::eventfd(0, EFD_CLOEXEC);
  BOOST_TEST(fd < FD_SETSIZE);
  ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()
