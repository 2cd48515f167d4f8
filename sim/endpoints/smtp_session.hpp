#pragma once
// The SMTP sink's protocol, without sockets (RFC 5321 subset): the greeting, EHLO/HELO, AUTH
// PLAIN/LOGIN (any credentials accepted; the password is never kept), MAIL FROM, RCPT TO, DATA
// with dot-unstuffing, RSET, NOOP, QUIT. One line in, one reply out; a finished message comes
// out of the step that ends it. A malformed or out-of-order command gets its 5xx reply and an
// `error`, and the session goes on. Pure: unit-tested (tests/endpoints/unit_smtp_session.cpp),
// driven over a socket by smtp_endpoint.cpp.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil::endpoints {

struct SmtpSessionOptions {
  std::string host_name = "flexhil-smtp";  // what the greeting and EHLO say
  int fail_code = 0;                        // a configured refusal (0 = none) …
  std::string fail_at = "data";             // … of "mail", "rcpt" or "data" (the end of the message)
  std::size_t max_size = 10 * 1024 * 1024;  // a bigger message is refused with 552
};

struct SmtpAuth {
  std::string mechanism;  // "PLAIN" or "LOGIN"
  std::string user;       // the password is dropped as soon as it is decoded
};

struct SmtpMail {
  std::string helo;
  std::string from;
  std::vector<std::string> to;
  std::string data;  // the message as received, dot-unstuffed, lines ending in CRLF
  std::optional<SmtpAuth> auth;
  int status = 250;  // the reply its final dot got (250, or the configured fail code)
};

struct SmtpStep {
  int code = 0;
  std::string reply;                // whole reply, CRLF-terminated ("" while DATA lines come in)
  std::string error;                // why the command was refused ("" = accepted)
  std::string command;              // the verb the step answered ("AUTH" lines never show their data)
  std::optional<SmtpMail> mail;     // a message just ended
  bool close = false;               // QUIT: close after the reply
};

class SmtpSession {
 public:
  explicit SmtpSession(SmtpSessionOptions options = {});
  std::string greeting() const;
  SmtpStep feed(std::string_view line);    // one line without its CR LF
  SmtpStep line_too_long();                 // the peer sent an overlong line
  bool in_data() const noexcept { return state_ == State::data; }

 private:
  enum class State { command, data, auth_plain, auth_login_user, auth_login_password };
  SmtpStep reply(int code, std::string text, std::string error = {}) const;
  SmtpStep command(std::string_view line);
  SmtpStep data_line(std::string_view line);
  SmtpStep auth(std::string_view args);
  SmtpStep auth_data(std::string_view line);
  void reset_transaction();

  SmtpSessionOptions options_;
  State state_ = State::command;
  std::string helo_;
  std::optional<SmtpAuth> auth_;
  std::string pending_user_;  // AUTH LOGIN between the user and the password
  bool in_mail_ = false;
  std::string from_;
  std::vector<std::string> to_;
  std::string data_;
  bool data_too_big_ = false;
};

// The Subject header of a message (unfolded), or "".
std::string mail_subject(std::string_view message);

}  // namespace flexhil::endpoints
