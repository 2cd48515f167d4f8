// The link fault point: LinkShaper's arithmetic (pure), and FaultLink relaying real loopback TCP
// connections to an echo server — passing, delayed, throttled, silent, cut and refusing.
#define BOOST_TEST_MODULE test_link
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"
#include "sim/endpoints/tcp_listener.hpp"
#include "sim/link/fault_link.hpp"
#include "sim/link/link_shaper.hpp"

using namespace flexhil;
using namespace flexhil::link;
using namespace std::chrono_literals;

namespace {

// A loopback echo server: every byte comes back.
class EchoServer {
 public:
  EchoServer() : listening_(endpoints::listen_tcp("127.0.0.1", 0, "echo")) {
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{listening_.fd.get(), POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept(listening_.fd.get(), nullptr, nullptr);
        if (fd < 0) continue;
        clients_.emplace_back([fd, this] {
          UniqueFd c(fd);
          char b[4096];
          while (!stop_) {
            pollfd q{fd, POLLIN, 0};
            if (::poll(&q, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(fd, b, sizeof b, 0);
            if (n <= 0) return;
            endpoints::send_all(fd, std::string_view(b, static_cast<std::size_t>(n)));
          }
        });
      }
    });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
    for (auto& t : clients_) t.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(listening_.port); }

 private:
  endpoints::Listening listening_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> clients_;
};

UniqueFd connect_to(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  BOOST_REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Reads `bytes` within `timeout`; what arrived (shorter when the time ran out or the peer closed).
std::string read_for(int fd, std::size_t bytes, std::chrono::milliseconds timeout) {
  std::string got;
  const auto end = std::chrono::steady_clock::now() + timeout;
  char b[4096];
  while (got.size() < bytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, b, sizeof b, 0);
    if (n <= 0) break;
    got.append(b, static_cast<std::size_t>(n));
  }
  return got;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(link_shaper)

BOOST_AUTO_TEST_CASE(latency_delays_each_chunk_and_keeps_order) {
  LinkShaper s;
  s.set({FaultKind::latency, 2.0, 0.5, 0, 0}, 10);
  BOOST_TEST(s.departure(0, 100, 10, 0.5) == 12.0);   // jitter 0 at the middle of the draw
  BOOST_TEST(s.departure(0, 100, 10.1, 0.0) == 12.0);  // 11.6 would overtake: it waits its turn
  BOOST_TEST(s.departure(0, 100, 11, 1.0) == 13.5);
  BOOST_TEST(s.departure(1, 100, 11, 0.0) == 12.5);  // the other direction has its own order
  BOOST_TEST(static_cast<int>(s.state(11)) == static_cast<int>(LinkState::passing));
}

BOOST_AUTO_TEST_CASE(bandwidth_drains_a_queue_at_the_rate) {
  LinkShaper s;
  s.set({FaultKind::bandwidth, 0, 0, 1000, 0}, 0);
  BOOST_TEST(s.departure(0, 500, 0, 0) == 0.5);
  BOOST_TEST(s.departure(0, 1000, 0.1, 0) == 1.5);
  BOOST_TEST(s.departure(0, 100, 5, 0) == 5.1);  // an idle link starts again from now
}

BOOST_AUTO_TEST_CASE(cut_blackhole_and_flap_states) {
  LinkShaper s;
  BOOST_TEST(static_cast<int>(s.state(0)) == static_cast<int>(LinkState::passing));
  s.set({FaultKind::cut, 0, 0, 0, 0}, 0);
  BOOST_TEST(static_cast<int>(s.state(1)) == static_cast<int>(LinkState::cut));
  s.set({FaultKind::blackhole, 0, 0, 0, 0}, 0);
  BOOST_TEST(static_cast<int>(s.state(1)) == static_cast<int>(LinkState::silent));
  s.set({FaultKind::flap, 0, 0, 0, 4}, 10);
  BOOST_TEST(static_cast<int>(s.state(11)) == static_cast<int>(LinkState::cut));
  BOOST_TEST(static_cast<int>(s.state(13)) == static_cast<int>(LinkState::passing));
  BOOST_TEST(static_cast<int>(s.state(15)) == static_cast<int>(LinkState::cut));
  BOOST_TEST(to_string(FaultKind::flap) == "flap");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fault_link)

BOOST_AUTO_TEST_CASE(a_healthy_link_passes_bytes_both_ways) {
  EchoServer echo;
  FaultLink link(echo.address());
  link.start("127.0.0.1", 0);
  auto fd = connect_to(link.port());
  endpoints::send_all(fd.get(), "hello");
  BOOST_TEST(read_for(fd.get(), 5, 5s) == "hello");
  BOOST_TEST(link.accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(latency_and_bandwidth_hold_bytes_back_at_least_as_long_as_set) {
  EchoServer echo;
  FaultLink link(echo.address());
  link.start("127.0.0.1", 0);
  auto fd = connect_to(link.port());
  link.set_fault({FaultKind::latency, 0.3, 0, 0, 0});
  auto t0 = std::chrono::steady_clock::now();
  endpoints::send_all(fd.get(), "ping");
  BOOST_TEST(read_for(fd.get(), 4, 10s) == "ping");
  BOOST_TEST(seconds_since(t0) >= 0.6);  // delayed on the way there and back
  link.set_fault({FaultKind::bandwidth, 0, 0, 20000, 0});
  const std::string big(10000, 'x');
  t0 = std::chrono::steady_clock::now();
  endpoints::send_all(fd.get(), big);
  BOOST_TEST(read_for(fd.get(), big.size(), 20s).size() == big.size());
  // 10 kB at 20 kB/s take 0.5 s to cross one way; the echo's way back overlaps with it (chunks
  // are relayed as they come), so 0.5 s is the bound whatever the chunking.
  BOOST_TEST(seconds_since(t0) >= 0.49);
}

BOOST_AUTO_TEST_CASE(a_blackhole_stalls_the_session_and_the_bytes_arrive_after_it) {
  EchoServer echo;
  FaultLink link(echo.address());
  link.start("127.0.0.1", 0);
  auto fd = connect_to(link.port());
  link.set_fault({FaultKind::blackhole, 0, 0, 0, 0});
  endpoints::send_all(fd.get(), "lost?");
  BOOST_TEST(read_for(fd.get(), 5, 500ms).empty());  // silence, and no close either
  link.set_fault({});
  BOOST_TEST(read_for(fd.get(), 5, 5s) == "lost?");  // TCP delivers once the link is back
}

BOOST_AUTO_TEST_CASE(a_cut_closes_the_sessions_and_refuses_new_ones_until_it_ends) {
  EchoServer echo;
  FaultLink link(echo.address());
  link.start("127.0.0.1", 0);
  auto fd = connect_to(link.port());
  endpoints::send_all(fd.get(), "a");
  BOOST_REQUIRE(read_for(fd.get(), 1, 5s) == "a");
  link.set_fault({FaultKind::cut, 0, 0, 0, 0});
  char b;
  pollfd p{fd.get(), POLLIN, 0};
  BOOST_REQUIRE(::poll(&p, 1, 5000) == 1);
  BOOST_TEST(::recv(fd.get(), &b, 1, 0) <= 0);  // closed
  auto refused = connect_to(link.port());      // the accept happens, the route does not
  BOOST_TEST(read_for(refused.get(), 1, 2s).empty());
  BOOST_TEST(link.refused() >= 1u);
  link.set_fault({});
  auto again = connect_to(link.port());
  endpoints::send_all(again.get(), "b");
  BOOST_TEST(read_for(again.get(), 1, 5s) == "b");
}

BOOST_AUTO_TEST_SUITE_END()
