#include "sim/flexy/basic/file_table.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/limits.hpp"
#include "sim/flexy/basic/values.hpp"

namespace flexhil::basic {

namespace {

constexpr std::size_t kChunk = 4096;

[[noreturn]] void raise(int code, const std::string& message) { throw RuntimeError(code, message); }

void check(const HostResult& r, const std::string& what) {
  if (r.error != 0) raise(r.error, what + ": " + (r.message.empty() ? "failed" : r.message));
}

// A field of a text file as GET returns it: what reads as a whole integer or real is a number.
Value field_value(const std::string& text) {
  if (text.empty()) return std::string{};
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(begin, &end, 10);
  if (*end == '\0' && errno == 0 && !std::isspace(static_cast<unsigned char>(text[0])) &&
      n >= std::numeric_limits<std::int32_t>::min() && n <= std::numeric_limits<std::int32_t>::max()) {
    return static_cast<std::int32_t>(n);
  }
  const double d = std::strtod(begin, &end);
  if (*end == '\0' && !std::isspace(static_cast<unsigned char>(text[0]))) return d;
  return text;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';  // a quote inside is doubled (our choice; README.md)
    out += c;
  }
  return out + '"';
}

}  // namespace

UsrRelativePath usr_relative_path(std::string_view spec) {
  std::string p(spec);
  const std::string quoted_spec = "\"" + p + "\"";
  for (const char* stream : {"tcp:", "udp:", "com:"}) {
    if (p.rfind(stream, 0) == 0) return {{}, quoted_spec + ": serial and TCP/UDP streams are not emulated"};
  }
  if (p.rfind("file:", 0) == 0) {
    p = p.substr(5);
    // "file:" names a Flexy path: only /usr is served (RG-0006 also allows /sys; the emulator has none).
    if (p.rfind("/usr/", 0) != 0 && p.rfind("usr/", 0) != 0) return {{}, quoted_spec + " is outside /usr"};
  }
  if (p.rfind("/usr/", 0) == 0) p = p.substr(5);
  else if (p.rfind("usr/", 0) == 0) p = p.substr(4);
  while (!p.empty() && p.front() == '/') p.erase(p.begin());  // old syntax: "/x.txt" is /usr/x.txt
  if (p.empty() || p.back() == '/') return {{}, "no file name in " + quoted_spec};
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t slash = p.find('/', start);
    const std::string_view part = std::string_view(p).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return {{}, quoted_spec + " leaves /usr (..)"};
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return {p, {}};
}

FileTable::File& FileTable::file(int number, const char* what) {
  if (number < 1 || number > kMaxFiles)
    raise(error_code::file_number, std::string(what) + " " + std::to_string(number) + ": file numbers are 1 to 8");
  auto& f = files_[static_cast<std::size_t>(number - 1)];
  if (!f) raise(error_code::file_number, std::string(what) + " " + std::to_string(number) + ": file not open");
  return *f;
}

void FileTable::open(Host& host, int number, const std::string& spec, bool binary, Host::FileMode mode) {
  if (number < 1 || number > kMaxFiles)
    raise(error_code::file_number, "OPEN \"" + spec + "\" AS " + std::to_string(number) + ": file numbers are 1 to 8");
  auto& slot = files_[static_cast<std::size_t>(number - 1)];
  if (slot) raise(error_code::file_number, "OPEN \"" + spec + "\" AS " + std::to_string(number) + ": file " +
                                               std::to_string(number) + " is already open (CLOSE it first)");
  check(host.open_file(number, spec, mode), "OPEN \"" + spec + "\"");
  File f;
  f.binary = binary;
  f.mode = mode;
  slot = std::move(f);
}

void FileTable::write(Host& host, int number, const std::string& bytes) {
  check(host.write_file(number, bytes), "PUT " + std::to_string(number));
}

void FileTable::put(Host& host, int number, const std::vector<Value>& items, bool continued, const NumberFormat& format) {
  File& f = file(number, "PUT");
  if (f.mode == Host::FileMode::input)
    raise(error_code::file_mode, "PUT " + std::to_string(number) + ": the file is open for INPUT");
  std::string out;
  if (f.binary) {
    for (const auto& v : items) out += format_number(v, format);
  } else {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0 || f.continued) out += ';';
      out += is_string(items[i]) ? quoted(std::get<std::string>(items[i])) : format_number(items[i], format);
    }
    if (!continued) out += "\r\n";
    f.continued = continued;
  }
  write(host, number, out);
}

void FileTable::print(Host& host, int number, const std::string& text, bool continued) {
  File& f = file(number, "PRINT #");
  if (f.mode == Host::FileMode::input)
    raise(error_code::file_mode, "PRINT #" + std::to_string(number) + ": the file is open for INPUT");
  write(host, number, continued ? text : text + "\r\n");
}

int FileTable::peek(Host& host, int number, File& f) {
  if (f.pos < f.buffer.size()) return static_cast<unsigned char>(f.buffer[f.pos]);
  if (f.host_at_end) return -1;
  f.buffer.clear();
  f.pos = 0;
  HostResult r = host.read_file(number, kChunk);
  check(r, "GET " + std::to_string(number));
  const auto* bytes = std::get_if<std::string>(&r.value);
  if (!bytes || bytes->empty()) {
    f.host_at_end = true;
    return -1;
  }
  f.buffer = *bytes;
  return static_cast<unsigned char>(f.buffer[0]);
}

std::string FileTable::read_raw(Host& host, int number, File& f, std::size_t count) {
  std::string out;
  while (out.size() < count && peek(host, number, f) >= 0) {
    const std::size_t n = std::min(count - out.size(), f.buffer.size() - f.pos);
    out.append(f.buffer, f.pos, n);
    f.pos += n;
  }
  return out;
}

Value FileTable::read_field(Host& host, int number, File& f) {
  std::string text;
  int c = peek(host, number, f);
  if (c < 0) return std::string{};
  bool was_quoted = false;
  if (c == '"') {
    was_quoted = true;
    ++f.pos;
    while ((c = peek(host, number, f)) >= 0) {
      ++f.pos;
      if (c == '"') {
        if (peek(host, number, f) != '"') break;
        ++f.pos;  // "" inside quotes: one quote
      }
      text += static_cast<char>(c);
      check_string_length(text.size());
    }
  }
  // Up to the separator: `;` ends a field, CR LF (or a lone LF) a record.
  while ((c = peek(host, number, f)) >= 0 && c != ';' && c != '\r' && c != '\n') {
    ++f.pos;
    if (!was_quoted) {
      text += static_cast<char>(c);
      check_string_length(text.size());
    }
  }
  if (c == ';' || c == '\n') {
    ++f.pos;
  } else if (c == '\r') {
    ++f.pos;
    if (peek(host, number, f) == '\n') ++f.pos;
  }
  if (was_quoted) return text;
  return field_value(text);
}

Value FileTable::get(Host& host, int number, std::optional<int> count) {
  File& f = file(number, "GET");
  if (f.mode != Host::FileMode::input)
    raise(error_code::file_mode, "GET " + std::to_string(number) + ": the file is open for OUTPUT/APPEND");
  if (count) {
    if (*count < 0) raise(error_code::invalid_parameter, "GET " + std::to_string(number) + ": negative byte count");
    check_string_length(static_cast<std::size_t>(*count));
    return read_raw(host, number, f, static_cast<std::size_t>(*count));
  }
  if (f.binary) return read_raw(host, number, f, limits::max_string_length);
  return read_field(host, number, f);
}

bool FileTable::eof(Host& host, int number) {
  File& f = file(number, "EOF");
  if (f.mode != Host::FileMode::input) return true;
  return peek(host, number, f) < 0;
}

void FileTable::close(Host& host, int number) {
  file(number, "CLOSE");
  files_[static_cast<std::size_t>(number - 1)].reset();
  host.close_file(number);
}

void FileTable::close_all(Host& host) {
  for (int n = 1; n <= kMaxFiles; ++n) {
    if (files_[static_cast<std::size_t>(n - 1)]) close(host, n);
  }
}

}  // namespace flexhil::basic
