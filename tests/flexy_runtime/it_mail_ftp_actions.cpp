// Real mail and FTP actions of the emulated Flexy: a BASIC program's SENDMAIL, PUTFTP and GETFTP
// reach a real SMTP and FTP sink on loopback when the device's configured mail / FTP server is
// mapped ([system] + [actions] smtp_resolve / ftp_resolve): ACTIONSTAT 0 and the sinks hold what
// was sent; a refusing mail server fails the action with the fail code and its reply; GETFTP
// writes the served file under /usr; a server changed with SETSYS SYS to an unmapped one is
// scripted again.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "common/net.hpp"
#include "common/sha256.hpp"
#include "sim/endpoints/ftp_endpoint.hpp"
#include "sim/endpoints/smtp_endpoint.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace std::chrono_literals;

namespace {

bool console_has(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

std::string console_text(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "|";
  return out;
}

std::vector<Json> kind_events(const MemorySink& sink, const std::string& kind) {
  std::vector<Json> out;
  for (const auto& e : sink.events())
    if (e.value("kind", "") == kind) out.push_back(e);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mail_ftp_actions)

BOOST_AUTO_TEST_CASE(sendmail_putftp_and_getftp_to_mapped_servers_are_performed) {
  testing::TempDir dir;
  MemorySink served;
  endpoints::SmtpEndpoint smtp({{}, dir.file("smtp"), "smtp", &served, 5});
  smtp.start("127.0.0.1", 0);
  endpoints::SmtpEndpointConfig refusing;
  refusing.fail_code = 554;
  endpoints::SmtpEndpoint bad({refusing, dir.file("bad"), "bad", &served, 5});
  bad.start("127.0.0.1", 0);
  endpoints::FtpEndpointConfig files;
  files.user = "site7";
  files.password = "pw";
  files.files["/reports/r1.txt"] = dir.write("r1.txt", "speed=12");
  endpoints::FtpEndpoint ftp({files, dir.file("ftp"), "ftp", &served, 5});
  ftp.start("127.0.0.1", 0);

  FlexyConfig config;
  config.device_name = "Site7";
  config.usr_dir = dir.file("usr");
  std::filesystem::create_directories(config.usr_dir);
  config.actions.fail_code = 7;
  config.actions.delay_seconds = 0.2;
  config.servers.smtp_server = "Mail.Example.com";  // host names are case-insensitive
  config.servers.smtp_from = "site7@example.com";
  config.servers.ftp_server = "files.example.com";
  config.servers.ftp_user = "site7";
  config.servers.ftp_password = "pw";
  config.servers.ftp_dir = "/reports";
  config.actions.smtp_resolve["mail.example.com"] = fmt::format("127.0.0.1:{}", smtp.port());
  config.actions.smtp_resolve["bad.example.com"] = fmt::format("127.0.0.1:{}", bad.port());
  config.actions.ftp_resolve["files.example.com:21"] = fmt::format("127.0.0.1:{}", ftp.port());
  const char* program =
      "ONSTATUS \"GOTO Done\"\n"
      "Step% = 1\n"
      "SENDMAIL \"ops@example.com; boss@example.com\", \"night@example.com\", \"Tank high\", \"Level 93\"\n"
      "END\n"
      "Done:\n"
      "SETSYS PRG,\"ACTIONID\", GETSYS PRG,\"EVTINFO\"\n"
      "PRINT \"step \"; Step%; \" stat \"; GETSYS PRG,\"ACTIONSTAT\"\n"
      "Step% = Step% + 1\n"
      "IF Step% = 2 THEN PUTFTP \"day1.csv\", \"time;level\" + CHR$(10) + \"10:00;93\"\n"
      "IF Step% = 3 THEN GETFTP \"r1.txt\", \"/usr/recipe.txt\"\n"
      "IF Step% = 4 THEN SETSYS SYS,\"SmtpServerAddr\",\"bad.example.com\"\n"
      "IF Step% = 4 THEN SETSYS SYS,\"save\"\n"
      "IF Step% = 4 THEN SENDMAIL \"ops@example.com\", \"\", \"refused\", \"x\"\n"
      "IF Step% = 5 THEN SETSYS SYS,\"FtpServerAddr\",\"elsewhere.example.com\"\n"
      "IF Step% = 5 THEN SETSYS SYS,\"save\"\n"
      "IF Step% = 5 THEN PUTFTP \"day2.csv\", \"x\"\n"
      "END\n";
  MemorySink sink;
  FlexyDevice dev(FlexyDeviceOptions{config, basic::parse_program(program, "mailftp.bas"), nullptr, &sink, nullptr});
  dev.start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return console_has(dev.console(), "step 5 "); }, 10s),
                        console_text(dev.console()));
  const auto console = dev.console();
  BOOST_TEST(console_has(console, "step 1 stat 0"), console_text(console));
  BOOST_TEST(console_has(console, "step 2 stat 0"), console_text(console));
  BOOST_TEST(console_has(console, "step 3 stat 0"), console_text(console));
  BOOST_TEST(console_has(console, "step 4 stat 7"), console_text(console));  // 554 from the server
  BOOST_TEST(console_has(console, "step 5 stat 0"), console_text(console));  // unmapped: scripted
  dev.stop();

  BOOST_TEST(testing::read_text(dir.file("usr/recipe.txt")) == "speed=12");
  BOOST_TEST(testing::read_text(dir.file("ftp/reports/day1.csv")) == "time;level\n10:00;93");
  BOOST_TEST(!std::filesystem::exists(dir.file("ftp/reports/day2.csv")));

  const auto got = kind_events(served, "endpoint_request");
  const auto mail = std::find_if(got.begin(), got.end(), [](const Json& e) {
    return e.value("endpoint", "") == "smtp" && e.value("status", 0) == 250;
  });
  BOOST_REQUIRE(mail != got.end());
  BOOST_TEST(mail->value("from", "") == "site7@example.com");
  BOOST_TEST(mail->value("helo", "") == "Site7");
  BOOST_REQUIRE((*mail)["to"].size() == 3u);  // to$ split on ';' and cc$
  BOOST_TEST((*mail)["to"][1].get<std::string>() == "boss@example.com");
  BOOST_TEST(mail->value("subject", "") == "Tank high");
  BOOST_TEST(testing::read_text(dir.file("smtp/1.eml")).find("\r\n\r\nLevel 93\r\n") != std::string::npos);
  BOOST_TEST(std::count_if(got.begin(), got.end(), [](const Json& e) {
               return e.value("endpoint", "") == "ftp" && e.value("status", 0) == 226;
             }) == 2);

  const auto actions = kind_events(sink, "dut_action");
  const auto done = [&](int id) {
    return std::find_if(actions.begin(), actions.end(), [id](const Json& a) {
      return a.value("action_id", 0) == id && a.value("phase", "") == "done";
    });
  };
  BOOST_REQUIRE(done(1) != actions.end());
  BOOST_TEST(done(1)->value("performed", false));
  BOOST_TEST(done(1)->value("reply_code", 0) == 250);
  BOOST_REQUIRE(done(3) != actions.end());
  BOOST_TEST(done(3)->value("file", "") == "/usr/recipe.txt");
  BOOST_TEST(done(3)->value("sha256", "") == sha256_hex("speed=12"));
  BOOST_REQUIRE(done(4) != actions.end());
  BOOST_TEST(done(4)->value("status", 0) == 7);
  BOOST_TEST(done(4)->value("reply_code", 0) == 554);
  BOOST_TEST(done(4)->value("error", "").find("554") != std::string::npos);
  BOOST_REQUIRE(done(5) != actions.end());
  BOOST_TEST(!done(5)->value("performed", false));
  const auto start1 = std::find_if(actions.begin(), actions.end(), [](const Json& a) {
    return a.value("action_id", 0) == 1 && a.value("phase", "") == "start";
  });
  BOOST_REQUIRE(start1 != actions.end());
  BOOST_TEST(start1->value("server", "") == "mail.example.com:25");
  BOOST_TEST(start1->value("endpoint", "") == fmt::format("127.0.0.1:{}", smtp.port()));
}

BOOST_AUTO_TEST_SUITE_END()
