#pragma once
// SENDMAIL performed for real: the emulated Flexy hands one message to the SMTP server that
// stands for its configured mail server (EHLO, AUTH PLAIN when a user is configured, MAIL FROM,
// one RCPT TO per address of to$ and cc$, DATA, QUIT). compose_mail() is pure (unit-tested):
// the headers and the body, CRLF line ends, dot-stuffed; send_mail() blocks on a worker thread.
#include <chrono>
#include <string>
#include <vector>

#include "sim/flexy/runtime/line_dialog.hpp"

namespace flexhil::flexy {

struct MailJob {
  std::string helo = "flexy";  // EHLO argument
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;
  std::string body;
  std::string user;  // "" = no AUTH
  std::string password;
};

// to$/cc$ of SENDMAIL: addresses separated by ';' or ',' (spaces around them dropped).
std::vector<std::string> split_addresses(const std::string& list);
// The DATA of the message, ready to send (without the final "."): dot-stuffed, CRLF ends.
std::string compose_mail(const MailJob& job);

DialogResult send_mail(const std::string& address, const MailJob& job, std::chrono::milliseconds timeout,
                       int cancel_fd = -1);

}  // namespace flexhil::flexy
