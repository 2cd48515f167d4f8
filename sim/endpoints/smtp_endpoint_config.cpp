#include "sim/endpoints/smtp_endpoint_config.hpp"

namespace flexhil::endpoints {

SmtpEndpointConfig load_smtp_endpoint_config(TomlTable& t) {
  SmtpEndpointConfig c;
  c.where = t.where();
  if (const auto code = t.integer("fail_code", 400, 599)) c.fail_code = static_cast<int>(*code);
  c.fail_at = t.choice("fail_at", {"mail", "rcpt", "data"}, "data");
  if (t.has("fail_at") && !c.fail_code) t.fail("fail_at", "'fail_at' needs a 'fail_code' (the reply it refuses with)");
  c.max_size = static_cast<std::size_t>(t.integer("max_size", 10 * 1024 * 1024, 1, 1024 * 1024 * 1024));
  t.finish();
  return c;
}

}  // namespace flexhil::endpoints
