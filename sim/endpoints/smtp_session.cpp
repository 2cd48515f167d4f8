#include "sim/endpoints/smtp_session.hpp"

#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "common/event.hpp"

namespace flexhil::endpoints {
namespace {

constexpr std::size_t kMaxRecipients = 100;  // RFC 5321 4.5.3.1.8: a server must take at least 100

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "FROM:<a@b> SIZE=12" after MAIL (or "TO:<…>" after RCPT): the address inside <>, or nullopt.
// The null reverse-path "<>" is allowed for MAIL only.
std::optional<std::string> smtp_path(std::string_view args, std::string_view keyword, bool allow_empty) {
  if (args.size() < keyword.size() || !iequals(args.substr(0, keyword.size()), keyword)) return std::nullopt;
  auto rest = trim_spaces(args.substr(keyword.size()));
  if (rest.empty() || rest.front() != '<') return std::nullopt;
  const auto close = rest.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  const auto address = rest.substr(1, close - 1);
  if (address.empty() && !allow_empty) return std::nullopt;
  for (const unsigned char c : address)
    if (c <= ' ' || c == '<' || c == 0x7f) return std::nullopt;
  if (!address.empty() && address.find('@') == std::string_view::npos && !iequals(address, "postmaster"))
    return std::nullopt;
  const auto after = rest.substr(close + 1);
  if (!after.empty() && after.front() != ' ') return std::nullopt;  // parameters follow a space
  return std::string(address);
}

bool printable_ascii(std::string_view s) {
  for (const unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c >= 0x7f) return false;
  return true;
}

}  // namespace

SmtpSession::SmtpSession(SmtpSessionOptions options) : options_(std::move(options)) {}

std::string SmtpSession::greeting() const { return fmt::format("220 {} ESMTP flexhil sink\r\n", options_.host_name); }

SmtpStep SmtpSession::reply(int code, std::string text, std::string error) const {
  SmtpStep s;
  s.code = code;
  s.reply = fmt::format("{} {}\r\n", code, text);
  s.error = std::move(error);
  return s;
}

void SmtpSession::reset_transaction() {
  in_mail_ = false;
  from_.clear();
  to_.clear();
  data_.clear();
  data_too_big_ = false;
}

SmtpStep SmtpSession::line_too_long() {
  if (state_ == State::data) {
    data_too_big_ = true;  // the message is refused at its final dot
    return SmtpStep{};
  }
  state_ = State::command;
  auto s = reply(500, "5.5.2 Line too long", "command line longer than 512 characters");
  s.command = "?";
  return s;
}

SmtpStep SmtpSession::feed(std::string_view line) {
  switch (state_) {
    case State::data: return data_line(line);
    case State::auth_plain:
    case State::auth_login_user:
    case State::auth_login_password: return auth_data(line);
    case State::command: break;
  }
  return command(line);
}

SmtpStep SmtpSession::command(std::string_view line) {
  const auto space = line.find(' ');
  const std::string verb = ascii_upper(line.substr(0, space));
  const auto args = space == std::string_view::npos ? std::string_view() : trim_spaces(line.substr(space + 1));
  SmtpStep s;
  const auto done = [&](SmtpStep step) {
    step.command = verb.empty() ? "?" : verb;
    return step;
  };
  if (verb.empty()) return done(reply(500, "5.5.2 Empty command", "an empty command line"));
  if (!printable_ascii(line)) return done(reply(500, "5.5.2 Command not recognised", "a control or non-ASCII byte in the command"));
  if (verb == "EHLO" || verb == "HELO") {
    if (args.empty() || args.find(' ') != std::string_view::npos)
      return done(reply(501, "5.5.4 Syntax: " + verb + " domain", verb + " without a single domain argument"));
    helo_ = std::string(args);
    reset_transaction();
    if (verb == "HELO") return done(reply(250, options_.host_name));
    s.code = 250;
    s.reply = fmt::format("250-{} greets {}\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE {}\r\n", options_.host_name,
                          helo_, options_.max_size);
    return done(std::move(s));
  }
  if (verb == "NOOP") return done(reply(250, "2.0.0 OK"));
  if (verb == "QUIT") {
    s = reply(221, "2.0.0 Bye");
    s.close = true;
    return done(std::move(s));
  }
  if (verb == "RSET") {
    if (!args.empty()) return done(reply(501, "5.5.4 Syntax: RSET", "RSET takes no argument"));
    reset_transaction();
    return done(reply(250, "2.0.0 Reset"));
  }
  if (verb == "VRFY" || verb == "EXPN" || verb == "STARTTLS" || verb == "TURN" || verb == "ETRN" || verb == "HELP" ||
      verb == "BDAT")
    return done(reply(502, "5.5.1 Command not implemented", verb + " is not implemented by the sink"));
  if (verb == "AUTH") return done(auth(args));
  if (verb == "MAIL") {
    if (helo_.empty()) return done(reply(503, "5.5.1 Say EHLO first", "MAIL before EHLO/HELO"));
    if (in_mail_) return done(reply(503, "5.5.1 Nested MAIL command", "MAIL inside a transaction"));
    const auto from = smtp_path(args, "FROM:", true);
    if (!from) return done(reply(501, "5.5.4 Syntax: MAIL FROM:<address>", "malformed MAIL FROM"));
    if (options_.fail_code && options_.fail_at == "mail")
      return done(reply(options_.fail_code, "sender refused (configured)", "refused by [endpoints.smtp] fail_code"));
    in_mail_ = true;
    from_ = *from;
    return done(reply(250, "2.1.0 Sender OK"));
  }
  if (verb == "RCPT") {
    if (!in_mail_) return done(reply(503, "5.5.1 Need MAIL before RCPT", "RCPT before MAIL"));
    const auto to = smtp_path(args, "TO:", false);
    if (!to) return done(reply(501, "5.5.4 Syntax: RCPT TO:<address>", "malformed RCPT TO"));
    if (to_.size() >= kMaxRecipients) return done(reply(452, "4.5.3 Too many recipients", "more than 100 recipients"));
    if (options_.fail_code && options_.fail_at == "rcpt")
      return done(reply(options_.fail_code, "recipient refused (configured)", "refused by [endpoints.smtp] fail_code"));
    to_.push_back(*to);
    return done(reply(250, "2.1.5 Recipient OK"));
  }
  if (verb == "DATA") {
    if (!args.empty()) return done(reply(501, "5.5.4 Syntax: DATA", "DATA takes no argument"));
    if (!in_mail_) return done(reply(503, "5.5.1 Need MAIL command", "DATA before MAIL"));
    if (to_.empty()) return done(reply(554, "5.5.1 No valid recipients", "DATA without a recipient"));
    state_ = State::data;
    return done(reply(354, "End data with <CR><LF>.<CR><LF>"));
  }
  return done(reply(500, "5.5.2 Command not recognised", "unknown command '" + verb.substr(0, 32) + "'"));
}

SmtpStep SmtpSession::data_line(std::string_view line) {
  if (line != ".") {
    // Dot-unstuffing (RFC 5321 4.5.2): a line the client began with a dot lost its first one.
    if (!line.empty() && line.front() == '.') line.remove_prefix(1);
    if (data_.size() + line.size() + 2 > options_.max_size) data_too_big_ = true;
    if (!data_too_big_) {
      data_.append(line);
      data_.append("\r\n");
    }
    return SmtpStep{};
  }
  state_ = State::command;
  SmtpMail mail;
  mail.helo = helo_;
  mail.from = from_;
  mail.to = to_;
  mail.data = std::move(data_);
  mail.auth = auth_;
  SmtpStep s;
  if (data_too_big_) {
    s = reply(552, "5.3.4 Message too big", fmt::format("the message is larger than {} bytes", options_.max_size));
    mail.data.clear();
  } else if (options_.fail_code && options_.fail_at == "data") {
    s = reply(options_.fail_code, "message refused (configured)", "refused by [endpoints.smtp] fail_code");
  } else {
    s = reply(250, "2.0.0 OK queued");
  }
  mail.status = s.code;
  s.command = "DATA";
  s.mail = std::move(mail);
  reset_transaction();
  return s;
}

SmtpStep SmtpSession::auth(std::string_view args) {
  if (helo_.empty()) return reply(503, "5.5.1 Say EHLO first", "AUTH before EHLO");
  if (auth_) return reply(503, "5.5.1 Already authenticated", "a second AUTH");
  if (in_mail_) return reply(503, "5.5.1 AUTH not allowed during a transaction", "AUTH inside a transaction");
  const auto space = args.find(' ');
  const std::string mechanism = ascii_upper(args.substr(0, space));
  const auto initial = space == std::string_view::npos ? std::string_view() : trim_spaces(args.substr(space + 1));
  if (mechanism.empty()) return reply(501, "5.5.4 Syntax: AUTH mechanism", "AUTH without a mechanism");
  if (mechanism == "PLAIN") {
    state_ = State::auth_plain;
    if (initial.empty()) {
      SmtpStep s;
      s.code = 334;
      s.reply = "334 \r\n";
      return s;
    }
    return auth_data(initial);
  }
  if (mechanism == "LOGIN") {
    state_ = State::auth_login_user;
    if (initial.empty()) return reply(334, "VXNlcm5hbWU6");  // "Username:"
    return auth_data(initial);
  }
  return reply(504, "5.5.4 Unrecognised authentication mechanism", "AUTH " + mechanism.substr(0, 32) + " is not offered");
}

SmtpStep SmtpSession::auth_data(std::string_view line) {
  const auto state = state_;
  state_ = State::command;
  auto step = [&](SmtpStep s) {
    s.command = "AUTH";
    return s;
  };
  if (line == "*") return step(reply(501, "5.7.0 Authentication cancelled", "the client cancelled AUTH"));
  std::string decoded;
  if (!base64_decode(line, decoded)) return step(reply(501, "5.5.2 Cannot decode the response", "AUTH data is not base64"));
  if (state == State::auth_plain) {
    // authzid NUL authcid NUL password (RFC 4616)
    const auto first = decoded.find('\0');
    const auto second = first == std::string::npos ? std::string::npos : decoded.find('\0', first + 1);
    if (second == std::string::npos)
      return step(reply(501, "5.5.2 Malformed PLAIN response", "AUTH PLAIN data without two NUL separators"));
    auth_ = SmtpAuth{"PLAIN", decoded.substr(first + 1, second - first - 1)};
    return step(reply(235, "2.7.0 Authentication successful"));
  }
  if (state == State::auth_login_user) {
    pending_user_ = decoded;
    state_ = State::auth_login_password;
    return step(reply(334, "UGFzc3dvcmQ6"));  // "Password:"
  }
  auth_ = SmtpAuth{"LOGIN", std::move(pending_user_)};
  pending_user_.clear();
  return step(reply(235, "2.7.0 Authentication successful"));
}

std::string mail_subject(std::string_view message) {
  std::string subject;
  bool in_subject = false;
  std::size_t pos = 0;
  while (pos < message.size()) {
    auto end = message.find('\n', pos);
    if (end == std::string_view::npos) end = message.size();
    auto line = message.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) break;  // end of the header block
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_subject) subject += " " + std::string(trim_spaces(line));  // a folded continuation
      continue;
    }
    in_subject = line.size() >= 8 && iequals(line.substr(0, 8), "Subject:");
    if (in_subject) subject = std::string(trim_spaces(line.substr(8)));
  }
  return subject;
}

}  // namespace flexhil::endpoints
