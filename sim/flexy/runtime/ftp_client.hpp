#pragma once
// PUTFTP and GETFTP performed for real: the emulated Flexy logs in to the FTP server that stands
// for its configured FTP server (USER/PASS, TYPE I, CWD to the configured folder when there is
// one), opens a passive data connection (PASV) and STORes the content or RETRieves the file.
// parse_pasv_port() is pure (unit-tested); ftp_transfer() blocks on a worker thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "sim/flexy/runtime/line_dialog.hpp"

namespace flexhil::flexy {

struct FtpJob {
  bool upload = true;        // PUTFTP (STOR) or GETFTP (RETR)
  std::string user = "anonymous";
  std::string password;
  std::string dir;           // CWD first ("" = stay where the login put us)
  std::string server_file;   // server_file$
  std::string content;       // what STOR sends
};

// The data port of a 227 reply's "(h1,h2,h3,h4,p1,p2)", or nullopt. The host part is ignored:
// the data connection goes to the control connection's address (a NAT-safe habit, and every
// route is loopback here).
std::optional<std::uint16_t> parse_pasv_port(const std::string& reply_text);

// ok: `content` holds what RETR received.
DialogResult ftp_transfer(const std::string& address, const FtpJob& job, std::chrono::milliseconds timeout,
                          int cancel_fd = -1);

}  // namespace flexhil::flexy
