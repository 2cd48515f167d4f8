#pragma once
// The emulated Flexy's configuration (docs/scenario-flexy.md): identity, clock, the folder that
// stands for the Flexy's /usr/, the Modbus TCP IO server topics A/B/C, the tag table in index
// order, and the MQTT client's emulator-only settings (host-name overrides, reconnect).
// Loaded strictly through common/toml_reader.hpp: every error carries file:line:col.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/toml_reader.hpp"
#include "sim/flexy/basic/host.hpp"
#include "sim/flexy/runtime/alarm_state.hpp"
#include "sim/flexy/runtime/time_zone.hpp"
#include "sim/plc/modbus_address.hpp"

namespace flexhil::flexy {

// GETSYS TAG,"Type" codes.
enum class TagType { boolean = 0, floating = 1, integer = 2, dword = 3, string = 6 };
std::string_view to_string(TagType type);

// One IO server topic (A, B or C) of the Modbus TCP IO server.
struct TopicConfig {
  char letter = 'A';
  bool configured = false;
  double poll_seconds = 1.0;       // scenario seconds between polls
  std::optional<int> unit_id;      // overrides the tags' unit ids when given
  std::string ip = "127.0.0.1";
  int port = 502;
  double timeout_seconds = 1.0;    // real seconds a Modbus request may take
};

struct TagConfig {
  std::string name;
  TagType type = TagType::floating;
  std::optional<plc::ModbusAddress> address;  // nullopt = memory tag
  std::string address_text;                   // as written (Flexy syntax)
  char topic = 'A';
  double coef = 1.0;
  double offset = 0.0;
  std::array<bool, 4> groups{};               // IVGroupA..IVGroupD
  std::string description;
  basic::Value initial = std::int32_t{0};
  SourcePosition where;
  AlarmConfig alarm;                          // events and outbound actions: alarm = { high = 80, … }
};

// --- events and outbound actions ---
// [actions] of the Flexy table: what SENDMAIL, PUTFTP, … report to the program. Nothing leaves
// the machine, except PUTHTTP, GETHTTP and REQUESTHTTPX to a host `resolve` maps, SENDMAIL when
// the configured SMTP server is in `smtp_resolve` and PUTFTP/GETFTP when the configured FTP
// server is in `ftp_resolve`: those are really performed against that server and the program
// sees its answer.
struct ActionPolicy {
  bool succeed = true;                       // outcome = "success" | "fail"
  std::map<std::string, bool> per_kind;      // sendmail = "fail", … (lower-case kind)
  double delay_seconds = 1.0;                // scenario seconds until an action completes
  int fail_code = 1;                         // ACTIONSTAT of a failed action (*unverified*)
  std::string response_file;                 // resolved path; "" = an empty response
  int http_status = 200;                     // RESPONSEHTTPX "STATUSCODE" of a successful REQUESTHTTPX
  // Host or "host:port" (lower-case) → "ip:port" of the server that stands for it; a scenario
  // fills it from [dut.flexy.hosts] "http" entries. Unmapped hosts keep the scripted outcome.
  std::map<std::string, std::string> resolve;
  // The same for the mail and FTP servers of [system] (a scenario fills them from "smtp" and
  // "ftp" entries); keyed "host" or "host:port" like `resolve`.
  std::map<std::string, std::string> smtp_resolve;
  std::map<std::string, std::string> ftp_resolve;
  double http_timeout_seconds = 10;          // real seconds one real HTTP, SMTP or FTP dialog may take
};

// [system] of the Flexy table: the servers of the device's system configuration that SENDMAIL
// and PUTFTP/GETFTP use (on a real Flexy: the SMTP and FTP settings of its configuration; the
// GETSYS/SETSYS SYS field names are *inferred*, docs/scenario-flexy.md).
struct ServerSettings {
  std::string smtp_server;    // SmtpServerAddr ("" = no mail server: SENDMAIL stays scripted)
  int smtp_port = 25;         // SmtpServerPort
  std::string smtp_user;      // SmtpUserName ("" = no AUTH)
  std::string smtp_password;  // SmtpPassword
  std::string smtp_from;      // SmtpFromAddr ("" = "<device name>@flexy.invalid")
  std::string ftp_server;     // FtpServerAddr ("" = no FTP server: PUTFTP/GETFTP stay scripted)
  int ftp_port = 21;          // FtpServerPort
  std::string ftp_user;       // FtpUserName ("" = "anonymous")
  std::string ftp_password;   // FtpPassword
  std::string ftp_dir;        // FtpDir (CWD before the transfer; "" = none)
};

struct MqttSettings {
  // Host names the program uses, mapped to where the broker really listens ("127.0.0.1:18883").
  // SNI and the certificate host-name check still use the name the program gave.
  std::map<std::string, std::string> resolve;
  bool auto_reconnect = true;        // *unverified* on the real Flexy; scripts rely on it
  double reconnect_delay_seconds = 5.0;  // scenario seconds between attempts
  double connect_timeout_seconds = 10.0; // real seconds
  bool publish_error_when_disconnected = false;  // false: dropped and logged (unverified)
  std::size_t inbox_capacity = 100;  // received messages waiting for READ
};

struct FlexyConfig {
  std::string device_name = "Flexy";
  TimeZone time_zone;                 // default UTC
  double time_scale = 1.0;            // scenario seconds per real second
  std::string usr_dir = ".";          // stands for /usr/
  bool float_storage = false;         // old firmware: every tag value is a single-precision float
  std::size_t queue_capacity = 100;   // BASIC event queue
  std::int64_t statement_budget = 1'000'000;  // per request; an endless loop is reported
  bool echo_console = false;          // print PRINT lines to stdout
  double cyclic_interval_seconds = 0.1;  // scenario seconds between passes of the Cyclic section
  std::array<TopicConfig, 3> topics;  // A, B, C
  std::vector<TagConfig> tags;
  MqttSettings mqtt;
  ActionPolicy actions;
  ServerSettings servers;             // [system]

  const TopicConfig& topic(char letter) const { return topics.at(static_cast<std::size_t>(letter - 'A')); }
};

// Reads a Flexy configuration table (a whole file, or the table a scenario embeds). Relative
// paths (usr_dir) are resolved against `base_dir`. Calls t.finish(): unknown keys are errors.
FlexyConfig load_flexy_config(TomlTable& t, const std::string& base_dir = ".");
FlexyConfig load_flexy_config_file(const std::string& path);

// Maps a Flexy path ("/usr/ca.pem", "usr/ca.pem", "ca.pem") into the usr folder.
std::string map_usr_path(const std::string& usr_dir, const std::string& flexy_path);

}  // namespace flexhil::flexy
