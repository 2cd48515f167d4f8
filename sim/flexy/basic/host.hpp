#pragma once
// The contract between the eWON BASIC interpreter (pure: no sockets, no threads, no clock reads)
// and what surrounds it — the Flexy runtime in the emulator, a fake host in unit tests.
// The interpreter calls the Host for everything outside the language: time, console, tags,
// timers and the MQTT command family. The runtime drives the interpreter through
// Interpreter::post_*() and run_one() (interpreter.hpp), always from one thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace flexhil::basic {

// A BASIC value: integer (a%), real (a; single precision), string (a$).
using Value = std::variant<std::int32_t, double, std::string>;

// The outcome of a host operation: a value for expressions, or a Flexy error code
// (0 = no error; e.g. 28 when the WAN/broker is unreachable on MQTT "CONNECT").
struct HostResult {
  Value value = std::int32_t{0};
  int error = 0;
  std::string message;  // for the event log when error != 0
  static HostResult ok(Value v = std::int32_t{0}) { return {std::move(v), 0, {}}; }
  static HostResult fail(int code, std::string why) { return {std::int32_t{0}, code, std::move(why)}; }
};

class Host {
 public:
  virtual ~Host() = default;

  // --- clock (the runtime's injected, possibly scaled, clock) ---
  virtual std::int64_t time_seconds() = 0;  // GETSYS PRG,"TIMESEC": seconds since 1970 (UTC)
  virtual std::int64_t milliseconds() = 0;  // GETSYS PRG,"MSEC": a free-running ms counter
  virtual std::string time_string() = 0;    // TIME$: local time "DD/MM/YYYY HH:MM:SS"

  // --- console and event log ---
  virtual void print(std::string_view line) = 0;  // one PRINT line, without the newline
  virtual void clear_screen() {}
  // LOGEVENT, and interpreter errors / queue overflows (level as LOGEVENT's second argument).
  virtual void log_event(std::string_view message, int level) = 0;

  // --- tags (index = 0-based position in the tag database) ---
  virtual int tag_count() = 0;
  virtual std::optional<int> find_tag(std::string_view name) = 0;  // case-insensitive
  virtual Value tag_value(int index) = 0;                           // GETIO, Tag@
  virtual HostResult set_tag_value(int index, const Value& value) = 0;  // SETIO, Tag@ = v
  // GETSYS TAG,"<field>" for the loaded tag: "Name", "Type", "Description", "TagValue",
  // "IVGROUPA".."IVGROUPD", … nullopt = unknown field (the interpreter raises the error).
  virtual std::optional<Value> tag_field(int index, std::string_view field) = 0;
  virtual HostResult set_tag_field(int index, std::string_view field, const Value& value) = 0;
  virtual HostResult save_tag(int index) = 0;  // SETSYS TAG,"save"

  // --- device information: GETSYS PRG,"<field>" the interpreter does not keep itself (SERNUM)
  // and GETSYS/SETSYS INF,"<field>" (SERNUM, LOAD, …), SYS,"<field>" (the system configuration),
  // COM and USER; group "PRG", "INF", "SYS", "COM" or "USER" as upper case.
  // nullopt / a failed result = unknown or read-only field (the interpreter raises code 10).
  virtual std::optional<Value> system_field(std::string_view /*group*/, std::string_view /*field*/) { return std::nullopt; }
  // SETSYS INF,"LOAD" (no value: 0) re-reads the information record RG-0006 has programs load first.
  virtual HostResult set_system_field(std::string_view /*group*/, std::string_view /*field*/, const Value& /*value*/) {
    return HostResult::fail(10, "unknown or read-only field");
  }

  // --- timers: TSET n, seconds (0 stops). The runtime fires Interpreter::post_timer(n). ---
  virtual void set_timer(int number, double period_seconds) = 0;

  // --- MQTT "<command>", args… (OPEN, SETPARAM, CONNECT, SUBSCRIBE, PUBLISH, READ, MSGTOPIC,
  // MSGDATA, STATUS, …); `command` as written, case preserved. The value is what the command
  // returns when used in an expression (READ: pending count; STATUS: 2..5; MSGDATA: payload).
  virtual HostResult mqtt(std::string_view command, const std::vector<Value>& args) = 0;

  // --- events and outbound actions ---
  // ONDATE n,"mm hh dd MM ww": the plan (already checked by the interpreter, date_plan.hpp) the
  // runtime follows in its clock and time zone, firing Interpreter::post_date(n); "" stops it.
  virtual void set_date_plan(int /*number*/, std::string_view /*plan*/) {}
  // ALSTAT: 0 no alarm, 1 pretrigger, 2 in alarm, 3 acknowledged, 4 returned to normal (not acknowledged).
  virtual int alarm_status(int /*index*/) { return 0; }
  // ALMACK tag, user$: acknowledges the tag's alarm (an error when it has no alarm to acknowledge).
  virtual HostResult acknowledge_alarm(int /*index*/, std::string_view /*user*/) {
    return HostResult::fail(10, "alarms are not supported by this host");
  }
  // SENDMAIL, SENDSMS, SENDTRAP, PUTFTP, GETFTP, PUTHTTP, GETHTTP, REQUESTHTTPX, NTPSYNC, DYNDNS:
  // `kind` upper case, the evaluated arguments and the BASIC line (0 = in an event command).
  // The value is the action id (GETSYS PRG,"ACTIONID"); the runtime later fires
  // Interpreter::post_action_status(id) for ONSTATUS.
  // RESPONSEHTTPX "STATUSCODE" | "HEADER"[, name$] | "RESPONSE-BODY": the last completed REQUESTHTTPX.
  virtual HostResult http_response(std::string_view /*field*/, std::string_view /*name*/) {
    return HostResult::fail(10, "no HTTP response");
  }
  virtual HostResult outbound_action(std::string_view /*kind*/, const std::vector<Value>& /*args*/, int /*line*/) {
    return HostResult::fail(10, "outbound actions are not supported by this host");
  }
  // --- files and system ---
  // OPEN spec$ FOR BINARY|TEXT INPUT|OUTPUT|APPEND AS n. `spec` as the program wrote it:
  // "file:/usr/x.txt", "/usr/x.txt" or "x.txt" (a file of /usr), "exp:$dtIV $ftT" (an export,
  // INPUT only). The interpreter checks n (1..8, not open) and keeps the text/binary framing;
  // the host moves bytes. Defaults: this host has no file system (error 41).
  enum class FileMode { input, output, append };
  virtual HostResult open_file(int /*number*/, std::string_view /*spec*/, FileMode /*mode*/) {
    return HostResult::fail(41, "this host has no file system");
  }
  virtual HostResult write_file(int /*number*/, std::string_view /*bytes*/) { return HostResult::fail(41, "no file system"); }
  // Up to max_bytes from the file's read position; "" at the end of the file.
  virtual HostResult read_file(int /*number*/, std::size_t /*max_bytes*/) { return HostResult::fail(41, "no file system"); }
  virtual void close_file(int /*number*/) {}
  virtual HostResult erase_file(std::string_view /*spec*/) { return HostResult::fail(41, "no file system"); }
  // CFGSAVE: persists what SETSYS SYS/TAG changed.
  virtual HostResult save_config() { return HostResult::ok(); }
  // REBOOT: the program restarts from Init; the host drops its timers and closes its files.
  virtual void reboot() {}
  // TGET n: 1 when timer n expired since the last TGET n (the host counts expiries), else 0.
  virtual bool timer_expired(int /*number*/) { return false; }
  // LOGIO tag$: a historical-log point of the tag's value now.
  virtual HostResult log_io(int /*index*/) { return HostResult::ok(); }

  // --- clock, memory and I/O flags (RG-0006 SETTIME, MEMORY, IOMOD) ---
  // SETTIME: the device's clock is set so that TIME$ now reads `local_seconds` (the new local
  // time as seconds since 1970, its fields read as if UTC — what FCNV gives for TIME$'s text).
  virtual HostResult set_clock(std::int64_t /*local_seconds*/) {
    return HostResult::fail(10, "this host's clock cannot be set");
  }
  // MEMORY "<which>" (upper case: "PROG", "VAR", "ALL"): free bytes; nullopt = unknown figure.
  virtual std::optional<std::int32_t> memory_figure(std::string_view /*which*/) { return std::nullopt; }
  // IOMOD tag: true when the tag's value changed since the program started or since the last
  // IOMOD of that tag, which clears the flag.
  virtual bool tag_modified(int /*index*/) { return false; }
};

}  // namespace flexhil::basic
