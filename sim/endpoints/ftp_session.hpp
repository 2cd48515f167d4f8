#pragma once
// The FTP sink's control protocol, without sockets (RFC 959 subset, passive mode only): USER,
// PASS, TYPE, PASV and EPSV (RFC 2428), STOR, RETR, SIZE, CWD/CDUP/PWD, NOOP, SYST, FEAT, QUIT.
// One command line in, one step out: a reply, or an action the socket side performs (open a
// passive listener, receive or send a file, look a size up) and then answers with the replies
// made here. Paths are normalised against the working directory and a `..` component is refused:
// nothing is ever stored outside the run's folder. A malformed or out-of-order command gets its
// 5xx reply and an `error`; the session goes on. Pure: unit-tested, driven by ftp_endpoint.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flexhil::endpoints {

struct FtpSessionOptions {
  std::string user;      // "" = any user and password are accepted
  std::string password;
};

enum class FtpAction { reply, passive, store, retrieve, size, close };

struct FtpStep {
  FtpAction action = FtpAction::reply;
  int code = 0;
  std::string reply;     // CRLF-terminated; for store/retrieve/size/passive the socket side answers
  std::string error;     // why the command was refused ("" = accepted)
  std::string command;   // the verb ("PASS" never shows its argument)
  std::string path;      // store/retrieve/size: the normalised server path ("/reports/a.csv")
  bool extended = false; // passive: EPSV (229) rather than PASV (227)
};

class FtpSession {
 public:
  explicit FtpSession(FtpSessionOptions options = {});
  static std::string greeting() { return "220 flexhil FTP sink ready\r\n"; }
  FtpStep feed(std::string_view line);  // one line without its CR LF
  FtpStep line_too_long() const;

  // The socket side's answers once it has acted.
  static std::string passive_reply(std::uint16_t port, bool extended);  // 227 (127,0,0,1,p1,p2) / 229 (|||p|)
  void passive_opened() noexcept { passive_ = true; }
  void data_used() noexcept { passive_ = false; }  // a passive listener serves one transfer
  const std::string& user() const noexcept { return user_; }
  const std::string& cwd() const noexcept { return cwd_; }
  bool binary() const noexcept { return binary_; }

 private:
  FtpStep reply(int code, std::string text, std::string error = {}) const;

  FtpSessionOptions options_;
  std::string user_;
  bool logged_in_ = false;
  bool passive_ = false;
  bool binary_ = false;
  std::string cwd_ = "/";
};

// `arg` resolved against `cwd` ("/" based): "/a/b.csv", or nullopt for an empty name, a `..`
// component, a backslash or a control byte. "." components are dropped.
std::optional<std::string> resolve_ftp_path(std::string_view cwd, std::string_view arg);

}  // namespace flexhil::endpoints
