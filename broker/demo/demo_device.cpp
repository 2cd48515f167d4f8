// flexhil-demo-device: connects to the (impersonated) IoT Hub like a real device would —
// MQTT 3.1.1 over TLS, ClientId = device id, the documented username, X.509 client certificate
// (or a SAS token) — and publishes a few JSON telemetry messages with $.ct/$.ce.
//
// Exit codes: 0 published everything, 1 the hub refused the connection (CONNACK ≠ 0),
// 2 usage error, 3 transport failure (TLS handshake, network).
#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

namespace {

struct Args {
  std::string host = "127.0.0.1";
  int port = 8883;
  std::string hub;
  std::string device;
  std::string ca;
  std::string cert;
  std::string key;
  std::string sas;  // a full SharedAccessSignature password (SAS devices)
  int count = 3;
};

std::string utc_now() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int run(const Args& a) {
  const std::string uri = "ssl://" + a.host + ":" + std::to_string(a.port);
  const std::string username = a.hub + ".azure-devices.net/" + a.device + "/?api-version=2021-04-12";
  mqtt::async_client client(uri, a.device);
  auto ssl = mqtt::ssl_options_builder().trust_store(a.ca).enable_server_cert_auth(true);
  if (!a.cert.empty()) ssl.key_store(a.cert).private_key(a.key);
  auto opts = mqtt::connect_options_builder()
                  .mqtt_version(MQTTVERSION_3_1_1)
                  .clean_session(true)
                  .keep_alive_interval(std::chrono::seconds(60))
                  .connect_timeout(std::chrono::seconds(10))
                  .user_name(username)
                  .ssl(ssl.finalize());
  if (!a.sas.empty()) opts.password(a.sas);
  std::cout << "demo device " << a.device << ": connecting to " << uri << " as " << username
            << (a.cert.empty() ? " (SAS)" : " (X.509 " + a.cert + ")") << std::endl;
  try {
    client.connect(opts.finalize())->wait();
  } catch (const mqtt::exception& e) {
    const int rc = e.get_return_code();
    if (rc > 0 && rc <= 5) {
      std::cout << "demo device " << a.device << ": refused by the hub (CONNACK " << rc << ")" << std::endl;
      return 1;
    }
    std::cout << "demo device " << a.device << ": connection failed (" << e.what() << ")" << std::endl;
    return 3;
  }
  std::cout << "demo device " << a.device << ": connected (CONNACK 0)" << std::endl;
  const std::string topic = "devices/" + a.device + "/messages/events/$.ct=application%2Fjson&$.ce=utf-8";
  for (int i = 0; i < a.count; ++i) {
    const nlohmann::json body{{"deviceId", a.device},
                              {"time", utc_now()},
                              {"temperature", std::round((21.5 + 0.1 * i) * 10) / 10},
                              {"counter", i + 1}};
    client.publish(topic, body.dump(), 1, false)->wait();
    std::cout << "demo device " << a.device << ": published " << body.dump() << std::endl;
  }
  client.disconnect()->wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"flexhil demo device: connect to the hub and publish a few JSON telemetry messages", "flexhil-demo-device"};
  app.add_option("--host", a.host, "hub address")->capture_default_str();
  app.add_option("--port", a.port, "hub port (the X.509 port with --cert, the SAS port with --sas)")->capture_default_str();
  app.add_option("--hub", a.hub, "hub name (NAME.azure-devices.net)")->required();
  app.add_option("--device", a.device, "device id (ClientId)")->required();
  app.add_option("--ca", a.ca, "CA file that signed the hub certificate")->required()->check(CLI::ExistingFile);
  app.add_option("--cert", a.cert, "client certificate (PEM)")->check(CLI::ExistingFile);
  app.add_option("--key", a.key, "client private key (PEM)")->check(CLI::ExistingFile);
  app.add_option("--sas", a.sas, "SAS token (password), for SAS devices");
  app.add_option("--count", a.count, "messages to publish")->capture_default_str();
  app.footer("Example: flexhil-demo-device --port 8883 --hub demohub --device Flexy1 --ca out/ca.crt "
             "--cert pki/Flexy1.crt --key pki/Flexy1.key");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run(a);
}
