// The FTP sink's control protocol without sockets: login, passive mode, STOR/RETR/SIZE with
// paths normalised and `..` refused, and each malformed or out-of-order command with its reply;
// plus [endpoints.ftp]'s errors and what RETR serves.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "sim/endpoints/ftp_endpoint_config.hpp"
#include "sim/endpoints/ftp_session.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::endpoints;

namespace {

FtpSession ftp_logged_in() {
  FtpSession s;
  s.feed("USER anonymous");
  s.feed("PASS x@y");
  return s;
}

FtpEndpointConfig ftp_config_load(const std::string& text, const std::string& base) {
  const auto doc = parse_toml_string(text, "s.toml");
  TomlTable t(doc, "s.toml");
  return load_ftp_endpoint_config(t, base);
}

std::string ftp_config_error(const std::string& text, const std::string& base) {
  try {
    ftp_config_load(text, base);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ftp_session)

BOOST_AUTO_TEST_CASE(paths_are_normalised_and_never_climb) {
  BOOST_TEST(resolve_ftp_path("/", "a.csv").value_or("?") == "/a.csv");
  BOOST_TEST(resolve_ftp_path("/reports", "./day/a.csv").value_or("?") == "/reports/day/a.csv");
  BOOST_TEST(resolve_ftp_path("/reports", "/x//y").value_or("?") == "/x/y");
  BOOST_TEST(!resolve_ftp_path("/", "../etc/passwd"));
  BOOST_TEST(!resolve_ftp_path("/", "a/../b"));  // not even back inside
  BOOST_TEST(!resolve_ftp_path("/", "a\\b"));
  BOOST_TEST(!resolve_ftp_path("/", ""));
}

BOOST_AUTO_TEST_CASE(a_login_and_an_upload_through_passive_mode) {
  FtpSession s;
  BOOST_TEST(FtpSession::greeting().rfind("220 ", 0) == 0u);
  BOOST_TEST(s.feed("USER site7").code == 331);
  BOOST_TEST(s.feed("PASS secret").code == 230);
  BOOST_TEST(s.feed("PWD").reply == "257 \"/\" is the current directory\r\n");
  BOOST_TEST(s.feed("CWD reports").code == 250);
  BOOST_TEST(s.cwd() == "/reports");
  BOOST_TEST(s.feed("TYPE I").code == 200);
  BOOST_TEST(s.binary());
  const auto pasv = s.feed("EPSV");
  BOOST_TEST(static_cast<int>(pasv.action) == static_cast<int>(FtpAction::passive));
  BOOST_TEST(pasv.extended);
  s.passive_opened();
  const auto stor = s.feed("STOR day1.csv");
  BOOST_TEST(static_cast<int>(stor.action) == static_cast<int>(FtpAction::store));
  BOOST_TEST(stor.path == "/reports/day1.csv");
  s.data_used();
  BOOST_TEST(s.feed("RETR day1.csv").code == 425);  // a passive listener serves one transfer
  BOOST_TEST(s.feed("CDUP").code == 250);
  BOOST_TEST(s.cwd() == "/");
  const auto size = s.feed("SIZE recipes/r1.txt");
  BOOST_TEST(static_cast<int>(size.action) == static_cast<int>(FtpAction::size));
  BOOST_TEST(size.path == "/recipes/r1.txt");
  BOOST_TEST(s.feed("QUIT").code == 221);
  BOOST_TEST(FtpSession::passive_reply(0x1234, false) == "227 Entering Passive Mode (127,0,0,1,18,52)\r\n");
  BOOST_TEST(FtpSession::passive_reply(4660, true) == "229 Entering Extended Passive Mode (|||4660|)\r\n");
}

BOOST_AUTO_TEST_CASE(configured_credentials_are_checked) {
  FtpSession s({"site7", "secret"});
  s.feed("USER site7");
  const auto wrong = s.feed("PASS nope");
  BOOST_TEST(wrong.code == 530);
  BOOST_TEST(!wrong.error.empty());
  BOOST_TEST(s.feed("PWD").code == 530);
  s.feed("USER site7");
  BOOST_TEST(s.feed("PASS secret").code == 230);
  BOOST_TEST(s.feed("PASS secret").command == "PASS");
}

BOOST_AUTO_TEST_CASE(every_malformed_or_out_of_order_command_gets_its_reply_and_an_error) {
  struct Case {
    const char* line;
    int code;
  };
  FtpSession fresh;
  for (const Case& c : {Case{"", 500}, Case{"XYZZY", 500}, Case{"PASS x", 503}, Case{"USER", 501},
                        Case{"STOR a.csv", 530}, Case{"PASV", 530}, Case{"PORT 127,0,0,1,1,1", 502},
                        Case{"NOOP\x01", 500}}) {
    const auto step = fresh.feed(c.line);
    BOOST_TEST(step.code == c.code, c.line);
    BOOST_TEST(!step.error.empty(), c.line);
    BOOST_TEST(step.reply.rfind(std::to_string(c.code) + " ", 0) == 0u, c.line);
  }
  auto s = ftp_logged_in();
  for (const Case& c : {Case{"TYPE", 501}, Case{"TYPE E", 504}, Case{"MODE B", 504}, Case{"EPSV 2", 522},
                        Case{"STOR", 501}, Case{"STOR ../x.csv", 553}, Case{"RETR a/../../b", 550},
                        Case{"CWD ..", 550}, Case{"CWD", 501}, Case{"STOR a.csv", 425}, Case{"RETR a.csv", 425},
                        Case{"LIST", 502}, Case{"EPRT |1|127.0.0.1|5000|", 502}}) {
    const auto step = s.feed(c.line);
    BOOST_TEST(step.code == c.code, c.line);
    BOOST_TEST(!step.error.empty(), c.line);
  }
  BOOST_TEST(s.line_too_long().code == 500);
  BOOST_TEST(s.feed("NOOP").code == 200);  // the session goes on
}

BOOST_AUTO_TEST_CASE(the_configuration_serves_files_and_a_folder_and_is_strict) {
  testing::TempDir dir;
  dir.write("serve/recipes/r1.txt", "speed=12");
  dir.write("one.txt", "single");
  const auto base = dir.path().string();
  const auto c = ftp_config_load("serve_dir = \"serve\"\nfiles = { \"/special/one.txt\" = \"one.txt\" }\n", base);
  BOOST_TEST(served_file(c, "/recipes/r1.txt").value_or("") == dir.file("serve/recipes/r1.txt"));
  BOOST_TEST(served_file(c, "/special/one.txt").value_or("") == dir.file("one.txt"));
  BOOST_TEST(!served_file(c, "/missing.txt"));
  BOOST_TEST(ftp_config_error("serve_dir = \"nowhere\"\n", base).find("s.toml:1") != std::string::npos);
  BOOST_TEST(ftp_config_error("files = { \"../x\" = \"one.txt\" }\n", base).find("not a server file path") !=
             std::string::npos);
  BOOST_TEST(ftp_config_error("files = { \"/x\" = \"missing.txt\" }\n", base).find("cannot be read") != std::string::npos);
  BOOST_TEST(ftp_config_error("password = \"x\"\n", base).find("needs a 'user'") != std::string::npos);
  BOOST_TEST(ftp_config_error("fail_code = 99\n", base).find("s.toml:1") != std::string::npos);
  BOOST_TEST(ftp_config_error("anonymous = true\n", base).find("anonymous") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
