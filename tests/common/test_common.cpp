#define BOOST_TEST_MODULE test_common
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include <thread>

#include "common/capture_accountant.hpp"
#include "common/clock.hpp"
#include "common/event.hpp"
#include "common/net.hpp"
#include "common/json_read.hpp"
#include "common/process.hpp"
#include "common/run_end_counts.hpp"
#include "common/toml_reader.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(toml_reader)

BOOST_AUTO_TEST_CASE(syntax_error_names_file_line_and_column) {
  try {
    parse_toml_string("a = 1\nb = = 2\n", "x.toml");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.where().file == "x.toml");
    BOOST_TEST(e.where().line == 2);
    BOOST_TEST(e.where().column > 0);
    BOOST_TEST(std::string(e.what()).rfind("x.toml:2:", 0) == 0);
  }
}

// Found by fuzz/targets/registry_loader.cpp: toml++ 3.3 reaches undefined behaviour on these.
BOOST_AUTO_TEST_CASE(non_ascii_outside_strings_is_a_config_error_at_its_position) {
  const auto position_of_error = [](const std::string& text) -> std::pair<int, int> {
    try {
      parse_toml_string(text, "r.toml");
    } catch (const ConfigError& e) {
      BOOST_TEST(e.message().find("non-ASCII") != std::string::npos);
      return {e.where().line, e.where().column};
    }
    return {0, 0};
  };
  BOOST_TEST((position_of_error("hub = 1\n\xc3\xa9t\xc3\xa9 = 2\n") == std::pair{2, 1}));
  BOOST_TEST((position_of_error("hub \xc8\x8b = 1\n") == std::pair{1, 5}));
  BOOST_TEST((position_of_error("a = \"\xc3\xa9\" \xcc\xaa\n") == std::pair{1, 9}));
  BOOST_TEST((position_of_error("s = \"\"\"\\\n\xc2\xa7\"\"\"\n") == std::pair{2, 1}));
  BOOST_TEST((position_of_error("k = \"\"\"a\\\xc9\xa9\"\"\"\n") == std::pair{1, 10}));
  // After '.' a quote opens a string only inside a key (`9.'''é'''` is a bare value to toml++).
  BOOST_TEST((position_of_error("hub =9.'''\xc5\x89'''\n") == std::pair{1, 11}));
  BOOST_TEST((position_of_error("name = -.'\xc5\x89'\n") == std::pair{1, 11}));
  BOOST_TEST((position_of_error("n = 6E=\"\"\"\xc6\xa2\"\"\"\n") == std::pair{1, 11}));
  BOOST_TEST((position_of_error("k = \"\"\"a\\ \xef\xbb\xa8\"\"\"\n") == std::pair{1, 11}));
  // A quote inside a bare value opens no string for toml++ (which then classifies the 'é').
  BOOST_TEST((position_of_error("auth = 5\"x\xc3\xa9\"\n") == std::pair{1, 11}));
}

BOOST_AUTO_TEST_CASE(non_ascii_in_strings_and_comments_is_still_read) {
  const auto doc = parse_toml_string(
      "\xef\xbb\xbf# Temp\xc3\xa9rature\n"
      "a = \"Temp\xc3\xa9rature\"\n"
      "\"cl\xc3\xa9\" = '\xc3\xa9'\n"
      "m = \"\"\"\nl\xc3\xa9\\\n  x\"\"\"\"\n"
      "n = '''\xc3\xa9'''\n"
      "k.\"cl\xc3\xa9\".z = [\n  \"\xc3\xa9\",\n  { q.'\xc3\xa9' = 1.5, r = \"\xc3\xa9\" },\n]\n"
      "[t.\"\xc3\xa9\"]\n",
      "s.toml");
  BOOST_TEST(doc["a"].value_or(std::string()) == "Temp\xc3\xa9rature");
  BOOST_TEST(doc["cl\xc3\xa9"].value_or(std::string()) == "\xc3\xa9");
  BOOST_TEST(doc["m"].value_or(std::string()) == "l\xc3\xa9x\"");
  BOOST_TEST(doc["n"].value_or(std::string()) == "\xc3\xa9");
  BOOST_TEST(doc["k"]["cl\xc3\xa9"]["z"][0].value_or(std::string()) == "\xc3\xa9");
  BOOST_TEST(doc["t"]["\xc3\xa9"].is_table());
}

BOOST_AUTO_TEST_CASE(unknown_key_lists_the_valid_ones_with_position) {
  auto doc = parse_toml_string("name = \"a\"\nnmae = \"b\"\n", "s.toml");
  TomlTable t(doc, "s.toml");
  BOOST_TEST(t.required_string("name") == "a");
  t.integer("port", 1, 65535);
  try {
    t.finish();
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.where().line == 2);
    BOOST_TEST(e.message().find("unknown key 'nmae'") != std::string::npos);
    BOOST_TEST(e.message().find("name, port") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(wrong_type_and_out_of_range_are_errors) {
  auto doc = parse_toml_string("port = \"x\"\nscale = 5000\nwave = \"sinus\"\n", "s.toml");
  TomlTable t(doc, "s.toml");
  BOOST_CHECK_THROW(t.integer("port", 1, 65535), ConfigError);
  BOOST_CHECK_THROW(t.number("scale", 0.1, 1000), ConfigError);
  try {
    t.choice("wave", {"constant", "sine"}, "constant");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.where().line == 3);
    BOOST_TEST(e.message().find("expected one of: constant, sine") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(durations_accept_units_and_plain_seconds) {
  BOOST_TEST(*parse_duration_seconds("250ms") == 0.25);
  BOOST_TEST(*parse_duration_seconds("2s") == 2.0);
  BOOST_TEST(*parse_duration_seconds("1.5m") == 90.0);
  BOOST_TEST(*parse_duration_seconds("1h") == 3600.0);
  BOOST_TEST(*parse_duration_seconds("7") == 7.0);
  BOOST_TEST(!parse_duration_seconds("2 weeks"));
  BOOST_TEST(!parse_duration_seconds(""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(events)

BOOST_AUTO_TEST_CASE(base64_round_trips_binary) {
  const std::string bytes("\x00\xff{\"a\":1}\x80", 10);
  std::string back;
  BOOST_TEST(base64_decode(base64_encode(bytes), back));
  BOOST_TEST(back == bytes);
  BOOST_TEST(base64_encode("abc") == "YWJj");
  BOOST_TEST(base64_encode("ab") == "YWI=");
  BOOST_TEST(base64_encode("a") == "YQ==");
  BOOST_TEST(base64_encode("").empty());
  std::string line = "payload=";
  append_base64(line, "abcd");
  BOOST_TEST(line == "payload=YWJjZA==");
  BOOST_TEST(!base64_decode("YW*j", back));
}

BOOST_AUTO_TEST_CASE(capture_is_written_before_listeners_run) {
  testing::TempDir dir;
  const auto path = dir.file("capture.jsonl");
  CaptureWriter writer(path);
  std::size_t lines_seen_by_listener = 0;
  writer.add_listener([&](const CapturedEvent& e) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) ++lines_seen_by_listener;
    BOOST_TEST(e.json()["seq"].get<int>() == 1);
  });
  auto e = make_event("publish");
  e["topic"] = "devices/x/messages/events/";
  writer.emit(e);
  BOOST_TEST(lines_seen_by_listener == 1u);
  auto back = read_capture(path);
  BOOST_TEST(back.size() == 1u);
  BOOST_TEST(back[0]["kind"] == "publish");
  BOOST_TEST(back[0]["wall"].get<std::string>().back() == 'Z');
}

namespace {
std::vector<std::string> file_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

ReadEvent read_event(std::string_view text) { return {parse_json_or_discarded(text), text, {}}; }
}  // namespace

BOOST_AUTO_TEST_CASE(a_batch_is_written_whole_before_any_listener_and_read_texts_are_kept) {
  testing::TempDir dir;
  const auto path = dir.file("capture.jsonl");
  CaptureWriter writer(path);
  std::vector<std::size_t> lines_when_seen;
  std::vector<Json> seen;
  std::vector<std::string> kinds;
  writer.add_listener([&](const CapturedEvent& e) {
    lines_when_seen.push_back(file_lines(path).size());
    kinds.emplace_back(e.kind());
    seen.push_back(e.json());
  });
  writer.emit(make_event("run_start"));
  // As the hub's audit lines come: a number written "1.50" would be dumped as 1.5, so the line
  // shows whether the text was kept.
  const std::string kept_text = R"({"kind":"publish","mono_ns":5,"wall":"2026-12-04T10:00:00.000Z","n":1.50})";
  const std::string no_wall = R"({"kind":"publish","mono_ns":6,"n":2.50})";
  const std::string own_seq = R"({"kind":"publish","mono_ns":7,"wall":"2026-12-04T10:00:00.000Z","seq":99})";
  // Not parsed at all: its kind is all the writer is told.
  const std::string text_only = R"({"kind":"publish","mono_ns":8,"wall":"2026-12-04T10:00:00.000Z","n":3.50})";
  std::vector<ReadEvent> batch;
  batch.push_back(read_event(kept_text));
  batch.push_back({make_event("capture_gap"), {}, {}});
  batch.push_back(read_event(no_wall));
  batch.push_back(read_event(own_seq));
  batch.push_back({std::nullopt, text_only, "publish"});
  writer.emit_batch(std::move(batch));

  BOOST_TEST(lines_when_seen == (std::vector<std::size_t>{1, 6, 6, 6, 6, 6}));  // the batch: one write, then listeners
  BOOST_TEST(kinds == (std::vector<std::string>{"run_start", "publish", "capture_gap", "publish", "publish", "publish"}));
  const auto lines = file_lines(path);
  BOOST_REQUIRE(lines.size() == 6u);
  BOOST_TEST(lines[1] == R"({"seq":2,"kind":"publish","mono_ns":5,"wall":"2026-12-04T10:00:00.000Z","n":1.50})");
  // Stamping adds a wall, and a seq of its own replaces the text's: those are written anew.
  BOOST_TEST(lines[3].find("\"n\":2.5,") != std::string::npos);
  BOOST_TEST(lines[3].find("\"wall\":") != std::string::npos);
  BOOST_TEST(lines[4].find("\"seq\":5") != std::string::npos);
  BOOST_TEST(lines[4].find("99") == std::string::npos);
  BOOST_TEST(lines[5] == R"({"seq":6,"kind":"publish","mono_ns":8,"wall":"2026-12-04T10:00:00.000Z","n":3.50})");
  // The file reads back as what the listeners saw.
  const auto back = read_capture(path);
  BOOST_REQUIRE(back.size() == 6u);
  BOOST_REQUIRE(seen.size() == 6u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    BOOST_TEST(back[i] == seen[i]);
    BOOST_TEST(back[i]["seq"].get<std::uint64_t>() == i + 1);
  }
}

BOOST_AUTO_TEST_CASE(a_run_end_in_a_batch_carries_its_counts_in_the_file) {
  testing::TempDir dir;
  const auto path = dir.file("capture.jsonl");
  CaptureWriter writer(path);
  CountedCapture capture(writer);
  const std::string publish = R"({"kind":"publish","mono_ns":5,"wall":"2026-12-04T10:00:00.000Z"})";
  const std::string run_end = R"({"kind":"run_end","mono_ns":6,"wall":"2026-12-04T10:00:01.000Z"})";
  std::vector<ReadEvent> batch;
  batch.push_back(read_event(publish));
  batch.push_back({std::nullopt, publish, "publish"});
  batch.push_back(read_event(run_end));
  capture.emit_batch(std::move(batch));
  const auto back = read_capture(path);
  BOOST_REQUIRE(back.size() == 3u);
  BOOST_TEST(back[2]["counts"]["total"] == 2);
  BOOST_TEST(back[2]["counts"]["by_kind"]["publish"] == 2);
  BOOST_TEST(check_capture_counts(back).complete);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(clocks)

BOOST_AUTO_TEST_CASE(manual_clock_moves_only_when_told) {
  ManualClock c;
  const auto w0 = c.wall();
  c.advance(1500ms);
  BOOST_TEST(c.steady() == std::chrono::nanoseconds(1500ms));
  BOOST_TEST((c.wall() - w0) == std::chrono::system_clock::duration(1500ms));
}

BOOST_AUTO_TEST_CASE(scaled_clock_converts_scenario_to_real_durations) {
  ScaledClock c(10.0);
  BOOST_TEST(c.to_real(20s) == std::chrono::nanoseconds(2s));
  BOOST_TEST(format_wall_iso(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00.000000Z");
  BOOST_TEST(format_wall_iso(std::chrono::system_clock::time_point{std::chrono::microseconds{1'796'237'427'123'456}}) ==
             "2026-12-02T18:50:27.123456Z");
  BOOST_TEST(format_wall_iso(std::chrono::system_clock::time_point{std::chrono::microseconds{-1}}) ==
             "1969-12-31T23:59:59.999999Z");
}

BOOST_AUTO_TEST_CASE(scaled_clock_runs_steady_and_wall_time_faster) {
  // Bracketing the clock's reading between two real readings: scenario time elapsed must be
  // `scale` times the real time elapsed, whatever the machine's load (no fixed sleep needed).
  const double scale = 50.0;
  const auto real0 = std::chrono::steady_clock::now();
  ScaledClock c(scale);
  const auto wall0 = c.wall();
  const auto real1 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - real1 < 20ms) {
  }
  const auto real2 = std::chrono::steady_clock::now();
  const auto steady = c.steady();
  const auto wall = c.wall();
  const auto real3 = std::chrono::steady_clock::now();
  const auto lower = std::chrono::duration<double>(real2 - real1).count() * scale;
  const auto upper = std::chrono::duration<double>(real3 - real0).count() * scale;
  const auto got = std::chrono::duration<double>(steady).count();
  BOOST_TEST(got >= lower);
  BOOST_TEST(got <= upper);
  const auto wall_elapsed = std::chrono::duration<double>(wall - wall0).count();
  BOOST_TEST(wall_elapsed >= lower);
  BOOST_TEST(wall_elapsed <= upper);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(processes)

BOOST_AUTO_TEST_CASE(child_is_stopped_by_pid_and_reports_its_status) {
  auto child = ChildProcess::spawn(std::vector<std::string>{"sleep", "30"});
  BOOST_TEST(child.running());
  const int status = child.stop(1000ms);
  BOOST_TEST(status == 128 + SIGTERM);
}

BOOST_AUTO_TEST_CASE(exit_code_and_output_redirection) {
  testing::TempDir dir;
  ChildProcess::Options o;
  o.argv = {"sh", "-c", "echo hello; exit 7"};
  o.stdout_path = dir.file("out.txt");
  auto child = ChildProcess::spawn(o);
  BOOST_TEST(child.wait_for(5000ms).value_or(-1) == 7);
  std::ifstream in(dir.file("out.txt"));
  std::string line;
  std::getline(in, line);
  BOOST_TEST(line == "hello");
}

BOOST_AUTO_TEST_CASE(missing_program_is_an_infrastructure_error) {
  BOOST_CHECK_THROW(ChildProcess::spawn(std::vector<std::string>{"no-such-program-flexhil"}), InfrastructureError);
}

BOOST_AUTO_TEST_CASE(port_readiness_is_detected_without_sleeping) {
  const auto port = pick_free_port();
  BOOST_TEST(!wait_for_tcp_port("127.0.0.1", port, 50ms));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  ::listen(fd, 4);
  BOOST_TEST(wait_for_tcp_port("127.0.0.1", port, 2000ms));
  ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(capture_writer_failures)

BOOST_AUTO_TEST_CASE(a_write_to_a_full_device_is_recorded_and_later_events_count_as_lost) {
  // /dev/full accepts open() and fails every write with ENOSPC, like a full disk.
  CaptureWriter writer("/dev/full");
  std::vector<std::uint64_t> delivered;
  writer.add_listener([&](const CapturedEvent& e) { delivered.push_back(e.json()["seq"].get<std::uint64_t>()); });
  for (int i = 0; i < 3; ++i) writer.emit(make_event("publish"));
  BOOST_TEST(writer.failure() == std::string("No space left on device"));
  BOOST_TEST(writer.lost() == 3u);
  BOOST_TEST(writer.count() == 3u);
  // Listeners still see everything (the live verdict is built from them); the run is exit 3.
  BOOST_TEST(delivered == (std::vector<std::uint64_t>{1, 2, 3}));
  std::vector<ReadEvent> batch(2);
  batch[0].value = make_event("publish");
  batch[1].value = make_event("publish");
  writer.emit_batch(std::move(batch));
  BOOST_TEST(writer.lost() == 5u);
  BOOST_TEST(delivered.back() == 5u);
}

BOOST_AUTO_TEST_CASE(a_writable_capture_reports_no_failure) {
  testing::TempDir dir;
  CaptureWriter writer(dir.file("capture.jsonl"));
  writer.emit(make_event("publish"));
  BOOST_TEST(writer.failure().empty());
  BOOST_TEST(writer.lost() == 0u);
}

BOOST_AUTO_TEST_CASE(listeners_see_events_in_seq_order_under_concurrent_emitters) {
  testing::TempDir dir;
  CaptureWriter writer(dir.file("capture.jsonl"));
  std::vector<std::uint64_t> seen;  // only touched by the listener, which runs under the writer's lock
  writer.add_listener([&](const CapturedEvent& e) {
    seen.push_back(e.json()["seq"].get<std::uint64_t>());
    std::this_thread::yield();  // widen the window an unlocked hand-off would have
  });
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) writer.emit(make_event("publish"));
    });
  for (auto& t : threads) t.join();
  BOOST_REQUIRE(seen.size() == static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 0; i < seen.size(); ++i) BOOST_REQUIRE(seen[i] == i + 1);
  const auto back = read_capture(dir.file("capture.jsonl"));
  BOOST_REQUIRE(back.size() == seen.size());
  for (std::size_t i = 0; i < back.size(); ++i) BOOST_REQUIRE(back[i]["seq"].get<std::uint64_t>() == i + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(capture_accountant)

BOOST_AUTO_TEST_CASE(a_contiguous_stream_has_no_gap) {
  CaptureAccountant a;
  for (std::uint64_t s = 1; s <= 100; ++s) BOOST_TEST(!a.observe("hub#1", s).has_value());
  BOOST_TEST(a.received("hub#1") == 100u);
  BOOST_TEST(a.missing() == 0u);
  BOOST_TEST(!a.end("hub#1", 100).has_value());
}

BOOST_AUTO_TEST_CASE(a_jump_is_a_gap_with_what_was_expected_and_what_came) {
  CaptureAccountant a;
  a.observe("hub#1", 1);
  a.observe("hub#1", 2);
  const auto g = a.observe("hub#1", 6);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->src == "hub#1");
  BOOST_TEST(g->expected == 3u);
  BOOST_TEST(g->got == 6u);
  BOOST_TEST(g->missing == 3u);
  BOOST_TEST(g->reason == "gap");
  BOOST_TEST(!a.observe("hub#1", 7).has_value());  // back in step after the gap
  BOOST_TEST(a.missing() == 3u);
}

BOOST_AUTO_TEST_CASE(a_stream_must_start_at_one) {
  CaptureAccountant a;
  const auto g = a.observe("hub#1", 4);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->expected == 1u);
  BOOST_TEST(g->missing == 3u);
}

BOOST_AUTO_TEST_CASE(a_restarted_broker_is_a_new_stream_from_one) {
  CaptureAccountant a;
  for (std::uint64_t s = 1; s <= 3; ++s) a.observe("hub#1", s);
  BOOST_TEST(!a.observe("hub#2", 1).has_value());
  BOOST_TEST(!a.observe("hub#2", 2).has_value());
  BOOST_TEST(a.streams() == 2u);
  // The same stream starting over is not a restart: a replayed line.
  const auto g = a.observe("hub#1", 1);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->reason == "repeated");
  BOOST_TEST(g->missing == 0u);
}

BOOST_AUTO_TEST_CASE(an_audit_end_not_reached_is_a_short_end) {
  CaptureAccountant a;
  a.observe("hub#1", 1);
  a.observe("hub#1", 2);
  const auto g = a.end("hub#1", 5);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->reason == "short-end");
  BOOST_TEST(g->expected == 3u);
  BOOST_TEST(g->missing == 3u);
}

BOOST_AUTO_TEST_CASE(events_are_read_from_their_src_fields_and_audit_end_closes_the_stream) {
  CaptureAccountant a;
  BOOST_TEST(a.observe_event(Json{{"kind", "run_start"}}).empty());  // not an audit event
  BOOST_TEST(a.observe_event(Json{{"kind", "connect"}, {"src", "s"}, {"src_seq", 1}}).empty());
  BOOST_TEST(a.observe_event(Json{{"kind", "audit_end"}, {"src", "s"}, {"src_seq", 2}, {"last_seq", 2}}).empty());
  const auto gaps = a.observe_event(Json{{"kind", "audit_end"}, {"src", "t"}, {"src_seq", 3}, {"last_seq", 3}});
  BOOST_REQUIRE(gaps.size() == 1u);
  BOOST_TEST(gaps[0].missing == 2u);
  const auto e = capture_gap_event(gaps[0]);
  BOOST_TEST(e["kind"] == "capture_gap");
  BOOST_TEST(e["src"] == "t");
  BOOST_TEST(e["expected"] == 1);
  BOOST_TEST(e["got"] == 3);
  BOOST_TEST(e["missing"] == 2);
}

BOOST_AUTO_TEST_SUITE_END()
