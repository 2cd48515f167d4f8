#include "sim/link/fault_link.hpp"
#include "common/fd_range.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <random>

#include "common/error.hpp"
#include "sim/endpoints/tcp_listener.hpp"

namespace flexhil::link {

namespace {

double real_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void signal_fd(int fd) {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Bytes waiting to cross in one direction, each chunk with the time it may leave.
struct Pending {
  double at;
  std::string bytes;
  std::size_t sent = 0;
};

constexpr std::size_t kMaxQueued = 1 << 20;  // stop reading a side whose other side lags this much
constexpr double kFlapTick = 0.02;           // real seconds between state checks of a flapping link

}  // namespace

struct FaultLink::Connection {
  UniqueFd device;
  UniqueFd hub;
  UniqueFd wake;  // eventfd: the fault changed or the relay stops
  std::thread thread;
  std::atomic<bool> done{false};
};

FaultLink::FaultLink(std::string upstream) {
  const auto colon = upstream.rfind(':');
  if (colon == std::string::npos) throw InfrastructureError("fault link: upstream '" + upstream + "' is not ip:port");
  upstream_host_ = upstream.substr(0, colon);
  upstream_port_ = static_cast<std::uint16_t>(std::stoi(upstream.substr(colon + 1)));
}

FaultLink::~FaultLink() { stop(); }

void FaultLink::start(const std::string& bind, std::uint16_t port) {
  auto l = endpoints::listen_tcp(bind, port, "the link fault point");
  listen_ = std::move(l.fd);
  port_ = l.port;
  stop_fd_ = UniqueFd(above_select_range(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)));
  acceptor_ = std::thread([this] { accept_loop(); });
}

void FaultLink::stop() {
  if (!acceptor_.joinable()) return;
  signal_fd(stop_fd_.get());
  acceptor_.join();
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(connections_);
  }
  for (auto& c : all) {
    signal_fd(c->wake.get());
    if (c->thread.joinable()) c->thread.join();
  }
  listen_.reset();
}

void FaultLink::set_fault(const LinkFault& fault) {
  {
    std::lock_guard lock(mutex_);
    fault_ = fault;
    fault_since_ = real_now();
  }
  ++generation_;
  wake_all();
}

LinkFault FaultLink::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

void FaultLink::wake_all() {
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) signal_fd(c->wake.get());
}

void FaultLink::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    UniqueFd device(above_select_range(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC)));
    if (!device) continue;
    LinkShaper probe;
    {
      std::lock_guard lock(mutex_);
      probe.set(fault_, fault_since_);
      // Finished relays are joined here, so a long run does not keep their threads.
      for (auto it = connections_.begin(); it != connections_.end();) {
        if ((*it)->done) {
          if ((*it)->thread.joinable()) (*it)->thread.join();
          it = connections_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (probe.state(real_now()) == LinkState::cut) {  // no route: the connection dies at once
      ++refused_;
      continue;
    }
    UniqueFd hub(above_select_range(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(upstream_port_);
    ::inet_pton(AF_INET, upstream_host_.c_str(), &to.sin_addr);
    if (!hub || ::connect(hub.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) continue;
    const int one = 1;
    ::setsockopt(device.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(hub.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblocking(device.get());
    set_nonblocking(hub.get());
    auto c = std::make_unique<Connection>();
    c->device = std::move(device);
    c->hub = std::move(hub);
    c->wake = UniqueFd(above_select_range(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)));
    auto* raw = c.get();
    ++accepted_;
    std::lock_guard lock(mutex_);
    connections_.push_back(std::move(c));
    raw->thread = std::thread([this, raw] { relay(*raw); });
  }
}

void FaultLink::relay(Connection& c) {
  LinkShaper shaper;
  std::uint64_t seen_generation = ~std::uint64_t{0};
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::deque<Pending> queue[2];  // 0: device → hub, 1: hub → device
  const int from_fd[2] = {c.device.get(), c.hub.get()};
  const int to_fd[2] = {c.hub.get(), c.device.get()};
  bool eof[2] = {false, false};
  char buffer[16384];
  while (true) {
    if (const auto g = generation_.load(); g != seen_generation) {
      std::lock_guard lock(mutex_);
      shaper.set(fault_, fault_since_);
      seen_generation = g;
    }
    const double now = real_now();
    const LinkState state = shaper.state(now);
    if (state == LinkState::cut) break;  // both sessions die, as with a link that is gone
    double next = -1;
    bool closed = false;
    if (state == LinkState::passing) {
      // What is due leaves now.
      for (int d = 0; d < 2; ++d) {
        while (!queue[d].empty() && queue[d].front().at <= now) {
          auto& p = queue[d].front();
          const ssize_t n = ::send(to_fd[d], p.bytes.data() + p.sent, p.bytes.size() - p.sent, MSG_NOSIGNAL);
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          if (n <= 0) {
            closed = true;
            break;
          }
          p.sent += static_cast<std::size_t>(n);
          if (p.sent < p.bytes.size()) break;
          queue[d].pop_front();
        }
        if (!queue[d].empty()) next = next < 0 ? queue[d].front().at : std::min(next, queue[d].front().at);
      }
      if (closed) break;
      if ((eof[0] && queue[0].empty()) || (eof[1] && queue[1].empty())) break;  // a side left: the session ends
    }
    pollfd fds[5];
    int n = 0;
    fds[n++] = {c.wake.get(), POLLIN, 0};
    fds[n++] = {stop_fd_.get(), POLLIN, 0};
    int index_of[2] = {-1, -1};
    if (state == LinkState::passing)
      for (int d = 0; d < 2; ++d) {
        std::size_t queued = 0;
        for (const auto& p : queue[d]) queued += p.bytes.size() - p.sent;
        short events = 0;
        if (!eof[d] && queued < kMaxQueued) events |= POLLIN;
        if (!queue[d].empty() && queue[d].front().at <= now) {
          fds[n] = {to_fd[d], POLLOUT, 0};  // wait for room on the other side
          ++n;
        }
        if (events) {
          index_of[d] = n;
          fds[n++] = {from_fd[d], events, 0};
        }
      }
    int timeout_ms = -1;
    if (next >= 0) timeout_ms = std::max(0, static_cast<int>((next - now) * 1000) + 1);
    if (shaper.fault().kind == FaultKind::flap)
      timeout_ms = timeout_ms < 0 ? static_cast<int>(kFlapTick * 1000) : std::min(timeout_ms, static_cast<int>(kFlapTick * 1000));
    if (::poll(fds, static_cast<nfds_t>(n), timeout_ms) < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (fds[0].revents) {
      std::uint64_t v;
      [[maybe_unused]] auto r = ::read(c.wake.get(), &v, sizeof v);
    }
    for (int d = 0; d < 2; ++d) {
      if (index_of[d] < 0 || !(fds[index_of[d]].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::recv(from_fd[d], buffer, sizeof buffer, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        eof[d] = true;
        continue;
      }
      if (got < 0) continue;
      const double read_at = real_now();
      queue[d].push_back(Pending{shaper.departure(d, static_cast<std::size_t>(got), read_at, unit(rng)),
                                 std::string(buffer, static_cast<std::size_t>(got))});
    }
  }
  c.device.reset();
  c.hub.reset();
  c.done = true;
}

}  // namespace flexhil::link
