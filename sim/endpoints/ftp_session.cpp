#include "sim/endpoints/ftp_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "common/ascii_case.hpp"

namespace flexhil::endpoints {

std::optional<std::string> resolve_ftp_path(std::string_view cwd, std::string_view arg) {
  if (arg.empty()) return std::nullopt;
  for (const unsigned char c : arg)
    if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
  std::vector<std::string_view> parts;
  const auto split = [&parts](std::string_view s) -> bool {
    std::size_t pos = 0;
    while (pos <= s.size()) {
      auto slash = s.find('/', pos);
      if (slash == std::string_view::npos) slash = s.size();
      const auto part = s.substr(pos, slash - pos);
      if (part == "..") return false;  // never climbs: not even back into the folder
      if (!part.empty() && part != ".") parts.push_back(part);
      pos = slash + 1;
    }
    return true;
  };
  if (arg.front() != '/' && !split(cwd)) return std::nullopt;
  if (!split(arg)) return std::nullopt;
  std::string out;
  for (const auto p : parts) out += "/" + std::string(p);
  return out.empty() ? std::string("/") : out;
}

FtpSession::FtpSession(FtpSessionOptions options) : options_(std::move(options)) {}

FtpStep FtpSession::reply(int code, std::string text, std::string error) const {
  FtpStep s;
  s.code = code;
  s.reply = fmt::format("{} {}\r\n", code, text);
  s.error = std::move(error);
  return s;
}

std::string FtpSession::passive_reply(std::uint16_t port, bool extended) {
  if (extended) return fmt::format("229 Entering Extended Passive Mode (|||{}|)\r\n", port);
  return fmt::format("227 Entering Passive Mode (127,0,0,1,{},{})\r\n", port >> 8, port & 0xff);
}

FtpStep FtpSession::line_too_long() const {
  auto s = reply(500, "Command line too long", "command line longer than 512 characters");
  s.command = "?";
  return s;
}

FtpStep FtpSession::feed(std::string_view line) {
  const auto space = line.find(' ');
  const std::string verb = ascii_upper(line.substr(0, space));
  const auto arg = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  FtpStep s = [&]() -> FtpStep {
    if (verb.empty()) return reply(500, "Empty command", "an empty command line");
    for (const unsigned char c : line)
      if (c < 0x20 || c == 0x7f) return reply(500, "Command not understood", "a control byte in the command");
    if (verb == "QUIT") {
      auto q = reply(221, "Goodbye");
      q.action = FtpAction::close;
      return q;
    }
    if (verb == "NOOP") return reply(200, "OK");
    if (verb == "USER") {
      if (arg.empty()) return reply(501, "Syntax: USER name", "USER without a name");
      user_ = std::string(arg);
      logged_in_ = false;
      return reply(331, "Password required");
    }
    if (verb == "PASS") {
      if (user_.empty()) return reply(503, "Login with USER first", "PASS before USER");
      if (!options_.user.empty() && (user_ != options_.user || std::string(arg) != options_.password))
        return reply(530, "Login incorrect", "wrong user or password");
      logged_in_ = true;
      return reply(230, "Logged in");
    }
    if (verb == "SYST") return reply(215, "UNIX Type: L8");
    if (verb == "FEAT") {
      FtpStep f;
      f.code = 211;
      f.reply = "211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n211 End\r\n";
      return f;
    }
    if (verb == "PORT" || verb == "EPRT")
      return reply(502, "Active mode is not supported: use PASV or EPSV", verb + " (active mode) is not supported");
    static const char* const known[] = {"TYPE", "PASV", "EPSV", "STOR", "RETR", "SIZE", "CWD",  "CDUP", "PWD",
                                        "XPWD", "MODE", "STRU", "ABOR", "LIST", "NLST", "DELE", "MKD",  "APPE"};
    const bool is_known = std::find(std::begin(known), std::end(known), verb) != std::end(known);
    if (!is_known) return reply(500, "Command not understood", "unknown command '" + verb.substr(0, 32) + "'");
    if (!logged_in_) return reply(530, "Please login with USER and PASS", verb + " before login");
    if (verb == "PWD" || verb == "XPWD") return reply(257, fmt::format("\"{}\" is the current directory", cwd_));
    if (verb == "CWD" || verb == "CDUP") {
      if (verb == "CWD" && arg.empty()) return reply(501, "Syntax: CWD path", "CWD without a path");
      const auto to = resolve_ftp_path(cwd_, verb == "CDUP" ? std::string_view("/") : arg);
      if (!to) return reply(550, "Path not allowed", "a path with '..' or a forbidden byte");
      if (verb == "CDUP") {
        const auto slash = cwd_.rfind('/');
        cwd_ = slash == 0 ? "/" : cwd_.substr(0, slash);
      } else {
        cwd_ = *to;
      }
      return reply(250, "Directory changed to " + cwd_);
    }
    if (verb == "TYPE") {
      const std::string t = ascii_upper(arg);
      if (t == "I" || t == "L 8") {
        binary_ = true;
        return reply(200, "Type set to I");
      }
      if (t == "A" || t == "A N") {
        binary_ = false;
        return reply(200, "Type set to A");
      }
      if (t.empty()) return reply(501, "Syntax: TYPE A|I", "TYPE without a type");
      return reply(504, "Type not supported", "TYPE " + t.substr(0, 16) + " is not supported");
    }
    if (verb == "MODE" || verb == "STRU") {
      const std::string m = ascii_upper(arg);
      if (m == (verb == "MODE" ? "S" : "F")) return reply(200, "OK");
      return reply(504, "Only " + std::string(verb == "MODE" ? "MODE S" : "STRU F"), verb + " " + m.substr(0, 8) + " is not supported");
    }
    if (verb == "PASV" || verb == "EPSV") {
      if (verb == "EPSV" && !arg.empty() && arg != "1" && ascii_upper(arg) != "ALL")
        return reply(522, "Network protocol not supported, use (1)", "EPSV for a protocol other than IPv4");
      FtpStep p;
      p.action = FtpAction::passive;
      p.extended = verb == "EPSV";
      return p;
    }
    if (verb == "ABOR") return reply(226, "Nothing to abort");
    if (verb == "LIST" || verb == "NLST" || verb == "DELE" || verb == "MKD" || verb == "APPE")
      return reply(502, "Command not implemented", verb + " is not implemented by the sink");
    // STOR, RETR, SIZE
    if (arg.empty()) return reply(501, "Syntax: " + verb + " path", verb + " without a path");
    const auto path = resolve_ftp_path(cwd_, arg);
    if (!path || *path == "/")
      return reply(verb == "STOR" ? 553 : 550, "File name not allowed", "a path with '..', a forbidden byte or no file name");
    if (verb != "SIZE" && !passive_) return reply(425, "Use PASV or EPSV first", verb + " without a passive connection");
    FtpStep t;
    t.action = verb == "STOR" ? FtpAction::store : verb == "RETR" ? FtpAction::retrieve : FtpAction::size;
    t.path = *path;
    return t;
  }();
  s.command = verb.empty() ? "?" : verb;
  return s;
}

}  // namespace flexhil::endpoints
