// The run's SMTP and FTP sinks on real sockets: curl (a real client) sends a mail, uploads and
// downloads a file; each is an endpoint_request event with the message or upload written under
// the run folder and credentials redacted; a malformed command on a raw connection gets its 5xx
// and an event and the session goes on; the emulated Flexy's own clients (send_mail,
// ftp_transfer) get the configured refusal, the uploaded bytes and the served file.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "common/event.hpp"
#include "common/net.hpp"
#include "common/sha256.hpp"
#include "common/toml_reader.hpp"
#include "sim/endpoints/ftp_endpoint.hpp"
#include "sim/endpoints/smtp_endpoint.hpp"
#include "sim/flexy/runtime/ftp_client.hpp"
#include "sim/flexy/runtime/line_dialog.hpp"
#include "sim/flexy/runtime/smtp_client.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace std::chrono_literals;

namespace {

std::vector<Json> sink_requests(const MemorySink& sink, const std::string& endpoint) {
  std::vector<Json> out;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == "endpoint_request" && e.value("endpoint", "") == endpoint) out.push_back(e);
  return out;
}

struct SmtpSink {
  testing::TempDir dir;
  MemorySink sink;
  endpoints::SmtpEndpoint smtp;
  explicit SmtpSink(endpoints::SmtpEndpointConfig c = {}) : smtp({c, dir.file("smtp"), "smtp", &sink, 5}) {
    smtp.start("127.0.0.1", 0);
  }
  std::string address() const { return fmt::format("127.0.0.1:{}", smtp.port()); }
};

struct FtpSink {
  testing::TempDir dir;
  MemorySink sink;
  endpoints::FtpEndpoint ftp;
  explicit FtpSink(endpoints::FtpEndpointConfig c) : ftp({std::move(c), dir.file("ftp"), "ftp", &sink, 5}) {
    ftp.start("127.0.0.1", 0);
  }
  std::string address() const { return fmt::format("127.0.0.1:{}", ftp.port()); }
};

endpoints::FtpEndpointConfig served_recipes(const testing::TempDir& dir) {
  dir.write("serve/recipes/r1.txt", "speed=12\n");
  endpoints::FtpEndpointConfig c;
  c.serve_dir = dir.file("serve");
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_endpoint)

BOOST_AUTO_TEST_CASE(curl_sends_a_mail_and_it_is_recorded_with_its_message_file) {
  SmtpSink ep;
  const std::string message = "From: flexy@site.example\r\nTo: ops@example.com\r\nSubject: Tank high\r\n\r\n"
                              "Level 93 %\r\n.dot line\r\n";
  const auto file = ep.dir.write("mail.txt", message);
  const auto [code, out] = testing::run_shell(fmt::format(
      "curl -sS --user site7:s3cret smtp://127.0.0.1:{} --mail-from flexy@site.example --mail-rcpt ops@example.com "
      "--mail-rcpt boss@example.com -T {}",
      ep.smtp.port(), file));
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  BOOST_REQUIRE(wait_until([&] { return sink_requests(ep.sink, "smtp").size() == 1; }, 5s));
  const auto e = sink_requests(ep.sink, "smtp").front();
  BOOST_TEST(e.value("from", "") == "flexy@site.example");
  BOOST_REQUIRE(e["to"].size() == 2u);
  BOOST_TEST(e["to"][1].get<std::string>() == "boss@example.com");
  BOOST_TEST(e.value("subject", "") == "Tank high");
  BOOST_TEST(e.value("status", 0) == 250);
  BOOST_TEST(e.value("size", 0u) == message.size());  // curl dot-stuffed ".dot", the sink unstuffed it
  BOOST_TEST(e.value("sha256", "") == sha256_hex(message));
  BOOST_TEST(e["auth"].value("user", "") == "site7");
  BOOST_TEST(e["auth"].value("password", "") == "<redacted>");
  BOOST_TEST(e.dump().find("s3cret") == std::string::npos);
  BOOST_TEST(e.value("message_file", "") == "smtp/1.eml");
  BOOST_TEST(testing::read_text(ep.dir.file("smtp/1.eml")) == message);
}

BOOST_AUTO_TEST_CASE(a_malformed_command_gets_its_reply_and_an_event_and_the_session_goes_on) {
  SmtpSink ep;
  flexy::LineDialog d(5s, -1);
  BOOST_REQUIRE(d.connect(ep.address()));
  BOOST_REQUIRE(d.expect_reply(220, "greeting"));
  BOOST_TEST(!d.step("BOGUS", 250, "BOGUS"));
  BOOST_TEST(d.result().code == 500);
  BOOST_TEST(!d.step("MAIL FROM:<a@b.example>", 250, "MAIL"));  // before EHLO
  BOOST_TEST(d.result().code == 503);
  BOOST_TEST(d.step("EHLO test", 250, "EHLO"));
  BOOST_TEST(d.step("QUIT", 221, "QUIT"));
  BOOST_REQUIRE(wait_until([&] { return sink_requests(ep.sink, "smtp").size() == 2; }, 5s));
  const auto got = sink_requests(ep.sink, "smtp");
  BOOST_TEST(got[0].value("status", 0) == 500);
  BOOST_TEST(got[0].value("command", "") == "BOGUS");
  BOOST_TEST(!got[0].value("error", "").empty());
  BOOST_TEST(got[1].value("status", 0) == 503);
}

BOOST_AUTO_TEST_CASE(the_flexy_client_delivers_and_sees_a_configured_refusal) {
  SmtpSink ep;
  flexy::MailJob job;
  job.from = "flexy@site.example";
  job.to = {"ops@example.com"};
  job.cc = {"boss@example.com"};
  job.subject = "Alarm";
  job.body = "line 1\n.line 2";
  job.user = "site7";
  job.password = "s3cret";
  const auto ok = flexy::send_mail(ep.address(), job, 5s);
  BOOST_TEST_REQUIRE(ok.ok, ok.error);
  BOOST_TEST(ok.code == 250);
  BOOST_REQUIRE(wait_until([&] { return sink_requests(ep.sink, "smtp").size() == 1; }, 5s));
  const auto e = sink_requests(ep.sink, "smtp").front();
  BOOST_TEST(e["to"].size() == 2u);  // to$ and cc$
  BOOST_TEST(e.value("subject", "") == "Alarm");
  BOOST_TEST(e["auth"].value("mechanism", "") == "PLAIN");
  BOOST_TEST(testing::read_text(ep.dir.file("smtp/1.eml")).find("\r\n\r\nline 1\r\n.line 2\r\n") != std::string::npos);

  endpoints::SmtpEndpointConfig refuse;
  refuse.fail_code = 554;
  SmtpSink no(refuse);
  const auto refused = flexy::send_mail(no.address(), job, 5s);
  BOOST_TEST(!refused.ok);
  BOOST_TEST(refused.code == 554);
  BOOST_TEST(refused.error.find("554") != std::string::npos, refused.error);

  const auto port = pick_free_port();
  const auto down = flexy::send_mail(fmt::format("127.0.0.1:{}", port), job, 2s);
  BOOST_TEST(!down.ok);
  BOOST_TEST(down.code == 0);
  BOOST_TEST(!down.error.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ftp_endpoint)

BOOST_AUTO_TEST_CASE(curl_uploads_and_downloads_and_each_transfer_is_recorded) {
  testing::TempDir serve;
  FtpSink ep(served_recipes(serve));
  const std::string csv = "time;level\n10:00;93\n";
  const auto file = ep.dir.write("day1.csv", csv);
  const auto [code, out] =
      testing::run_shell(fmt::format("curl -sS -T {} ftp://127.0.0.1:{}/reports/day1.csv", file, ep.ftp.port()));
  BOOST_REQUIRE_MESSAGE(code == 0, out);
  BOOST_REQUIRE(wait_until([&] { return ep.ftp.transfers() == 1; }, 5s));
  BOOST_TEST(testing::read_text(ep.dir.file("ftp/reports/day1.csv")) == csv);

  const auto [code2, got] =
      testing::run_shell(fmt::format("curl -sS ftp://127.0.0.1:{}/recipes/r1.txt", ep.ftp.port()));
  BOOST_REQUIRE_MESSAGE(code2 == 0, got);
  BOOST_TEST(got == "speed=12\n");
  const auto [code3, missing] =
      testing::run_shell(fmt::format("curl -sS ftp://127.0.0.1:{}/recipes/none.txt", ep.ftp.port()));
  BOOST_TEST(code3 != 0, missing);  // curl asks SIZE first, gets 550 and gives up before RETR

  BOOST_REQUIRE(wait_until([&] { return sink_requests(ep.sink, "ftp").size() >= 2; }, 5s));
  const auto events = sink_requests(ep.sink, "ftp");
  BOOST_TEST(events[0].value("command", "") == "STOR");
  BOOST_TEST(events[0].value("path", "") == "/reports/day1.csv");
  BOOST_TEST(events[0].value("file", "") == "ftp/reports/day1.csv");
  BOOST_TEST(events[0].value("sha256", "") == sha256_hex(csv));
  BOOST_TEST(events[0].value("status", 0) == 226);
  BOOST_TEST(events[0].value("user", "") == "anonymous");
  BOOST_TEST(events[1].value("command", "") == "RETR");
  BOOST_TEST(events[1].value("size", 0u) == 9u);
  BOOST_TEST(events[1].value("sha256", "") == sha256_hex("speed=12\n"));
}

BOOST_AUTO_TEST_CASE(a_path_that_climbs_is_refused_and_the_session_goes_on) {
  testing::TempDir serve;
  FtpSink ep(served_recipes(serve));
  flexy::LineDialog d(5s, -1);
  BOOST_REQUIRE(d.connect(ep.address()));
  BOOST_REQUIRE(d.expect_reply(220, "greeting"));
  BOOST_TEST(d.step("USER anonymous", 331, "USER"));
  BOOST_TEST(d.step("PASS x", 230, "PASS"));
  BOOST_TEST(d.step("PASV", 227, "PASV"));
  BOOST_TEST(!d.step("STOR ../../escape.txt", 150, "STOR"));
  BOOST_TEST(d.result().code == 553);
  BOOST_TEST(!d.step("SITE CHMOD 777 x", 200, "SITE"));
  BOOST_TEST(d.result().code == 500);
  BOOST_TEST(d.step("NOOP", 200, "NOOP"));
  BOOST_TEST(d.step("QUIT", 221, "QUIT"));
  BOOST_REQUIRE(wait_until([&] { return sink_requests(ep.sink, "ftp").size() == 2; }, 5s));
  BOOST_TEST(sink_requests(ep.sink, "ftp")[0].value("status", 0) == 553);
  BOOST_TEST(!std::filesystem::exists(ep.dir.path().parent_path() / "escape.txt"));
}

BOOST_AUTO_TEST_CASE(the_flexy_client_stores_and_retrieves_and_sees_a_configured_refusal) {
  testing::TempDir serve;
  auto config = served_recipes(serve);
  config.user = "site7";
  config.password = "pw";
  FtpSink ep(config);
  flexy::FtpJob put;
  put.user = "site7";
  put.password = "pw";
  put.dir = "/reports";
  put.server_file = "day2.csv";
  put.content = "a;b\n1;2\n";
  const auto stored = flexy::ftp_transfer(ep.address(), put, 5s);
  BOOST_TEST_REQUIRE(stored.ok, stored.error);
  BOOST_TEST(stored.code == 226);
  BOOST_TEST(testing::read_text(ep.dir.file("ftp/reports/day2.csv")) == put.content);

  flexy::FtpJob get = put;
  get.upload = false;
  get.dir = "/recipes";
  get.server_file = "r1.txt";
  const auto fetched = flexy::ftp_transfer(ep.address(), get, 5s);
  BOOST_TEST_REQUIRE(fetched.ok, fetched.error);
  BOOST_TEST(fetched.content == "speed=12\n");

  flexy::FtpJob wrong = put;
  wrong.password = "nope";
  const auto refused_login = flexy::ftp_transfer(ep.address(), wrong, 5s);
  BOOST_TEST(!refused_login.ok);
  BOOST_TEST(refused_login.code == 530);

  auto failing = served_recipes(serve);
  failing.fail_code = 451;
  FtpSink no(failing);
  const auto refused = flexy::ftp_transfer(no.address(), flexy::FtpJob{true, "anonymous", "", "", "x.csv", "1"}, 5s);
  BOOST_TEST(!refused.ok);
  BOOST_TEST(refused.code == 451);
  BOOST_TEST(refused.error.find("451") != std::string::npos, refused.error);
}

BOOST_AUTO_TEST_SUITE_END()
