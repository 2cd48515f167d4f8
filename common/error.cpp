#include "common/error.hpp"

namespace flexhil {

std::string SourcePosition::to_string() const {
  std::string s = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

ConfigError::ConfigError(SourcePosition where, std::string message)
    : std::runtime_error(where.to_string() + ": error: " + message),
      where_(std::move(where)),
      message_(std::move(message)) {}

}  // namespace flexhil
