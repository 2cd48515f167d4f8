// The real FlexyDevice's files and system parts: a program writes a CSV into the emulated /usr
// (a per-test folder), reads the instant-value, historical and event-log exports as files, is
// refused paths outside /usr, saves its configuration (CFGSAVE), reboots, and its event-command
// errors name the line that registered the event.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/net.hpp"
#include "sim/flexy/runtime/flexy_device.hpp"
#include "sim/plc/plc_config.hpp"
#include "sim/plc/plc_server.hpp"
#include "tests/flexy_runtime/it_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_env.hpp"

using namespace flexhil;
using namespace flexhil::flexy;
using namespace flexhil::testing;
using namespace std::chrono_literals;

namespace {

bool logged(const std::vector<std::string>& lines, const std::string& fragment) {
  for (const auto& l : lines)
    if (l.find(fragment) != std::string::npos) return true;
  return false;
}
std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Bench {
  explicit Bench(const char* program, const std::string& file = "files.bas") {
    std::filesystem::create_directories(usr);
    plc.start("127.0.0.1", 0);
    config.topics[0].port = plc.port();
    config.usr_dir = usr.string();
    dev = std::make_unique<FlexyDevice>(FlexyDeviceOptions{config, basic::parse_program(program, file), clock, nullptr, nullptr});
    dev->start();
  }
  std::string diagnostics() const {
    std::string out = "console:";
    for (const auto& l : dev->console()) out += " | " + l;
    out += " log:";
    for (const auto& l : dev->log()) out += " | " + l;
    return out;
  }
  TempDir dir;
  std::filesystem::path usr = dir.path() / "usr";
  std::shared_ptr<ScaledClock> clock = std::make_shared<ScaledClock>(10.0);
  plc::PlcServer plc{plc::load_plc_config_string(kFixturePlc, "plc.toml"), *clock};
  FlexyConfig config = load_flexy_config_file(fixture("flexy/azure_x509.toml"));
  std::unique_ptr<FlexyDevice> dev;
};

const char* kLogger = R"(Rem --- eWON start section: Init Section
eWON_init_section:
LOGEVENT "logger ready", 3
TSET 7, 1
ONTIMER 8, 'PRINT "tick"'
TSET 8, 1
END
Rem --- eWON end section: Init Section
Rem --- eWON start section: Work
Work:
OPEN "file:/usr/log.csv" FOR TEXT OUTPUT AS 1
PUT 1, "Temperature"; Temperature@
PUT 1, "Counter"; Counter@
CLOSE 1
OPEN "exp:$dtIV $ftT $tnTemperature" FOR TEXT INPUT AS 2
FOR i% = 1 TO 6 : h$ = GET 2 : NEXT i%
id% = GET 2 : n$ = GET 2 : v = GET 2
CLOSE 2
PRINT "iv "; id%; " "; n$; " "; v; " header "; h$
OPEN "exp:$dtHL $ftT $tnTemperature" FOR BINARY INPUT AS 3
hl$ = GET 3
CLOSE 3
PRINT "hl "; INSTR(1, hl$, ";21.5;") > 0
LOGIO "Temperature"
OPEN "exp:$dtHL $ftT $tnTemperature" FOR BINARY INPUT AS 3
hl2$ = GET 3
CLOSE 3
PRINT "logio "; LEN(hl2$) > LEN(hl$)
PRINT "tget "; TGET 7
OPEN "exp:$dtEV $ftT $st_h1" FOR BINARY INPUT AS 4
ev$ = GET 4
CLOSE 4
PRINT "ev "; INSTR(1, ev$, "logger ready") > 0
SETSYS PRG,"RESUMENEXT",1
OPEN "file:/usr/../escape.txt" FOR TEXT OUTPUT AS 5
e1% = GETSYS PRG,"LSTERR"
OPEN "file:/sys/config.txt" FOR TEXT INPUT AS 5
e2% = GETSYS PRG,"LSTERR"
SETSYS PRG,"RESUMENEXT",0
PRINT "refused "; e1%; " "; e2%
END
Rem --- eWON end section: Work
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(flexy_files)

BOOST_AUTO_TEST_CASE(a_program_writes_a_csv_in_usr_and_reads_the_exports_as_files) {
  Bench b(kLogger);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return b.dev->tag_value("Temperature") == basic::Value{21.5}; }, 5s), b.diagnostics());
  // Timer 8 fires with timer 7 (same period, set together): once it ticked, 7 has expired.
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(b.dev->console(), "tick"); }, 5s), b.diagnostics());
  b.dev->execute("GOTO Work");
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return logged(b.dev->console(), "refused "); }, 5s), b.diagnostics());
  BOOST_TEST(read_all(b.usr / "log.csv") == "\"Temperature\";21.5\r\n\"Counter\";123456\r\n");
  BOOST_TEST(has_line(b.dev->console(), "iv 1 Temperature 21.5 header Quality"), b.diagnostics());
  BOOST_TEST(has_line(b.dev->console(), "hl 1"), b.diagnostics());
  BOOST_TEST(has_line(b.dev->console(), "ev 1"), b.diagnostics());
  BOOST_TEST(has_line(b.dev->console(), "logio 1"), b.diagnostics());
  BOOST_TEST(has_line(b.dev->console(), "tget 1"), b.diagnostics());  // timer 7 (1 s) expired before Work ran
  BOOST_TEST(has_line(b.dev->console(), "refused 41 41"), b.diagnostics());
  BOOST_TEST(!std::filesystem::exists(b.dir.path() / "escape.txt"));
}

BOOST_AUTO_TEST_CASE(cfgsave_is_logged_and_the_saved_identification_survives_reboot) {
  const char* program = R"(Rem --- eWON start section: Init Section
eWON_init_section:
OPEN "file:/usr/boots.txt" FOR BINARY APPEND AS 1
PUT 1, "b"
CLOSE 1
PRINT "id "; GETSYS SYS,"Identification"
ONTIMER 1, "GOTO Again"
TSET 1, 1
END
Rem --- eWON end section: Init Section
Rem --- eWON start section: Again
Again:
OPEN "file:/usr/boots.txt" FOR BINARY INPUT AS 1
b$ = GET 1
CLOSE 1
IF LEN(b$) >= 2 THEN TSET 1, 0 : PRINT "boots "; LEN(b$) : END
SETSYS SYS,"Identification","Line3"
CFGSAVE
SETSYS SYS,"Information","not saved"
SETSYS SYS,"save"
REBOOT
END
Rem --- eWON end section: Again
)";
  Bench b(program);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return has_line(b.dev->console(), "boots 2"); }, 10s), b.diagnostics());
  BOOST_TEST(has_line(b.dev->console(), "id Flexy205"));
  BOOST_TEST(has_line(b.dev->console(), "id Line3"));  // after REBOOT, from the saved record
  BOOST_TEST(logged(b.dev->log(), "CFGSAVE: configuration saved (Identification)"), b.diagnostics());
  BOOST_TEST(logged(b.dev->log(), "files.bas:21: REBOOT: the BASIC program restarts from Init"), b.diagnostics());
  BOOST_TEST(read_all(b.usr / "boots.txt") == "bb");
}

BOOST_AUTO_TEST_CASE(an_event_command_error_in_the_device_log_names_the_registering_line) {
  const char* program =
      "PRINT \"start\"\n"
      "\n"
      "ONTIMER 2, \"goto Nowhere\"\n"
      "TSET 2, 1\n";
  Bench b(program, "events.bas");
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return logged(b.dev->log(), "Nowhere"); }, 5s), b.diagnostics());
  BOOST_TEST(logged(b.dev->log(),
                    "events.bas:3: runtime error in \"goto Nowhere\" (event registered on this line): label NOWHERE not found (LSTERR 2)"),
             b.diagnostics());
}

BOOST_AUTO_TEST_SUITE_END()
