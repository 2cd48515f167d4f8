#pragma once
// What the preloaded TLS shim (broker/tls_shim) knows about the broker's TLS sessions, looked up
// with dlsym: mosquitto's plugin API names no listener, hides the will and does not say when a
// client last sent anything. Every call answers "unknown" when the shim is not loaded.
#include <cstdint>
#include <optional>
#include <string>

namespace flexhil::broker::plugin {

class TlsShimProbe {
 public:
  TlsShimProbe();
  bool loaded() const { return peer_queries_ != nullptr; }
  // How often the broker looked at a TLS peer certificate so far (it does only for TLS sessions).
  unsigned long peer_queries() const;
  // The TLS session of the last certificate look: a handle for the calls below.
  const void* last_peer_session() const;
  // CLOCK_MONOTONIC ns of the session's last plaintext read.
  std::optional<std::int64_t> last_read_ns(const void* session) const;
  // The first plaintext bytes of the session (up to 4 KB): the CONNECT packet.
  std::string stream_prefix(const void* session) const;

 private:
  unsigned long (*peer_queries_)() = nullptr;
  const void* (*last_peer_session_)() = nullptr;
  long long (*last_read_ns_)(const void*) = nullptr;
  std::size_t (*stream_prefix_)(const void*, char*, std::size_t) = nullptr;
};

}  // namespace flexhil::broker::plugin
