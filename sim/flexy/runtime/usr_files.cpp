#include "sim/flexy/runtime/usr_files.hpp"

#include <filesystem>
#include <system_error>

#include "sim/flexy/basic/errors.hpp"
#include "sim/flexy/basic/file_table.hpp"

namespace flexhil::flexy {

namespace fs = std::filesystem;
using basic::HostResult;
using basic::error_code::file_io;

UsrPath resolve_usr_path(const std::string& usr_dir, std::string_view spec) {
  const auto relative = basic::usr_relative_path(spec);
  if (!relative.error.empty()) return {{}, relative.error};
  const std::string& p = relative.path;
  const fs::path root = fs::weakly_canonical(fs::path(usr_dir));
  const fs::path full = fs::weakly_canonical(root / p);
  // A symbolic link inside the folder must not lead out of it either.
  const auto rel = full.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return {{}, "\"" + std::string(spec) + "\" leaves /usr"};
  return {full.string(), {}};
}

UsrFiles::Open* UsrFiles::find(int number) {
  if (number < 1 || number > 8 || !files_[static_cast<std::size_t>(number - 1)]) return nullptr;
  return &*files_[static_cast<std::size_t>(number - 1)];
}

HostResult UsrFiles::open(int number, std::string_view spec, basic::Host::FileMode mode) {
  if (number < 1 || number > 8) return HostResult::fail(basic::error_code::file_number, "file numbers are 1 to 8");
  const UsrPath where = resolve_usr_path(usr_dir_, spec);
  if (!where.error.empty()) return HostResult::fail(file_io, where.error);
  std::error_code ec;
  if (fs::is_directory(where.path, ec)) return HostResult::fail(file_io, "\"" + std::string(spec) + "\" is a folder");
  std::ios::openmode how = std::ios::binary;
  if (mode == basic::Host::FileMode::input) how |= std::ios::in;
  else if (mode == basic::Host::FileMode::output) how |= std::ios::out | std::ios::trunc;
  else how |= std::ios::out | std::ios::app;
  auto stream = std::make_unique<std::fstream>(where.path, how);
  if (!*stream) {
    return HostResult::fail(file_io, mode == basic::Host::FileMode::input ? "no such file in /usr" : "cannot create the file in /usr");
  }
  Open o;
  o.stream = std::move(stream);
  files_[static_cast<std::size_t>(number - 1)] = std::move(o);
  return HostResult::ok();
}

HostResult UsrFiles::open_text(int number, std::string text) {
  if (number < 1 || number > 8) return HostResult::fail(basic::error_code::file_number, "file numbers are 1 to 8");
  Open o;
  o.text = std::move(text);
  files_[static_cast<std::size_t>(number - 1)] = std::move(o);
  return HostResult::ok();
}

HostResult UsrFiles::write(int number, std::string_view bytes) {
  Open* o = find(number);
  if (!o) return HostResult::fail(basic::error_code::file_number, "file not open");
  if (!o->stream) return HostResult::fail(basic::error_code::file_mode, "an export is read only");
  o->stream->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  o->stream->flush();  // a program's log survives a harness that is killed
  if (!*o->stream) return HostResult::fail(file_io, "write failed (disk full?)");
  return HostResult::ok();
}

HostResult UsrFiles::read(int number, std::size_t max_bytes) {
  Open* o = find(number);
  if (!o) return HostResult::fail(basic::error_code::file_number, "file not open");
  if (!o->stream) {
    std::string out = o->pos < o->text.size() ? o->text.substr(o->pos, max_bytes) : std::string();
    o->pos += out.size();
    return HostResult::ok(std::move(out));
  }
  std::string out(max_bytes, '\0');
  o->stream->read(out.data(), static_cast<std::streamsize>(max_bytes));
  out.resize(static_cast<std::size_t>(o->stream->gcount()));
  if (o->stream->bad()) return HostResult::fail(file_io, "read failed");
  return HostResult::ok(std::move(out));
}

void UsrFiles::close(int number) {
  if (number >= 1 && number <= 8) files_[static_cast<std::size_t>(number - 1)].reset();
}

void UsrFiles::close_all() {
  for (auto& f : files_) f.reset();
}

HostResult UsrFiles::erase(std::string_view spec) {
  const UsrPath where = resolve_usr_path(usr_dir_, spec);
  if (!where.error.empty()) return HostResult::fail(file_io, where.error);
  std::error_code ec;
  if (fs::is_directory(where.path, ec)) return HostResult::fail(file_io, "\"" + std::string(spec) + "\" is a folder");
  if (!fs::remove(where.path, ec)) return HostResult::fail(file_io, "no such file in /usr");
  return HostResult::ok();
}

}  // namespace flexhil::flexy
