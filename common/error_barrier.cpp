#include "common/error_barrier.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <stdexcept>

#include "common/error.hpp"

namespace flexhil {
namespace {

// Exception texts may span lines (a broker log tail); the barrier prints exactly one.
std::string one_line(std::string text) {
  std::string out;
  bool gap = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      gap = true;
      continue;
    }
    if (gap && !out.empty()) out += "; ";
    gap = false;
    out += c;
  }
  return out;
}

std::string path_error_message(const std::filesystem::filesystem_error& e) {
  std::string where = e.path1().string();
  if (!e.path2().empty()) where += "' / '" + e.path2().string();
  std::string reason = e.code().message();
  if (e.code() == std::errc::filename_too_long) reason += " (a path component is longer than 255 bytes)";
  if (e.code() == std::errc::not_a_directory) reason += " (a component of the path is a regular file)";
  return where.empty() ? "error: " + reason : "error: path '" + where + "': " + reason;
}

}  // namespace

bool is_input_path_error(const std::error_code& ec) {
  if (ec.category() != std::generic_category() && ec.category() != std::system_category()) return false;
  switch (ec.value()) {
    case ENAMETOOLONG:
    case ENOTDIR:
    case ENOENT:
    case EACCES:
    case EPERM:
    case EEXIST:
    case EISDIR:
    case ELOOP:
    case EROFS:
    case EINVAL:
      return true;
    default:
      return false;
  }
}

Failure describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const ConfigError& e) {
    return {exit_code::usage, one_line(e.what())};
  } catch (const InfrastructureError& e) {
    const std::string what = one_line(e.what());
    return {exit_code::infrastructure, what.rfind("error: ", 0) == 0 ? what : "error: " + what};
  } catch (const std::filesystem::filesystem_error& e) {
    return {is_input_path_error(e.code()) ? exit_code::usage : exit_code::infrastructure,
            one_line(path_error_message(e))};
  } catch (const std::bad_alloc&) {
    return {exit_code::infrastructure, "error: out of memory"};
  } catch (const std::invalid_argument& e) {
    return {exit_code::usage, "error: " + one_line(e.what())};
  } catch (const std::system_error& e) {
    return {exit_code::infrastructure, "error: " + one_line(e.what())};
  } catch (const std::exception& e) {
    return {exit_code::infrastructure, "error: " + one_line(e.what())};
  } catch (...) {
    return {exit_code::infrastructure, "error: unknown internal error"};
  }
}

int run_guarded(const std::function<int()>& body, std::ostream& err) {
  try {
    return body();
  } catch (...) {
    const auto f = describe_exception(std::current_exception());
    try {
      err << f.message << '\n' << std::flush;
    } catch (...) {
    }
    return f.exit_code;
  }
}

void install_terminate_handler() {
  std::set_terminate([] {
    std::string line = "error: internal error: uncaught exception outside the command's thread";
    if (const auto current = std::current_exception()) line = describe_exception(current).message;
    line += " (exit 3)\n";
    // Async-signal-safe output: the process may be in any state here.
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
    std::_Exit(exit_code::infrastructure);
  });
}

}  // namespace flexhil
