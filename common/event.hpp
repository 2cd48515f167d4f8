#pragma once
// Events are the spine (docs/architecture.md): every component reports what it observed as one JSON
// object with a `kind`; a sink stamps it with `seq`, `mono_ns` and `wall` and the capture writer
// appends it to capture.jsonl (flushed per line) before any rule sees it.
//
// Kinds and their fields are listed in docs/events.md. Binary payloads travel as `payload_b64`,
// never re-encoded; secrets are redacted by the producer before an event is emitted.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace flexhil {

using Json = nlohmann::json;

// A new event of `kind`, stamped with the real monotonic and wall time of now.
Json make_event(std::string_view kind);

std::string base64_encode(std::string_view bytes);
// base64_encode(bytes) appended to `out` (the hub's audit line is built in place, once per message).
void append_base64(std::string& out, std::string_view bytes);
// nullopt-free: invalid characters are an error reported by returning false.
bool base64_decode(std::string_view text, std::string& out);

// An event read from JSON text (a line of the hub's audit file). Its value was parsed, and the
// text it came from may be kept instead of serialising the value again; or only its kind was
// read (the hub's publish lines, a hundred thousand a second under a flood: bench/README.md,
// hub_overhead) and the text is all there is — then it is one JSON object, checked valid, that
// carries `mono_ns` and `wall` and no `seq`.
struct ReadEvent {
  std::optional<Json> value;  // nullopt: not parsed, see text and kind
  std::string_view text;      // the object's JSON text as read, or empty; valid during emit_batch only
  std::string_view kind;      // when value is nullopt
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Thread-safe. Adds `seq` (and `mono_ns`/`wall` when missing) and delivers the event.
  virtual void emit(Json event) = 0;
  // Events read together (one read of the audit file), delivered in order and with consecutive
  // seqs, as emit() one by one would (which is what this default does, parsing what is text).
  virtual void emit_batch(std::vector<ReadEvent> events);
};

// An event as a capture's listeners get it: its kind at once, its value on first use — parsed
// from the line just written when the event came as text, so a listener that looks at a
// publish's kind only (the run's Observer) costs no parse. Valid during the listener call only.
class CapturedEvent {
 public:
  explicit CapturedEvent(const Json& value);
  CapturedEvent(std::string_view line, std::string_view kind) : line_(line), kind_(kind) {}
  std::string_view kind() const noexcept { return kind_; }
  const Json& json() const;  // with its seq, as the capture has it

 private:
  const Json* value_ = nullptr;
  mutable std::optional<Json> parsed_;
  std::string_view line_;
  std::string_view kind_;
};

// Appends events to a JSON-lines file, one write(2) of whole lines per emit (or per batch), and
// forwards each to listeners afterwards (the capture is written first, so a crashing listener
// loses nothing). A failed write (full disk, EIO) is recorded: every event whose line was not
// written whole, and every later one, counts as lost (they still reach the listeners), and
// failure() says why, so a run can never end PASSED on a truncated capture. Listeners run in seq
// order, under the writer's lock: they must not emit.
//
// A batched event that arrives as text (or with the text it was parsed from, when it carries
// `mono_ns` and `wall` and no `seq`) is written as that text with `"seq":N` put in front, not
// serialised again. The text was checked valid JSON, so the line reads back as the value the
// listeners see.
class CaptureWriter final : public EventSink {
 public:
  using Listener = std::function<void(const CapturedEvent&)>;
  explicit CaptureWriter(const std::string& path);  // throws InfrastructureError
  ~CaptureWriter() override;
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;
  void emit(Json event) override;
  void emit_batch(std::vector<ReadEvent> events) override;
  void add_listener(Listener listener);
  std::uint64_t count() const;
  std::uint64_t lost() const;          // events not written since the first failure
  std::string failure() const;         // "" = every write succeeded; else strerror of the first failure
  const std::string& path() const noexcept { return path_; }

 private:
  // Appends a line to lines_ and its end to line_ends_ (mutex_ held, seq_ the event's): `text`
  // with the seq put in front when given, else `event` (stamped) dumped.
  void append_line(const Json* event, std::string_view text);
  std::string_view line(std::size_t i) const;  // line i of lines_, without its '\n'
  // Writes lines_ (unless an earlier write failed), counts the lines not written whole as lost.
  void write_lines();
  void clear_lines();

  mutable std::mutex mutex_;
  std::string path_;
  std::string lines_;                  // the lines of the emit in progress (capacity kept)
  std::vector<std::size_t> line_ends_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;
  std::uint64_t lost_ = 0;
  std::string failure_;
  std::vector<Listener> listeners_;
};

// Keeps events in memory (tests, offline validation).
class MemorySink final : public EventSink {
 public:
  void emit(Json event) override;
  std::vector<Json> events() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t seq_ = 0;
  std::vector<Json> events_;
};

struct CaptureRead {
  std::vector<Json> events;  // in file (= seq) order
  int truncated_line = 0;    // line number of an unfinished last event (cut off mid-write), or 0
};

// Reads a capture.jsonl back. Throws ConfigError (file:line:col, exit 2) for a missing file, a
// directory, an empty capture, and a line that is not one JSON object within the bounds of
// common/json_read.hpp (nesting, number range). An unparsable last line WITHOUT a newline is an
// event cut off mid-write: it is dropped and reported in truncated_line instead.
CaptureRead read_capture_file(const std::string& path);
// The events of read_capture_file().
std::vector<Json> read_capture(const std::string& path);

}  // namespace flexhil
