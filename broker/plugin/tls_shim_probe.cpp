#include "broker/plugin/tls_shim_probe.hpp"

#include <dlfcn.h>

namespace flexhil::broker::plugin {

namespace {
template <typename Function>
Function lookup(const char* name) {
  return reinterpret_cast<Function>(::dlsym(RTLD_DEFAULT, name));
}
}  // namespace

TlsShimProbe::TlsShimProbe()
    : peer_queries_(lookup<unsigned long (*)()>("flexhil_tls_shim_peer_queries")),
      last_peer_session_(lookup<const void* (*)()>("flexhil_tls_shim_last_peer_session")),
      last_read_ns_(lookup<long long (*)(const void*)>("flexhil_tls_shim_last_read_ns")),
      stream_prefix_(lookup<std::size_t (*)(const void*, char*, std::size_t)>("flexhil_tls_shim_stream_prefix")) {}

unsigned long TlsShimProbe::peer_queries() const { return peer_queries_ ? peer_queries_() : 0; }

const void* TlsShimProbe::last_peer_session() const { return last_peer_session_ ? last_peer_session_() : nullptr; }

std::optional<std::int64_t> TlsShimProbe::last_read_ns(const void* session) const {
  if (!last_read_ns_ || !session) return std::nullopt;
  const long long ns = last_read_ns_(session);
  if (ns < 0) return std::nullopt;
  return ns;
}

std::string TlsShimProbe::stream_prefix(const void* session) const {
  if (!stream_prefix_ || !session) return {};
  std::string out(4096, '\0');
  out.resize(stream_prefix_(session, out.data(), out.size()));
  return out;
}

}  // namespace flexhil::broker::plugin
