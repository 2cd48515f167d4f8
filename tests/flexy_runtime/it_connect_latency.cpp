// What makes the emulated Flexy's connect cost what TLS costs (docs/design-decisions.md), checked
// on its mechanism rather than on a stopwatch:
// - the host-name override proxy answers "200" before the request arrives, so paho's
//   Proxy_connect() never finds it missing (it would sleep 250 ms) and the pending TCP connect
//   is readable when paho's receive thread first polls it (else it waits 1 s);
// - each connection the proxy accepts pokes the PahoWake, which ends paho's receive-thread poll;
// - a "host:port" route wins over a "host" route through the proxy;
// - the proxy is the device's WAN link: a cut closes the device's side and silences the hub's.
// tests/scenarios runs pass/connect_at_x20.toml for the latency itself.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>

#include "common/clock.hpp"
#include "common/net.hpp"
#include "sim/flexy/runtime/connect_proxy.hpp"
#include "sim/flexy/runtime/mqtt_bridge.hpp"
#include "sim/flexy/runtime/paho_wake.hpp"
#include "tests/flexy_runtime/it_support.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace std::chrono_literals;

namespace {

struct Socket {
  int fd = -1;
  Socket() : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  explicit Socket(int f) : fd(f) {}
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
};

bool connect_loopback(const Socket& s, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return ::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
}

// A loopback listener that only accepts (stands for a hub listener behind a route).
struct Listener {
  Socket sock;
  std::uint16_t port = 0;
  Listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(sock.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(sock.fd, 4);
    ::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  bool has_connection(std::chrono::milliseconds timeout) const {
    pollfd p{sock.fd, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
  }
  std::string route() const { return "127.0.0.1:" + std::to_string(port); }
};

// What the client end reads without having sent anything (waits for readability, at most 5 s).
std::string read_unprompted(const Socket& s) {
  pollfd p{s.fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return {};
  char buf[256];
  const auto n = ::recv(s.fd, buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connect_latency)

BOOST_AUTO_TEST_CASE(the_proxy_answers_before_the_request_and_reports_each_accept) {
  Listener hub;
  std::atomic<int> accepted{0};
  ConnectProxy proxy({{"hub.azure-devices.net", hub.route()}}, [&] { ++accepted; });
  Socket client;
  BOOST_REQUIRE(connect_loopback(client, proxy.port()));
  // Nothing sent yet: what paho's Proxy_connect() reads right after its request is already here.
  const auto answer = read_unprompted(client);
  BOOST_TEST(answer.rfind("HTTP/1.1 200", 0) == 0, answer);
  BOOST_TEST(answer.find("\r\n\r\n") == answer.size() - 4);  // the whole answer, nothing after it
  BOOST_TEST(accepted.load() == 1);
  // The request then opens the route.
  const std::string request = "CONNECT hub.azure-devices.net:8883 HTTP/1.1\r\nHost: hub.azure-devices.net\r\n\r\n";
  BOOST_REQUIRE(::send(client.fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  BOOST_TEST(hub.has_connection(5s));
}

BOOST_AUTO_TEST_CASE(a_host_and_port_route_wins_over_a_host_route_through_the_proxy) {
  Listener by_host, by_host_and_port;
  ConnectProxy proxy({{"hub.azure-devices.net", by_host.route()}, {"hub.azure-devices.net:8883", by_host_and_port.route()}});
  Socket client;
  BOOST_REQUIRE(connect_loopback(client, proxy.port()));
  const std::string request = "CONNECT HUB.azure-devices.net:8883 HTTP/1.1\r\n\r\n";
  BOOST_REQUIRE(::send(client.fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  BOOST_TEST(by_host_and_port.has_connection(5s));
  BOOST_TEST(!by_host.has_connection(0ms));
}

BOOST_AUTO_TEST_CASE(a_wan_cut_closes_the_device_side_silences_the_hub_side_and_refuses_new_connects) {
  Listener hub;
  ConnectProxy proxy({{"hub.azure-devices.net", hub.route()}});
  Socket device;
  BOOST_REQUIRE(connect_loopback(device, proxy.port()));
  BOOST_REQUIRE(read_unprompted(device).rfind("HTTP/1.1 200", 0) == 0);
  const std::string request = "CONNECT hub.azure-devices.net:8883 HTTP/1.1\r\n\r\nhello";
  BOOST_REQUIRE(::send(device.fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  BOOST_REQUIRE(hub.has_connection(5s));
  Socket hub_side(::accept4(hub.sock.fd, nullptr, nullptr, SOCK_CLOEXEC));
  BOOST_REQUIRE(hub_side.fd >= 0);
  BOOST_TEST(read_unprompted(hub_side) == "hello");

  proxy.set_link(false);
  BOOST_TEST(!proxy.link_up());
  BOOST_TEST(read_unprompted(device).empty());  // EOF: the device's socket died with the link
  // The hub's side stays open and hears nothing; what it sends is lost.
  const std::string c2d = "c2d";
  BOOST_TEST(::send(hub_side.fd, c2d.data(), c2d.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(c2d.size()));
  pollfd p{hub_side.fd, POLLIN, 0};
  BOOST_TEST(::poll(&p, 1, 300) == 0, "the hub's side was closed or written to after the cut");
  // While the link is down a connect gets no answer at all.
  Socket refused;
  BOOST_REQUIRE(connect_loopback(refused, proxy.port()));
  BOOST_TEST(read_unprompted(refused).empty());

  proxy.set_link(true);
  Socket again;
  BOOST_REQUIRE(connect_loopback(again, proxy.port()));
  BOOST_TEST(read_unprompted(again).rfind("HTTP/1.1 200", 0) == 0);
}

BOOST_AUTO_TEST_CASE(an_unrouted_host_has_its_connection_closed) {
  Listener hub;
  ConnectProxy proxy({{"hub.azure-devices.net", hub.route()}});
  Socket client;
  BOOST_REQUIRE(connect_loopback(client, proxy.port()));
  BOOST_TEST(read_unprompted(client).rfind("HTTP/1.1 200", 0) == 0);
  const std::string request = "CONNECT elsewhere.example:8883 HTTP/1.1\r\n\r\n";
  BOOST_REQUIRE(::send(client.fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  BOOST_TEST(read_unprompted(client).empty());  // EOF
  BOOST_TEST(!hub.has_connection(0ms));
}

BOOST_AUTO_TEST_CASE(every_connect_through_the_override_pokes_paho_wake) {
  testing::HubFixture f;
  const auto dev = f.add_self_signed_device("FlexyWake");
  f.start();
  auto wake = std::make_shared<PahoWake>();
  BOOST_REQUIRE(wake->wait_ready(5s));
  MqttSettings settings;
  settings.resolve[f.hub_host()] = "127.0.0.1:" + std::to_string(f.hub().ports().mqtts);
  settings.auto_reconnect = false;
  SystemClock clock;
  MqttBridge bridge(settings, testing::make_usr_dir(f, "usr", &dev), clock, {}, host_resolves_by_getaddrinfo, wake);
  BOOST_TEST(bridge.command("OPEN", {dev.id, f.hub_host()}).error == 0);
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"Port", "8883"},
           {"CAFile", "/usr/ca.pem"},
           {"CertFile", "/usr/" + dev.id + ".crt"},
           {"KeyFile", "/usr/" + dev.id + ".key"},
           {"Username", f.hub_host() + "/" + dev.id + "/api-version=2016-11-14"}})
    BOOST_TEST(bridge.command("SETPARAM", {k, v}).error == 0, k);
  for (int round = 0; round < 2; ++round) {
    const auto pokes = wake->pokes();
    const auto since = f.mark();
    BOOST_TEST(bridge.command("CONNECT", {}).error == 0);
    BOOST_REQUIRE(wait_until([&] { return bridge.status() == mqtt_status::connected; }, 10s));
    const auto connect = f.wait_for_connect(dev.id, since);
    BOOST_REQUIRE(connect.has_value());
    BOOST_TEST(connect->value("verdict", "") == "accepted");
    BOOST_TEST(wake->pokes() == pokes + 1, "round " << round);  // one accepted connection, one poke
    BOOST_TEST(bridge.command("DISCONNECT", {}).error == 0);
    BOOST_REQUIRE(f.wait_for_event(
        [&](const Json& e) { return e.value("kind", "") == "disconnect" && e.value("device", "") == dev.id; }, 5s, since));
  }
}

BOOST_AUTO_TEST_SUITE_END()
