// The emulated Flexy's pure files-and-system parts: export block descriptors and their text
// tables, /usr path resolution (no escape), the SYS configuration record, the bounded history.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "sim/flexy/runtime/export_block.hpp"
#include "sim/flexy/runtime/system_config.hpp"
#include "sim/flexy/runtime/tag_history.hpp"
#include "sim/flexy/runtime/usr_files.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace flexhil::flexy;

namespace {
constexpr std::int64_t kNow = 1795689005;  // 26/11/2026 10:30:05 UTC

ExportRequest parse(const std::string& d) {
  std::string error;
  auto r = parse_export_block(d, kNow, error);
  BOOST_REQUIRE_MESSAGE(r, d << ": " << error);
  return *r;
}
std::string refusal(const std::string& d) {
  std::string error;
  BOOST_TEST(!parse_export_block(d, kNow, error), d);
  return error;
}
ExportData export_sample() {
  ExportData data;
  data.tags = {ExportTag{1, "Temperature", basic::Value{21.5}, 65472, "A"},
               ExportTag{2, "Name \"x\"", basic::Value{std::string("on")}, 65280, "B"}};
  data.history = {HistoryPoint{1, kNow - 7200, basic::Value{20.0}}, HistoryPoint{2, kNow - 60, basic::Value{std::string("on")}},
                  HistoryPoint{1, kNow - 30, basic::Value{21.5}}};
  data.events = {EventLine{kNow - 10, 3, "logger ready"}};
  data.time_text = [](std::int64_t t) { return "T" + std::to_string(t); };
  return data;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(export_block)

BOOST_AUTO_TEST_CASE(descriptors_parse_with_or_without_blanks_and_relative_times) {
  auto r = parse("$dtHL $ftT $st_h4 $et_m0 $tnTemperature");
  BOOST_TEST(r.data_type == "HL");
  BOOST_TEST(r.start == kNow - 4 * 3600);
  BOOST_TEST(r.end == kNow);
  BOOST_TEST(r.tag_name == "Temperature");
  auto c = parse("$dtIV$ftT$flB");
  BOOST_TEST(c.data_type == "IV");
  BOOST_TEST(c.groups == "B");
  BOOST_TEST(parse("$dtEV $st_s30").start == kNow - 30);
  BOOST_TEST(parse("$dtEV $st_10").start == kNow - 600);  // no unit: minutes
  BOOST_TEST(parse("$dtHL $st\"26/11/2026 10:00:00\"").start == kNow - 1805);
  BOOST_TEST(parse("$dtAR $fnalarms.txt").data_type == "AR");  // $fn ignored
}

BOOST_AUTO_TEST_CASE(what_the_emulator_does_not_serve_is_refused_with_the_reason) {
  BOOST_TEST(refusal("$ftT").find("no $dt") != std::string::npos);
  BOOST_TEST(refusal("$dtXX $ftT").find("$dtXX is not served") != std::string::npos);
  BOOST_TEST(refusal("$dtIV $ftB").find("only $ftT") != std::string::npos);
  BOOST_TEST(refusal("$dtHL $st_q5").find("is not a time") != std::string::npos);
  BOOST_TEST(refusal("dtIV").find("field expected") != std::string::npos);
  BOOST_TEST(refusal("$dtHL $tn\"open").find("unterminated quote") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(instant_values_are_one_row_per_tag_with_quoted_strings) {
  auto out = render_export(parse("$dtIV $ftT"), export_sample());
  BOOST_TEST(out ==
             "\"TagId\";\"TagName\";\"Value\";\"AlStatus\";\"AlType\";\"Quality\"\r\n"
             "1;\"Temperature\";21.5;0;0;65472\r\n"
             "2;\"Name \"\"x\"\"\";\"on\";0;0;65280\r\n");
  BOOST_TEST(render_export(parse("$dtIV $ftT $flA"), export_sample()).find("2;") == std::string::npos);
  BOOST_TEST(render_export(parse("$dtIV $ftT $tntemperature"), export_sample()).find("1;\"Temperature\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(history_is_filtered_by_time_and_tag) {
  auto out = render_export(parse("$dtHL $ftT $st_h1 $tnTemperature"), export_sample());
  BOOST_TEST(out ==
             "\"TagId\";\"TagName\";\"TimeInt\";\"TimeStr\";\"IsInitValue\";\"Value\";\"IQuality\"\r\n"
             "1;\"Temperature\";" + std::to_string(kNow - 30) + ";\"T" + std::to_string(kNow - 30) + "\";0;21.5;3\r\n");
}

BOOST_AUTO_TEST_CASE(event_log_and_empty_alarm_tables) {
  auto ev = render_export(parse("$dtEV"), export_sample());
  BOOST_TEST(ev.find(";3;\"logger ready\"\r\n") != std::string::npos);
  auto ar = render_export(parse("$dtAR $ftT"), export_sample());
  BOOST_TEST(ar.rfind("\"AlarmId\";", 0) == 0u);
  BOOST_TEST(std::count(ar.begin(), ar.end(), '\n') == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(usr_paths)

BOOST_AUTO_TEST_CASE(every_spelling_of_a_usr_file_lands_in_the_usr_folder) {
  testing::TempDir dir;
  const auto root = std::filesystem::weakly_canonical(dir.path()).string();
  for (const char* spec : {"file:/usr/a.txt", "/usr/a.txt", "usr/a.txt", "/a.txt", "a.txt"}) {
    auto p = resolve_usr_path(dir.path().string(), spec);
    BOOST_TEST(p.error.empty(), spec << ": " << p.error);
    BOOST_TEST(p.path == root + "/a.txt", spec);
  }
}

BOOST_AUTO_TEST_CASE(paths_outside_usr_are_refused) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "usr");
  std::filesystem::create_directory_symlink(dir.path(), dir.path() / "usr" / "up");
  const auto usr = (dir.path() / "usr").string();
  for (const char* spec : {"file:/sys/config.txt", "file:/x.txt", "../x.txt", "/usr/a/../../x.txt", "file:/usr/", "up/x.txt", ""}) {
    BOOST_TEST(!resolve_usr_path(usr, spec).error.empty(), spec);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(system_config)

BOOST_AUTO_TEST_CASE(edits_apply_on_save_persist_on_cfgsave_and_reboot_restores_the_saved_record) {
  FlexyConfig c;
  c.device_name = "Flexy205";
  SystemConfig sys(c);
  BOOST_TEST(std::get<std::string>(*sys.field("identification")) == "Flexy205");
  BOOST_TEST(!sys.field("NoSuchField"));
  BOOST_TEST(sys.set_field("NoSuchField", basic::Value{1}).error == 10);
  BOOST_TEST(sys.set_field("PrgAutorun", basic::Value{std::string("x")}).error == 3);
  BOOST_TEST(sys.set_field("Identification", basic::Value{std::string("Line3")}).error == 0);
  BOOST_TEST(sys.save() == std::vector<std::string>{"Identification"});
  BOOST_TEST(sys.set_field("Information", basic::Value{std::string("later")}).error == 0);
  BOOST_TEST(sys.set_field("SAVE", basic::Value{0}).error == 0);
  BOOST_TEST(std::get<std::string>(*sys.field("Information")) == "later");
  sys.reboot();
  BOOST_TEST(std::get<std::string>(*sys.field("Information")).empty());
  BOOST_TEST(std::get<std::string>(*sys.field("Identification")) == "Line3");
}

BOOST_AUTO_TEST_CASE(the_mail_and_ftp_servers_are_sys_fields_the_actions_see_once_saved) {
  FlexyConfig c;
  c.servers.smtp_server = "mail.example.com";
  c.servers.ftp_port = 2121;
  SystemConfig sys(c);
  BOOST_TEST(std::get<std::string>(*sys.field("SmtpServerAddr")) == "mail.example.com");
  BOOST_TEST(std::get<std::int32_t>(*sys.field("FtpServerPort")) == 2121);
  BOOST_TEST(sys.servers().smtp_server == "mail.example.com");
  BOOST_TEST(sys.set_field("SmtpServerAddr", basic::Value{std::string("other.example.com")}).error == 0);
  BOOST_TEST(sys.servers().smtp_server == "mail.example.com");  // an edit in progress is not applied
  BOOST_TEST(sys.set_field("SmtpServerPort", basic::Value{587.0}).error == 0);
  BOOST_TEST(sys.set_field("SAVE", basic::Value{0}).error == 0);
  BOOST_TEST(sys.servers().smtp_server == "other.example.com");
  BOOST_TEST(sys.servers().smtp_port == 587);
  BOOST_TEST(sys.servers().ftp_port == 2121);
  BOOST_TEST(sys.set_field("FtpDir", basic::Value{1}).error == 3);  // a text field stays text
}

BOOST_AUTO_TEST_CASE(history_keeps_the_last_points_per_tag_in_time_order) {
  TagHistory h(2);
  h.record(1, 10, basic::Value{1});
  h.record(2, 11, basic::Value{2});
  h.record(1, 12, basic::Value{3});
  h.record(1, 13, basic::Value{4});
  BOOST_TEST(h.size(1) == 2u);
  auto all = h.chronological();
  BOOST_REQUIRE(all.size() == 3u);
  BOOST_TEST(all[0].time == 11);
  BOOST_TEST(all[1].time == 12);
  BOOST_TEST(all[2].time == 13);
}

BOOST_AUTO_TEST_SUITE_END()
