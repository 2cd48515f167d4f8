#pragma once
// How the run's SMTP sink answers (`[endpoints.smtp]`, docs/scenarios.md): by default it takes
// every message; `fail_code` makes it refuse at MAIL, RCPT or the end of DATA (`fail_at`), so a
// scenario can see what the program does when its mail is refused. Pure, loaded strictly through
// common/toml_reader.hpp (every error with file:line:col).
#include <cstddef>
#include <string>

#include "common/error.hpp"
#include "common/toml_reader.hpp"

namespace flexhil::endpoints {

struct SmtpEndpointConfig {
  int fail_code = 0;             // 0 = accept; else a 4xx/5xx reply code
  std::string fail_at = "data";  // "mail", "rcpt" or "data"
  std::size_t max_size = 10 * 1024 * 1024;
  SourcePosition where;
};

// [endpoints.smtp]; calls t.finish().
SmtpEndpointConfig load_smtp_endpoint_config(TomlTable& t);

}  // namespace flexhil::endpoints
