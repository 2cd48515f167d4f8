// The hub's MQTT protocol verdicts against the real hub (mosquitto 2.0.11 + the iothub plugin +
// the TLS shim): the will (its topic at CONNECT, its delivery on an unclean drop, none on a clean
// DISCONNECT), the keep-alive drop at 1.5 x keep-alive, and the WebSocket upgrade gate.
// Devices are mosquitto_pub, curl, paho (wss://) and a raw MQTT client over OpenSSL that sends
// exactly the packets a test needs and nothing else (no PINGREQ of its own).
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <thread>
#include <mqtt/async_client.h>

#include "tests/broker/hub_fixture.hpp"
#include "tests/broker/websocket_client_frame.hpp"

using namespace flexhil;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

std::string u16(std::size_t n) { return {static_cast<char>(n >> 8), static_cast<char>(n & 0xFF)}; }
std::string mqtt_string(const std::string& s) { return u16(s.size()) + s; }
std::string remaining_length(std::size_t n) {
  std::string out;
  do {
    char c = static_cast<char>(n % 128);
    n /= 128;
    if (n > 0) c = static_cast<char>(c | 0x80);
    out += c;
  } while (n > 0);
  return out;
}

struct Will {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
};

// An MQTT 3.1.1 CONNECT with username and password (and a will).
std::string connect_packet(const std::string& id, const std::string& user, const std::string& password,
                           int keepalive, const std::optional<Will>& will) {
  int flags = 0x80 | 0x40 | 0x02;
  if (will) flags |= 0x04 | (will->qos << 3) | (will->retain ? 0x20 : 0);
  std::string body = mqtt_string("MQTT") + '\x04' + static_cast<char>(flags) + u16(static_cast<std::size_t>(keepalive));
  body += mqtt_string(id);
  if (will) body += mqtt_string(will->topic) + mqtt_string(will->payload);
  body += mqtt_string(user) + mqtt_string(password);
  return std::string(1, '\x10') + remaining_length(body.size()) + body;
}

// A TLS connection speaking raw MQTT bytes: what a device whose MQTT stack stalls looks like.
class RawTlsDevice {
 public:
  RawTlsDevice(std::uint16_t port) : ctx_(SSL_CTX_new(TLS_client_method()), SSL_CTX_free) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    BOOST_REQUIRE_MESSAGE(SSL_connect(ssl_.get()) == 1, "TLS handshake with the hub failed");
  }
  ~RawTlsDevice() { close_socket(); }
  void send(const std::string& bytes) {
    BOOST_REQUIRE(SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size()));
  }
  // The next bytes from the hub; "" when the hub closed the connection (or nothing came in `t`).
  std::string receive(std::chrono::milliseconds t = 5s) {
    pollfd p{fd_, POLLIN, 0};
    if (SSL_pending(ssl_.get()) == 0 && ::poll(&p, 1, static_cast<int>(t.count())) <= 0) return {};
    char buf[256];
    const int n = SSL_read(ssl_.get(), buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  // Waits up to `t` for the hub to close the connection; true when it did.
  bool wait_closed(std::chrono::milliseconds t) {
    const auto end = std::chrono::steady_clock::now() + t;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
      char buf[256];
      if (SSL_read(ssl_.get(), buf, sizeof buf) <= 0) return true;
    }
    return false;
  }
  // Closes the socket without DISCONNECT (and without TLS close_notify): a lost connection.
  void close_socket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_{nullptr, SSL_free};
  int fd_ = -1;
};

// CONNECTs `id` (SAS) and returns the CONNACK return code (-1: no CONNACK).
int raw_connect(RawTlsDevice& d, HubFixture& f, const std::string& id, int keepalive,
                const std::optional<Will>& will = std::nullopt) {
  d.send(connect_packet(id, f.username(id), f.sas_token(id), keepalive, will));
  const auto ack = d.receive();
  if (ack.size() < 4 || ack[0] != '\x20') return -1;
  return static_cast<unsigned char>(ack[3]);
}



// Upgrades `d` (a TLS connection to the WebSocket port) to MQTT/WebSocket, CONNECTs `id` (SAS) in
// one binary frame and returns the CONNACK return code (-1: no CONNACK frame).
int websocket_connect(RawTlsDevice& d, HubFixture& f, const std::string& id, int keepalive,
                      const std::optional<Will>& will = std::nullopt) {
  d.send("GET /$iothub/websocket HTTP/1.1\r\nHost: " + f.hub_host() +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n");
  std::string in;
  while (in.find("\r\n\r\n") == std::string::npos) {
    const auto more = d.receive();
    BOOST_REQUIRE_MESSAGE(!more.empty(), "no answer to the WebSocket upgrade: " << in);
    in += more;
  }
  BOOST_REQUIRE_MESSAGE(in.rfind("HTTP/1.1 101", 0) == 0, in);
  d.send(websocket_client_frame(connect_packet(id, f.username(id), f.sas_token(id), keepalive, will)));
  // The CONNACK in one binary frame from the server (unmasked): 82 04 20 02 00 <code>.
  in.erase(0, in.find("\r\n\r\n") + 4);
  while (in.size() < 6) {
    const auto more = d.receive();
    if (more.empty()) return -1;
    in += more;
  }
  if (in.substr(0, 4) != std::string("\x82\x04\x20\x02", 4)) return -1;
  return static_cast<unsigned char>(in[5]);
}

struct ProtocolHub {
  HubFixture f;
  ProtocolHub() {
    for (const auto* id : {"WillBad", "WillLost", "WillClean", "Marker", "Silent", "Pinging"}) f.add_sas_device(id);
    f.start();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(will_messages, ProtocolHub)

BOOST_AUTO_TEST_CASE(will_topic_other_than_telemetry_is_refused_with_connack_5) {
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "WillBad", {"--will-topic", "flexy/status", "--will-payload", "offline", "-t",
                                              "devices/WillBad/messages/events/", "-m", "x"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status != 0);
  BOOST_TEST(r.output.find("not authorised") != std::string::npos);
  const auto e = f.wait_for_connect("WillBad", since);
  BOOST_REQUIRE(e);
  BOOST_TEST((*e)["verdict"] == "refused");
  BOOST_TEST((*e)["connack"] == 5);
  BOOST_TEST((*e)["reason_id"] == "TOPIC-WILL-NOT-TELEMETRY");
  BOOST_TEST((*e)["will_topic"] == "flexy/status");
}

BOOST_AUTO_TEST_CASE(will_is_sent_as_telemetry_with_message_type_will_when_the_socket_is_lost) {
  RawTlsDevice d(f.hub().ports().mqtts);
  BOOST_REQUIRE(raw_connect(d, f, "WillLost", 60, Will{"devices/WillLost/messages/events/state=lost", "gone", 1, true}) == 0);
  const auto since = f.mark();
  d.close_socket();
  const auto will = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "WillLost"); }, 5s, since);
  BOOST_REQUIRE(will);
  BOOST_TEST((*will)["will"] == true);
  BOOST_TEST((*will)["verdict"] == "accepted");
  BOOST_TEST((*will)["topic"] == "devices/WillLost/messages/events/state=lost");
  BOOST_TEST((*will)["props"]["iothub-MessageType"] == "Will");
  BOOST_TEST((*will)["props"]["state"] == "lost");
  BOOST_TEST((*will)["props"]["mqtt-retain"] == "true");
  BOOST_TEST((*will)["qos"] == 1);
  BOOST_TEST((*will)["payload_b64"] == base64_encode("gone"));
  const auto d_ev = f.wait_for_event([](const Json& e) { return is_event(e, "disconnect", "WillLost"); }, 5s, since);
  BOOST_REQUIRE(d_ev);
  BOOST_TEST((*d_ev)["reason"] == "client");
}

BOOST_AUTO_TEST_CASE(no_will_is_sent_after_a_clean_disconnect) {
  RawTlsDevice d(f.hub().ports().mqtts);
  BOOST_REQUIRE(raw_connect(d, f, "WillClean", 60, Will{"devices/WillClean/messages/events/", "gone", 0, false}) == 0);
  const auto since = f.mark();
  d.send(std::string("\xE0\x00", 2));  // DISCONNECT
  BOOST_TEST(d.wait_closed(5s));
  BOOST_REQUIRE(f.wait_for_event([](const Json& e) { return is_event(e, "disconnect", "WillClean"); }, 5s, since));
  // The plugin writes a will right after the disconnect event; once a later device's publish is
  // in the stream, a will would be too.
  const auto r = mosquitto_pub_sas(f, "Marker", {"-q", "1", "-t", "devices/Marker/messages/events/", "-m", "m"});
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Marker"); }, 5s, since));
  BOOST_TEST(!f.wait_for_event([](const Json& e) { return is_event(e, "publish", "WillClean"); }, 0ms, since));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(keepalive, ProtocolHub)

BOOST_AUTO_TEST_CASE(a_silent_client_is_dropped_at_one_and_a_half_keepalives_and_its_will_sent) {
  RawTlsDevice d(f.hub().ports().mqtts);
  const auto since = f.mark();
  const auto sent = std::chrono::steady_clock::now();
  BOOST_REQUIRE(raw_connect(d, f, "Silent", 2, Will{"devices/Silent/messages/events/", "lost", 0, false}) == 0);
  // No PINGREQ from here on: IoT Hub drops the client 1.5 x 2 s = 3 s after its last packet.
  BOOST_REQUIRE(d.wait_closed(10s));
  const auto dropped_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  BOOST_TEST(dropped_after >= 2.5);
  BOOST_TEST(dropped_after <= 3.5);
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "disconnect", "Silent"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason"] == "keepalive");
  BOOST_TEST((*ev).value("detail", "").find("1.5 x") != std::string::npos);
  const auto will = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "Silent"); }, 5s, since);
  BOOST_REQUIRE(will);
  BOOST_TEST((*will)["props"]["iothub-MessageType"] == "Will");
}

BOOST_AUTO_TEST_CASE(a_client_that_pings_within_its_keepalive_stays_connected) {
  RawTlsDevice d(f.hub().ports().mqtts);
  BOOST_REQUIRE(raw_connect(d, f, "Pinging", 2) == 0);
  // Four PINGREQs a second apart span 4 s, past the 3 s a silent client would get.
  for (int i = 0; i < 4; ++i) {
    const auto next = std::chrono::steady_clock::now() + 1s;
    d.send(std::string("\xC0\x00", 2));
    BOOST_TEST(d.receive(2s) == std::string("\xD0\x00", 2));  // PINGRESP
    std::this_thread::sleep_until(next);  // the device's own pace, not a wait for the hub
  }
  d.send(std::string("\xC0\x00", 2));
  BOOST_TEST(d.receive(2s) == std::string("\xD0\x00", 2));
}

BOOST_AUTO_TEST_SUITE_END()

// The same verdicts over MQTT/WebSocket, where libwebsockets owns the socket and the CONNECT
// comes inside a WebSocket frame.
struct WebSocketHub {
  HubFixture f;
  WebSocketHub() {
    for (const auto* id : {"SilentWs", "WillBadWs"}) f.add_sas_device(id);
    f.start([](broker::HubOptionsBuilder& b) { b.websocket_port(0); });
  }
};

BOOST_FIXTURE_TEST_SUITE(websocket_sessions, WebSocketHub)

BOOST_AUTO_TEST_CASE(a_silent_websocket_client_is_dropped_at_one_and_a_half_keepalives_and_its_will_sent) {
  RawTlsDevice d(*f.hub().ports().websocket);
  const auto since = f.mark();
  const auto sent = std::chrono::steady_clock::now();
  BOOST_REQUIRE(websocket_connect(d, f, "SilentWs", 2, Will{"devices/SilentWs/messages/events/", "lost", 0, false}) == 0);
  BOOST_REQUIRE(d.wait_closed(10s));
  const auto dropped_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  BOOST_TEST(dropped_after >= 2.5);
  BOOST_TEST(dropped_after <= 3.5);
  // libwebsockets closes with a WebSocket close frame and TLS close_notify, and ends the session
  // (mosquitto's disconnect) once the client hangs up too, as every real client does.
  d.close_socket();
  const auto ev = f.wait_for_event([](const Json& e) { return is_event(e, "disconnect", "SilentWs"); }, 5s, since);
  BOOST_REQUIRE(ev);
  BOOST_TEST((*ev)["reason"] == "keepalive");
  BOOST_TEST((*ev).value("detail", "").find("1.5 x") != std::string::npos);
  const auto will = f.wait_for_event([](const Json& e) { return is_event(e, "publish", "SilentWs"); }, 5s, since);
  BOOST_REQUIRE(will);
  BOOST_TEST((*will)["props"]["iothub-MessageType"] == "Will");
  BOOST_TEST((*will)["payload_b64"] == base64_encode("lost"));
}

BOOST_AUTO_TEST_CASE(a_will_topic_other_than_telemetry_is_refused_with_connack_5_over_websocket_too) {
  RawTlsDevice d(*f.hub().ports().websocket);
  const auto since = f.mark();
  BOOST_TEST(websocket_connect(d, f, "WillBadWs", 60, Will{"flexy/status", "offline", 0, false}) == 5);
  const auto e = f.wait_for_connect("WillBadWs", since);
  BOOST_REQUIRE(e);
  BOOST_TEST((*e)["listener"] == "websocket");
  BOOST_TEST((*e)["verdict"] == "refused");
  BOOST_TEST((*e)["reason_id"] == "TOPIC-WILL-NOT-TELEMETRY");
  BOOST_TEST((*e)["will_topic"] == "flexy/status");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(will_policy_accept)

BOOST_AUTO_TEST_CASE(will_policy_accept_accepts_the_connect_and_flags_it) {
  HubFixture f;
  f.add_sas_device("WillFlagged");
  f.start([](broker::HubOptionsBuilder& b) {
    broker::PluginOptions p;
    p.will_policy = "accept";
    b.plugin_options(p);
  });
  const auto since = f.mark();
  const auto r = mosquitto_pub_sas(f, "WillFlagged", {"--will-topic", "flexy/status", "--will-payload", "offline", "-t",
                                                  "devices/WillFlagged/messages/events/", "-m", "x", "-q", "1"});
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.exit_status == 0);
  const auto e = f.wait_for_connect("WillFlagged", since);
  BOOST_REQUIRE(e);
  BOOST_TEST((*e)["verdict"] == "accepted");
  BOOST_TEST((*e)["reason_id"] == "TOPIC-WILL-NOT-TELEMETRY");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(websocket_gate)

namespace {
// curl speaks no WebSocket: after a 101 it waits for more, hence the short --max-time.
ProgramResult curl_upgrade(HubFixture& f, const std::string& path, const std::string& protocol) {
  std::vector<std::string> argv{"curl", "-s", "-i", "--http1.1", "--max-time", "2", "--cacert", f.ca_file(),
                                "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H",
                                "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="};
  if (!protocol.empty()) argv.insert(argv.end(), {"-H", "Sec-WebSocket-Protocol: " + protocol});
  argv.push_back("https://localhost:" + std::to_string(*f.hub().ports().websocket) + path);
  return run_program(argv, f.dir());
}

bool paho_ws_connects(HubFixture& f, const std::string& path, const std::string& id) {
  mqtt::async_client client("wss://127.0.0.1:" + std::to_string(*f.hub().ports().websocket) + path, id);
  auto ssl = mqtt::ssl_options_builder().trust_store(f.ca_file()).enable_server_cert_auth(true).finalize();
  auto opts = mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .user_name(f.username(id))
                  .password(f.sas_token(id))
                  .ssl(ssl)
                  .connect_timeout(5s)
                  .finalize();
  try {
    client.connect(opts)->wait();
    client.disconnect()->wait();
    return true;
  } catch (const mqtt::exception&) {
    return false;
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(upgrade_only_on_the_iothub_path_with_subprotocol_mqtt) {
  HubFixture f;
  f.add_sas_device("WsGate");
  f.start([](broker::HubOptionsBuilder& b) { b.websocket_port(0); });
  BOOST_REQUIRE(f.hub().ports().websocket.has_value());

  const auto wrong_path = curl_upgrade(f, "/mqtt", "mqtt");
  BOOST_TEST_INFO(wrong_path.output);
  BOOST_TEST(wrong_path.output.rfind("HTTP/1.1 404", 0) == 0);
  const auto no_protocol = curl_upgrade(f, "/$iothub/websocket", "");
  BOOST_TEST_INFO(no_protocol.output);
  BOOST_TEST(no_protocol.output.rfind("HTTP/1.1 400", 0) == 0);
  const auto other_protocol = curl_upgrade(f, "/$iothub/websocket", "mqttv3.1");
  BOOST_TEST_INFO(other_protocol.output);
  BOOST_TEST(other_protocol.output.rfind("HTTP/1.1 400", 0) == 0);
  const auto right = curl_upgrade(f, "/$iothub/websocket", "mqtt");
  BOOST_TEST_INFO(right.output);
  BOOST_TEST(right.output.rfind("HTTP/1.1 101", 0) == 0);

  // A real MQTT-over-WebSocket client (paho offers subprotocol mqtt).
  const auto since = f.mark();
  BOOST_TEST(!paho_ws_connects(f, "/ws", "WsGate"));
  BOOST_TEST(!f.wait_for_connect("WsGate", since, 0ms));  // refused before MQTT: no CONNECT reached the plugin
  BOOST_TEST(paho_ws_connects(f, "/$iothub/websocket", "WsGate"));
  const auto e = f.wait_for_connect("WsGate", since);
  BOOST_REQUIRE(e);
  BOOST_TEST((*e)["listener"] == "websocket");
}

BOOST_AUTO_TEST_SUITE_END()
