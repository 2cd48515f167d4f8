// The SMTP sink's protocol without sockets: a whole dialog, dot-unstuffing, AUTH PLAIN/LOGIN
// with the password never kept, the configured refusal, and each malformed or out-of-order
// command with its reply code; plus [endpoints.smtp]'s errors.
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/error.hpp"
#include "common/event.hpp"
#include "common/toml_reader.hpp"
#include "sim/endpoints/smtp_endpoint_config.hpp"
#include "sim/endpoints/smtp_session.hpp"

using namespace flexhil;
using namespace flexhil::endpoints;

namespace {

// A session past EHLO, MAIL and RCPT, ready for DATA.
SmtpSession smtp_in_transaction(SmtpSessionOptions o = {}) {
  SmtpSession s(std::move(o));
  s.feed("EHLO flexy");
  s.feed("MAIL FROM:<flexy@site.example>");
  s.feed("RCPT TO:<ops@example.com>");
  return s;
}

std::string smtp_config_error(const std::string& text) {
  try {
    const auto doc = parse_toml_string(text, "s.toml");
    TomlTable t(doc, "s.toml");
    load_smtp_endpoint_config(t);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smtp_session)

BOOST_AUTO_TEST_CASE(a_whole_dialog_delivers_one_dot_unstuffed_message) {
  SmtpSession s;
  BOOST_TEST(s.greeting().rfind("220 ", 0) == 0u);
  const auto ehlo = s.feed("EHLO flexy");
  BOOST_TEST(ehlo.code == 250);
  BOOST_TEST(ehlo.reply.find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);
  BOOST_TEST(ehlo.reply.find("\r\n250 SIZE") != std::string::npos);  // the last line has a space
  BOOST_TEST(s.feed("mail from:<flexy@site.example> SIZE=20").code == 250);  // verbs are case-insensitive
  BOOST_TEST(s.feed("RCPT TO:<a@example.com>").code == 250);
  BOOST_TEST(s.feed("RCPT TO:<b@example.com>").code == 250);
  BOOST_TEST(s.feed("DATA").code == 354);
  BOOST_TEST(s.in_data());
  BOOST_TEST(s.feed("Subject: Tank").reply.empty());
  s.feed("  high");  // a folded header line
  s.feed("");
  s.feed("..leading dot");
  s.feed("body");
  const auto end = s.feed(".");
  BOOST_TEST(end.code == 250);
  BOOST_REQUIRE(end.mail);
  BOOST_TEST(end.mail->from == "flexy@site.example");
  BOOST_TEST(end.mail->to.size() == 2u);
  BOOST_TEST(end.mail->helo == "flexy");
  BOOST_TEST(end.mail->data == "Subject: Tank\r\n  high\r\n\r\n.leading dot\r\nbody\r\n");
  BOOST_TEST(mail_subject(end.mail->data) == "Tank high");
  BOOST_TEST(!s.in_data());
  BOOST_TEST(s.feed("NOOP").code == 250);
  const auto quit = s.feed("QUIT");
  BOOST_TEST(quit.code == 221);
  BOOST_TEST(quit.close);
}

BOOST_AUTO_TEST_CASE(rset_ends_the_transaction_and_helo_works_too) {
  SmtpSession s;
  BOOST_TEST(s.feed("HELO flexy").code == 250);
  BOOST_TEST(s.feed("MAIL FROM:<>").code == 250);  // the null reverse-path
  BOOST_TEST(s.feed("RSET").code == 250);
  BOOST_TEST(s.feed("RCPT TO:<a@example.com>").code == 503);  // no transaction any more
  BOOST_TEST(s.feed("MAIL FROM:<a@b.example>").code == 250);
}

BOOST_AUTO_TEST_CASE(auth_plain_and_login_keep_the_user_and_never_the_password) {
  std::string plain;
  plain += '\0';
  plain += "site7";
  plain += '\0';
  plain += "s3cret";
  SmtpSession s;
  s.feed("EHLO flexy");
  BOOST_TEST(s.feed("AUTH PLAIN " + base64_encode(plain)).code == 235);
  BOOST_TEST(s.feed("AUTH PLAIN " + base64_encode(plain)).code == 503);  // only once
  s.feed("MAIL FROM:<a@b.example>");
  s.feed("RCPT TO:<c@d.example>");
  s.feed("DATA");
  const auto end = s.feed(".");
  BOOST_REQUIRE(end.mail && end.mail->auth);
  BOOST_TEST(end.mail->auth->mechanism == "PLAIN");
  BOOST_TEST(end.mail->auth->user == "site7");

  SmtpSession l;
  l.feed("EHLO flexy");
  BOOST_TEST(l.feed("AUTH LOGIN").reply == "334 VXNlcm5hbWU6\r\n");
  BOOST_TEST(l.feed(base64_encode("site7")).reply == "334 UGFzc3dvcmQ6\r\n");
  const auto done = l.feed(base64_encode("s3cret"));
  BOOST_TEST(done.code == 235);
  BOOST_TEST(done.command == "AUTH");
  SmtpSession p;  // PLAIN without an initial response: 334, then the data
  p.feed("EHLO flexy");
  BOOST_TEST(p.feed("AUTH PLAIN").reply == "334 \r\n");
  BOOST_TEST(p.feed(base64_encode(plain)).code == 235);
}

BOOST_AUTO_TEST_CASE(every_malformed_or_out_of_order_command_gets_its_reply_and_an_error) {
  struct Case {
    const char* line;
    int code;
  };
  SmtpSession fresh;
  for (const Case& c : {Case{"", 500}, Case{"FOO bar", 500}, Case{"MAIL FROM:<a@b.example>", 503},
                        Case{"AUTH PLAIN", 503}, Case{"EHLO", 501}, Case{"HELO a b", 501}, Case{"VRFY x", 502},
                        Case{"STARTTLS", 502}, Case{"NOOP\x01", 500}}) {
    const auto step = fresh.feed(c.line);
    BOOST_TEST(step.code == c.code, c.line);
    BOOST_TEST(!step.error.empty(), c.line);
    BOOST_TEST(step.reply.rfind(std::to_string(c.code) + " ", 0) == 0u, c.line);
  }
  SmtpSession s;
  s.feed("EHLO flexy");
  for (const Case& c : {Case{"MAIL TO:<a@b.example>", 501}, Case{"MAIL FROM:a@b.example", 501},
                        Case{"MAIL FROM:<no-at-sign>", 501}, Case{"MAIL FROM:<a@b.example", 501},
                        Case{"RCPT TO:<a@b.example>", 503}, Case{"DATA", 503}, Case{"RSET now", 501},
                        Case{"AUTH", 501}, Case{"AUTH CRAM-MD5", 504}}) {
    const auto step = s.feed(c.line);
    BOOST_TEST(step.code == c.code, c.line);
    BOOST_TEST(!step.error.empty(), c.line);
  }
  BOOST_TEST(s.feed("MAIL FROM:<a@b.example>").code == 250);
  BOOST_TEST(s.feed("MAIL FROM:<a@b.example>").code == 503);  // nested
  BOOST_TEST(s.feed("RCPT TO:<>").code == 501);              // no null forward-path
  BOOST_TEST(s.feed("DATA").code == 554);                    // no recipient yet
  BOOST_TEST(s.feed("AUTH PLAIN xyz").code == 503);          // not inside a transaction
  BOOST_TEST(s.feed("RCPT TO:<c@d.example>").code == 250);
  BOOST_TEST(s.feed("DATA now").code == 501);
  BOOST_TEST(s.line_too_long().code == 500);
  // Broken AUTH data
  SmtpSession a;
  a.feed("EHLO flexy");
  a.feed("AUTH PLAIN");
  BOOST_TEST(a.feed("!!!not base64").code == 501);
  a.feed("AUTH PLAIN");
  BOOST_TEST(a.feed(base64_encode("no separators")).code == 501);
  a.feed("AUTH LOGIN");
  BOOST_TEST(a.feed("*").code == 501);  // cancelled
  BOOST_TEST(a.feed("NOOP").code == 250);  // and the session goes on
}

BOOST_AUTO_TEST_CASE(a_configured_refusal_and_the_size_limit) {
  auto at_data = smtp_in_transaction({"sink", 554, "data", 1000});
  at_data.feed("DATA");
  at_data.feed("hello");
  const auto refused = at_data.feed(".");
  BOOST_TEST(refused.code == 554);
  BOOST_REQUIRE(refused.mail);  // still reported: the capture shows what was refused
  BOOST_TEST(refused.mail->status == 554);

  SmtpSession at_rcpt({"sink", 550, "rcpt", 1000});
  at_rcpt.feed("EHLO x");
  at_rcpt.feed("MAIL FROM:<a@b.example>");
  BOOST_TEST(at_rcpt.feed("RCPT TO:<c@d.example>").code == 550);
  SmtpSession at_mail({"sink", 451, "mail", 1000});
  at_mail.feed("EHLO x");
  BOOST_TEST(at_mail.feed("MAIL FROM:<a@b.example>").code == 451);

  auto big = smtp_in_transaction({"sink", 0, "data", 10});
  big.feed("DATA");
  big.feed("more than ten bytes");
  const auto too_big = big.feed(".");
  BOOST_TEST(too_big.code == 552);
  BOOST_TEST(!too_big.error.empty());
  BOOST_TEST(big.feed("NOOP").code == 250);
}

BOOST_AUTO_TEST_CASE(the_configuration_is_strict) {
  BOOST_TEST(smtp_config_error("fail_code = 554\nfail_at = \"rcpt\"\n").empty());
  BOOST_TEST(smtp_config_error("fail_code = 200\n").find("s.toml:1") != std::string::npos);
  BOOST_TEST(smtp_config_error("fail_at = \"rcpt\"\n").find("needs a 'fail_code'") != std::string::npos);
  BOOST_TEST(smtp_config_error("fail_at = \"helo\"\nfail_code = 550\n").find("s.toml:1") != std::string::npos);
  BOOST_TEST(smtp_config_error("greeting = \"x\"\n").find("greeting") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
