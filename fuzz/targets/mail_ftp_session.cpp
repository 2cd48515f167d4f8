// The SMTP and FTP sinks' sessions (sim/endpoints) fed the input line by line, and the emulated
// Flexy's reply parser fed the whole input. Never throw; every reply is whole lines with a code
// (an error is always a 4xx/5xx one), a finished message is dot-unstuffed, every FTP path the
// session hands the socket side is absolute and never holds a `..` component; a complete
// server reply takes no more bytes than it was given.
#include <string>

#include "fuzz/support/fuzz_target.hpp"
#include "sim/endpoints/ftp_session.hpp"
#include "sim/endpoints/smtp_session.hpp"
#include "sim/flexy/runtime/line_dialog.hpp"

using namespace flexhil;

namespace {

void require_reply(const std::string& reply, int code, const std::string& error) {
  if (reply.empty()) return;
  fuzz::require(reply.size() >= 6 && reply.compare(reply.size() - 2, 2, "\r\n") == 0);
  fuzz::require(code >= 200 && code <= 599 && reply.compare(0, 3, std::to_string(code)) == 0);
  if (!error.empty()) fuzz::require(code >= 400);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  endpoints::SmtpSession smtp({"sink", 0, "data", 4096});
  endpoints::FtpSession ftp;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    const auto s = line.size() > 512 && !smtp.in_data() ? smtp.line_too_long() : smtp.feed(line);
    require_reply(s.reply, s.code, s.error);
    if (s.mail) fuzz::require(s.mail->data.size() <= 4096 && !s.mail->to.empty());
    const auto f = line.size() > 512 ? ftp.line_too_long() : ftp.feed(line);
    require_reply(f.reply, f.code, f.error);
    if (!f.path.empty()) {
      const std::string path = f.path + "/";
      fuzz::require(path.front() == '/' && path.find("/../") == std::string::npos);
    }
    if (f.action == endpoints::FtpAction::passive) ftp.passive_opened();
    if (f.action == endpoints::FtpAction::store || f.action == endpoints::FtpAction::retrieve) ftp.data_used();
  }
  flexy::ServerReply reply;
  std::size_t consumed = 0;
  if (flexy::parse_server_reply(text, reply, consumed) == flexy::ReplyParse::complete)
    fuzz::require(consumed <= size && reply.code >= 100 && reply.code <= 599);
  return 0;
}
