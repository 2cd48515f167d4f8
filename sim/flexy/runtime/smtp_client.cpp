#include "sim/flexy/runtime/smtp_client.hpp"

#include <fmt/format.h>

#include "common/event.hpp"

namespace flexhil::flexy {

std::vector<std::string> split_addresses(const std::string& list) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    auto end = list.find_first_of(";,", pos);
    if (end == std::string::npos) end = list.size();
    auto item = list.substr(pos, end - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
    pos = end + 1;
  }
  return out;
}

std::string compose_mail(const MailJob& job) {
  const auto joined = [](const std::vector<std::string>& list) {
    std::string s;
    for (const auto& a : list) s += (s.empty() ? "" : ", ") + a;
    return s;
  };
  // Header values are one line: a CR or LF in the subject would start a header of its own.
  std::string subject = job.subject;
  for (auto& c : subject)
    if (c == '\r' || c == '\n') c = ' ';
  std::string text = fmt::format("From: {}\r\nTo: {}\r\n", job.from, joined(job.to));
  if (!job.cc.empty()) text += fmt::format("Cc: {}\r\n", joined(job.cc));
  text += fmt::format("Subject: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", subject);
  // The body's lines as the program wrote them (LF or CRLF), each ended by CRLF and dot-stuffed.
  std::size_t pos = 0;
  const auto& body = job.body;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    auto line = body.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '.') text += '.';
    text += line + "\r\n";
    pos = nl + 1;
  }
  return text;
}

DialogResult send_mail(const std::string& address, const MailJob& job, std::chrono::milliseconds timeout,
                       int cancel_fd) {
  LineDialog d(timeout, cancel_fd);
  auto& r = d.result();
  if (!d.connect(address)) return r;
  if (!d.expect_reply(220, "greeting")) return r;
  if (!d.step("EHLO " + job.helo, 250, "EHLO") && !d.step("HELO " + job.helo, 250, "HELO")) return r;
  if (!job.user.empty()) {
    std::string plain;
    plain += '\0';
    plain += job.user;
    plain += '\0';
    plain += job.password;
    if (!d.step("AUTH PLAIN " + base64_encode(plain), 235, "AUTH")) return r;
  }
  if (!d.step("MAIL FROM:<" + job.from + ">", 250, "MAIL FROM")) return r;
  for (const auto* list : {&job.to, &job.cc})
    for (const auto& rcpt : *list)
      if (!d.step("RCPT TO:<" + rcpt + ">", 250, "RCPT TO", 251)) return r;
  if (!d.step("DATA", 354, "DATA")) return r;
  if (!d.send_raw(compose_mail(job) + ".\r\n") || !d.expect_reply(250, "message")) return r;
  return d.succeed_and_quit();
}

}  // namespace flexhil::flexy
