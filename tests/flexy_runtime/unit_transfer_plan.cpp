// What SENDMAIL, PUTFTP and GETFTP become for a mapped server (plan_mail_action /
// plan_ftp_action), and the pure pieces of the Flexy's mail and FTP clients: server replies,
// the PASV port, the composed message and the address lists.
#include <boost/test/unit_test.hpp>

#include "sim/flexy/runtime/ftp_client.hpp"
#include "sim/flexy/runtime/line_dialog.hpp"
#include "sim/flexy/runtime/smtp_client.hpp"
#include "sim/flexy/runtime/transfer_plan.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {

std::vector<basic::Value> transfer_args(std::initializer_list<const char*> values) {
  std::vector<basic::Value> out;
  for (const char* v : values) out.emplace_back(std::string(v));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transfer_plan)

BOOST_AUTO_TEST_CASE(sendmail_to_a_mapped_server_becomes_the_mail_the_program_described) {
  ServerSettings servers;
  servers.smtp_server = "SMTP.example.com";
  servers.smtp_port = 587;
  servers.smtp_user = "site7";
  ActionPolicy policy;
  policy.smtp_resolve["smtp.example.com"] = "127.0.0.1:2525";
  const auto plan = plan_mail_action(transfer_args({"a@x.example, b@x.example", "c@x.example", "Hi", "body"}), servers,
                                     policy, "Site7");
  BOOST_REQUIRE(plan.mail);
  BOOST_TEST(plan.server == "smtp.example.com:587");
  BOOST_TEST(plan.mail->address == "127.0.0.1:2525");
  BOOST_TEST(plan.mail->job.from == "Site7@flexy.invalid");  // no sender configured
  BOOST_TEST(plan.mail->job.to.size() == 2u);
  BOOST_TEST(plan.mail->job.cc.size() == 1u);
  BOOST_TEST(plan.mail->job.user == "site7");
  // Only that port when the key says so; nothing without a server; an empty to$ fails.
  policy.smtp_resolve = {{"smtp.example.com:25", "127.0.0.1:2525"}};
  BOOST_TEST(!plan_mail_action(transfer_args({"a@x.example", "", "s", "b"}), servers, policy, "F").mail);
  BOOST_TEST(!plan_mail_action(transfer_args({"a@x.example", "", "s", "b"}), ServerSettings{}, policy, "F").mail);
  servers.smtp_port = 25;
  const auto empty = plan_mail_action(transfer_args({" ; ", "", "s", "b"}), servers, policy, "F");
  BOOST_TEST(!empty.mail);
  BOOST_TEST(empty.error == "SENDMAIL without a recipient");
  BOOST_TEST(!plan_mail_action(transfer_args({"a b@x", "", "s", "b"}), servers, policy, "F").error.empty());
}

BOOST_AUTO_TEST_CASE(putftp_and_getftp_to_a_mapped_server) {
  ServerSettings servers;
  servers.ftp_server = "files.example.com";
  servers.ftp_dir = "/in";
  ActionPolicy policy;
  policy.ftp_resolve["files.example.com"] = "127.0.0.1:2121";
  const auto put = plan_ftp_action("putftp", transfer_args({"day.csv", "a;b"}), servers, policy);
  BOOST_REQUIRE(put.ftp);
  BOOST_TEST(put.ftp->job.upload);
  BOOST_TEST(put.ftp->job.user == "anonymous");
  BOOST_TEST(put.ftp->job.dir == "/in");
  BOOST_TEST(put.ftp->job.content == "a;b");
  const auto get = plan_ftp_action("getftp", transfer_args({"r.txt", "/usr/r.txt"}), servers, policy);
  BOOST_REQUIRE(get.ftp);
  BOOST_TEST(!get.ftp->job.upload);
  BOOST_TEST(get.ftp->local_file == "/usr/r.txt");
  BOOST_TEST(!plan_ftp_action("putftp", transfer_args({"", "x"}), servers, policy).error.empty());
  servers.ftp_server = "other.example.com";
  BOOST_TEST(!plan_ftp_action("putftp", transfer_args({"day.csv", "a"}), servers, policy).ftp);
}

BOOST_AUTO_TEST_CASE(server_replies_single_multi_line_incomplete_and_malformed) {
  ServerReply r;
  std::size_t used = 0;
  BOOST_TEST(static_cast<int>(parse_server_reply("250 OK\r\nrest", r, used)) == static_cast<int>(ReplyParse::complete));
  BOOST_TEST(r.code == 250);
  BOOST_TEST(r.text == "OK");
  BOOST_TEST(used == 8u);
  BOOST_TEST(static_cast<int>(parse_server_reply("250-a\r\n250-b\r\n250 c\r\n", r, used)) ==
             static_cast<int>(ReplyParse::complete));
  BOOST_TEST(r.text == "a\nb\nc");
  // RFC 959: inner lines of a multi-line reply may be free text.
  BOOST_TEST(static_cast<int>(parse_server_reply("211-Features:\r\n EPSV\r\n211 End\r\n", r, used)) ==
             static_cast<int>(ReplyParse::complete));
  BOOST_TEST(r.code == 211);
  BOOST_TEST(static_cast<int>(parse_server_reply("250-a\r\n", r, used)) == static_cast<int>(ReplyParse::incomplete));
  BOOST_TEST(static_cast<int>(parse_server_reply("25", r, used)) == static_cast<int>(ReplyParse::incomplete));
  BOOST_TEST(static_cast<int>(parse_server_reply("hello\r\n", r, used)) == static_cast<int>(ReplyParse::malformed));
  BOOST_TEST(static_cast<int>(parse_server_reply("250-a\r\n354 b\r\n", r, used)) ==
             static_cast<int>(ReplyParse::malformed));
}

BOOST_AUTO_TEST_CASE(pasv_ports_messages_and_address_lists) {
  BOOST_TEST(parse_pasv_port("Entering Passive Mode (127,0,0,1,18,52)").value_or(0) == 4660);
  BOOST_TEST(!parse_pasv_port("Entering Passive Mode"));
  BOOST_TEST(!parse_pasv_port("(127,0,0,1,300,1)"));
  BOOST_TEST(!parse_pasv_port("(127,0,0,1,18)"));
  BOOST_TEST(split_addresses(" a@x ;b@y,, c@z ").size() == 3u);
  BOOST_TEST(split_addresses("").empty());
  MailJob job;
  job.from = "f@x";
  job.to = {"a@x", "b@x"};
  job.subject = "two\r\nBcc: evil@x";  // a header of its own would be an injection
  job.body = "l1\n.l2\r\nl3";
  const auto text = compose_mail(job);
  BOOST_TEST(text.find("To: a@x, b@x\r\n") != std::string::npos);
  BOOST_TEST(text.find("\r\nBcc:") == std::string::npos);
  BOOST_TEST(text.find("\r\n\r\nl1\r\n..l2\r\nl3\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
