#include "common/event.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "common/json_read.hpp"

namespace flexhil {

Json make_event(std::string_view kind) {
  Json e = Json::object();
  e["kind"] = std::string(kind);
  e["mono_ns"] = monotonic_ns();
  e["wall"] = format_wall_iso(std::chrono::system_clock::now());
  return e;
}

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void stamp(Json& event, std::uint64_t seq) {
  event["seq"] = seq;
  if (!event.contains("mono_ns")) event["mono_ns"] = monotonic_ns();
  if (!event.contains("wall")) event["wall"] = format_wall_iso(std::chrono::system_clock::now());
}
}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  // Sized once and written by index: appending a character at a time cost the broker 4 % of
  // its time under a flood (bench/README.md, hub_overhead).
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* o = out.data() + start;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                   (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = kAlphabet[(n >> 6) & 63];
    *o++ = kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = (i + 1 < bytes.size()) ? kAlphabet[(n >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) value[std::uint8_t(kAlphabet[i])] = int(i);
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;  // data after padding
    const int v = value[std::uint8_t(c)];
    if (v < 0) return false;
    acc = (acc << 6) | std::uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return padding <= 2 && (text.size() % 4 == 0 || padding == 0);
}

CaptureWriter::CaptureWriter(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ >= 0) return;
  const std::error_code ec(errno, std::generic_category());
  // A path the user got wrong (--out under a regular file, a name too long) is their input error.
  if (is_input_path_error(ec)) throw ConfigError({path}, "cannot open the capture file for writing: " + ec.message());
  throw InfrastructureError("cannot open capture file " + path + " for writing: " + ec.message());
}

CaptureWriter::~CaptureWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void EventSink::emit_batch(std::vector<ReadEvent> events) {
  for (auto& r : events) emit(r.value ? std::move(*r.value) : parse_json_or_discarded(r.text));
}

namespace {
const std::string& kind_of(const Json& value) {
  static const std::string none;
  if (!value.is_object()) return none;
  const auto it = value.find("kind");
  return it != value.end() && it->is_string() ? it->get_ref<const std::string&>() : none;
}

// The text can be written for the parsed event when stamping adds nothing but the seq in front.
bool text_stands_for(const Json& event, std::string_view text) {
  return text.size() > 2 && text.front() == '{' && event.contains("mono_ns") && event.contains("wall") &&
         !event.contains("seq");
}
}  // namespace

CapturedEvent::CapturedEvent(const Json& value) : value_(&value), kind_(kind_of(value)) {}

const Json& CapturedEvent::json() const {
  if (value_) return *value_;
  if (!parsed_) parsed_ = parse_json_or_discarded(line_);
  return *parsed_;
}

void CaptureWriter::append_line(const Json* event, std::string_view text) {
  if (!text.empty()) {
    lines_ += "{\"seq\":";
    lines_ += std::to_string(seq_);
    lines_ += ',';
    lines_.append(text.substr(1));
  } else {
    lines_ += event->dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  lines_ += '\n';
  line_ends_.push_back(lines_.size());
}

std::string_view CaptureWriter::line(std::size_t i) const {
  const std::size_t begin = i == 0 ? 0 : line_ends_[i - 1];
  return std::string_view(lines_).substr(begin, line_ends_[i] - 1 - begin);
}

void CaptureWriter::write_lines() {
  std::size_t done = 0;
  if (failure_.empty()) {
    while (done < lines_.size()) {
      const ssize_t n = ::write(fd_, lines_.data() + done, lines_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failure_ = std::strerror(n < 0 ? errno : ENOSPC);
        break;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  // A line cut by the failure is lost too, and so is every line after the first failure.
  for (const auto end : line_ends_)
    if (end > done) ++lost_;
}

void CaptureWriter::clear_lines() {
  lines_.clear();
  line_ends_.clear();
}

void CaptureWriter::emit(Json event) {
  std::lock_guard lock(mutex_);
  stamp(event, ++seq_);
  append_line(&event, {});
  write_lines();
  clear_lines();
  // Under the lock, so every listener sees events in seq order: two emitters racing past an
  // unlocked hand-off could deliver seq 8 before seq 7, and the live verdict (built from the
  // listener) would differ from the offline one (built from the file).
  const CapturedEvent captured(event);
  for (const auto& l : listeners_) l(captured);
}

void CaptureWriter::emit_batch(std::vector<ReadEvent> events) {
  std::lock_guard lock(mutex_);
  for (auto& r : events) {
    ++seq_;
    if (!r.value) {
      append_line(nullptr, r.text);
      continue;
    }
    const bool keep_text = text_stands_for(*r.value, r.text);
    stamp(*r.value, seq_);
    append_line(&*r.value, keep_text ? r.text : std::string_view{});
  }
  write_lines();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& r = events[i];
    const CapturedEvent captured = r.value ? CapturedEvent(*r.value) : CapturedEvent(line(i), r.kind);
    for (const auto& l : listeners_) l(captured);
  }
  clear_lines();
}

void CaptureWriter::add_listener(Listener listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

std::uint64_t CaptureWriter::count() const {
  std::lock_guard lock(mutex_);
  return seq_;
}

std::uint64_t CaptureWriter::lost() const {
  std::lock_guard lock(mutex_);
  return lost_;
}

std::string CaptureWriter::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void MemorySink::emit(Json event) {
  std::lock_guard lock(mutex_);
  stamp(event, ++seq_);
  events_.push_back(std::move(event));
}

std::vector<Json> MemorySink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

CaptureRead read_capture_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw ConfigError({path, 0, 0}, "no such capture file");
  if (std::filesystem::is_directory(status))
    throw ConfigError({path, 0, 0}, "is a directory, not a capture file (give the run's capture.jsonl)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path, 0, 0}, "cannot open capture file");
  CaptureRead read;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const bool last_without_newline = in.eof();
    if (line.empty()) continue;
    auto r = read_json(line);
    if (!r.ok()) {
      // The writer ends every event with a newline: an unparsable last line without one is an
      // event cut off mid-write (a killed run), not a malformed capture.
      if (last_without_newline) {
        read.truncated_line = number;
        break;
      }
      throw ConfigError({path, number, static_cast<int>(r.error_offset) + 1}, "malformed event: " + r.error);
    }
    if (!r.value->is_object())
      throw ConfigError({path, number, 1}, std::string("malformed event: a JSON ") + r.value->type_name() +
                                               ", not an object");
    read.events.push_back(std::move(*r.value));
  }
  if (in.bad()) throw ConfigError({path, number, 0}, "cannot read capture file");
  if (read.events.empty() && !read.truncated_line)
    throw ConfigError({path, 0, 0}, "empty capture: no events (the run did not start?)");
  return read;
}

std::vector<Json> read_capture(const std::string& path) { return read_capture_file(path).events; }

}  // namespace flexhil
