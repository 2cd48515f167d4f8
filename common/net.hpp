#pragma once
// Readiness checks and ephemeral ports: parts are ready when their port answers, never after a
// fixed sleep; tests take ports the kernel hands out so they can run in parallel (ctest -j2).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace flexhil {

// A currently free TCP port on `host` (bind to port 0, read it, close). Another process could
// take it before it is used; callers that start servers retry on a bind failure.
std::uint16_t pick_free_port(const std::string& host = "127.0.0.1");

// True once a TCP connect to host:port succeeds; false after `timeout`, or as soon as
// `still_alive` (if given) returns false — a server that died will never answer.
bool wait_for_tcp_port(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
                       const std::function<bool()>& still_alive = {});

// Polls `condition` with short back-off until it is true or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

bool is_loopback_address(const std::string& host);

// A numeric IPv4 or IPv6 address a listener can bind to ("127.0.0.1", "0.0.0.0", "::1"); for
// --bind options, so a typo is a usage error (exit 2), not a broker that fails to start.
bool is_ip_address(const std::string& host);

}  // namespace flexhil
