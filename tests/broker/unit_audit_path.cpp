// Both ends of the audit stream on real files and FIFOs: the plugin's AuditLog (numbering, one
// line per event, audit_end, write failures on /dev/full, a full FIFO never blocking it) and the
// launcher's AuditTailer (whole lines only, in order, a partial line held until its newline).
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "broker/audit_tailer.hpp"
#include "broker/plugin/audit_log.hpp"
#include "common/capture_accountant.hpp"
#include "common/clock.hpp"
#include "tests/support/temp_dir.hpp"

using namespace flexhil;
using flexhil::broker::AuditTailer;
using flexhil::broker::plugin::AuditLog;

namespace {
// <dir>/audit.pipe, as HubProcess makes it.
std::string make_fifo(const testing::TempDir& dir) {
  const auto path = dir.file("audit.pipe");
  BOOST_REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  return path;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(audit_path)

BOOST_AUTO_TEST_CASE(audit_log_numbers_its_events_and_ends_with_audit_end) {
  testing::TempDir dir;
  const auto path = dir.file("audit.jsonl");
  {
    AuditLog log(path, "hub#1");
    for (int i = 0; i < 3; ++i) log.write(make_event("publish"));
    BOOST_TEST(log.last_seq() == 3u);
    BOOST_TEST(log.write_failures() == 0u);
  }
  const auto events = read_capture(path);
  BOOST_REQUIRE(events.size() == 4u);
  CaptureAccountant a;
  for (const auto& e : events) {
    BOOST_TEST(e["src"] == "hub#1");
    BOOST_TEST(a.observe_event(e).empty());
  }
  BOOST_TEST(events[3]["kind"] == "audit_end");
  BOOST_TEST(events[3]["last_seq"] == 4);
  BOOST_TEST(events[3]["write_failures"] == 0);
}

BOOST_AUTO_TEST_CASE(audit_log_counts_failed_writes_and_spends_their_seq) {
  AuditLog log("/dev/full", "hub#1");
  log.write(make_event("publish"));
  log.write(make_event("publish"));
  log.flush();
  BOOST_TEST(log.write_failures() == 2u);  // every line of the lost write
  BOOST_TEST(log.last_seq() == 2u);
  BOOST_TEST(log.last_errno() == ENOSPC);
}

// The plugin flushes on mosquitto's tick: lines wait until then (or until 64 KiB have gathered),
// and come out whole and in order.
BOOST_AUTO_TEST_CASE(audit_lines_are_written_at_flush_or_when_64_kib_have_gathered) {
  testing::TempDir dir;
  const auto path = dir.file("audit.jsonl");
  AuditLog log(path, "hub#1");
  log.write(make_event("publish"));
  log.write(make_event("publish"));
  BOOST_TEST(std::filesystem::file_size(path) == 0u);
  log.flush();
  BOOST_TEST(read_capture(path).size() == 2u);
  Json big = make_event("publish");
  big["payload_b64"] = std::string(70 * 1024, 'A');
  log.write(big);  // over 64 KiB at once: written without waiting for the tick
  const auto events = read_capture(path);
  BOOST_REQUIRE(events.size() == 3u);
  for (std::size_t i = 0; i < events.size(); ++i) BOOST_TEST(events[i]["src_seq"] == i + 1);
}

BOOST_AUTO_TEST_CASE(audit_lines_wait_for_the_flush_delay_counted_from_the_oldest_line) {
  testing::TempDir dir;
  const auto path = dir.file("audit.jsonl");
  AuditLog log(path, "hub#1", 50);
  const auto t0 = flexhil::monotonic_ns();
  log.write(make_event("publish"));
  log.flush_if_due(t0);  // a tick right after the message: not yet
  BOOST_TEST(std::filesystem::file_size(path) == 0u);
  log.write(make_event("publish"));
  log.flush_if_due(t0 + 60'000'000);  // 60 ms after the first line: both go
  BOOST_TEST(read_capture(path).size() == 2u);
  log.flush_if_due(t0 + 120'000'000);  // nothing queued: nothing written
  BOOST_TEST(read_capture(path).size() == 2u);
  AuditLog every_tick(dir.file("b.jsonl"), "hub#2", 0);
  every_tick.write(make_event("publish"));
  every_tick.flush_if_due(flexhil::monotonic_ns());
  BOOST_TEST(read_capture(dir.file("b.jsonl")).size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_empty_stream_id_becomes_a_unique_one) {
  testing::TempDir dir;
  AuditLog a(dir.file("a.jsonl"), ""), b(dir.file("b.jsonl"), "");
  BOOST_TEST(a.stream().rfind("hub-", 0) == 0u);
  BOOST_TEST(a.stream() != b.stream());
}

BOOST_AUTO_TEST_CASE(the_tailer_hands_over_whole_lines_only_and_in_order) {
  testing::TempDir dir;
  const auto path = dir.file("audit.jsonl");
  std::mutex m;
  std::vector<std::string> lines;
  AuditTailer tailer(path, [&](const std::vector<std::string_view>& batch) {
    std::lock_guard lock(m);
    for (const auto l : batch) lines.emplace_back(l);
  });
  std::ofstream out(path, std::ios::app);
  out << "{\"a\":1}\n{\"b\":" << std::flush;
  tailer.drain();
  {
    std::lock_guard lock(m);
    BOOST_TEST(lines == (std::vector<std::string>{"{\"a\":1}"}));
  }
  out << "2}\n\n{\"c\":3}\n{\"d\":4}\n" << std::flush;  // an empty line is skipped
  tailer.drain();
  std::lock_guard lock(m);
  BOOST_TEST(lines == (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"}));
  BOOST_TEST(tailer.lines() == 4u);
  BOOST_TEST(tailer.backlog() == 0u);
}

// The hub's default transport: a reader that stops taking lines (the harness busy writing the
// capture) fills the pipe; the plugin's writes then return at once (mosquitto's loop never waits)
// and the lines wait in its queue, to go on later ticks and at its end. Nothing is lost.
BOOST_AUTO_TEST_CASE(through_a_fifo_a_reader_that_falls_behind_delays_lines_and_loses_none) {
  testing::TempDir dir;
  const auto path = make_fifo(dir);
  std::mutex m;
  std::condition_variable cv;
  bool reader_may_go = false;
  std::vector<std::string> lines;
  AuditTailer tailer(path, [&](const std::vector<std::string_view>& batch) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return reader_may_go; });  // held up in its first batch
    for (const auto l : batch) lines.emplace_back(l);
  });
  constexpr int kEvents = 30000;  // about 6 MB: several times what the pipe holds
  {
    AuditLog log(path, "hub#1");
    Json e = make_event("publish");
    e["payload_b64"] = std::string(100, 'A');
    for (int i = 0; i < kEvents; ++i) {
      log.write(e);
      if (i % 100 == 0) log.flush_if_due(flexhil::monotonic_ns());  // mosquitto's ticks
    }
    BOOST_TEST(log.write_failures() == 0u);
    BOOST_TEST(tailer.backlog() > 0u);  // the pipe is full of unread lines
    {
      std::lock_guard lock(m);
      reader_may_go = true;
    }
    cv.notify_all();
  }  // the broker's stop: the queue and audit_end written, waiting for the reader now
  tailer.drain();
  std::lock_guard lock(m);
  BOOST_REQUIRE(lines.size() == static_cast<std::size_t>(kEvents) + 1);
  CaptureAccountant a;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Json j = Json::parse(lines[i]);
    BOOST_REQUIRE(j["src_seq"] == i + 1);
    BOOST_REQUIRE(a.observe_event(j).empty());
  }
  const Json end = Json::parse(lines.back());
  BOOST_TEST(end["kind"] == "audit_end");
  BOOST_TEST(end["write_failures"] == 0);
  BOOST_TEST(tailer.backlog() == 0u);
}

// The tailer keeps a write end of its FIFO: the stream outlives a broker that stops (a restart
// writes on), and a reader with no broker sees an empty pipe, not an end of file.
BOOST_AUTO_TEST_CASE(a_fifo_stream_goes_on_across_two_writers) {
  testing::TempDir dir;
  const auto path = make_fifo(dir);
  std::mutex m;
  std::vector<std::string> srcs;
  AuditTailer tailer(path, [&](const std::vector<std::string_view>& batch) {
    std::lock_guard lock(m);
    for (const auto l : batch) srcs.push_back(Json::parse(l)["src"].get<std::string>());
  });
  for (const char* stream : {"hub#1", "hub#2"}) {
    AuditLog log(path, stream);
    log.write(make_event("publish"));
  }
  tailer.drain();
  std::lock_guard lock(m);
  BOOST_TEST(srcs == (std::vector<std::string>{"hub#1", "hub#1", "hub#2", "hub#2"}));  // each with its audit_end
}

BOOST_AUTO_TEST_CASE(a_fifo_nobody_reads_is_refused_with_the_reason) {
  testing::TempDir dir;
  const auto path = make_fifo(dir);
  try {
    AuditLog log(path, "hub#1");
    BOOST_FAIL("opened a FIFO without a reader");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("has no reader") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
