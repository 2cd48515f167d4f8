#include "sim/plc/plc_server.hpp"
#include "common/fd_range.hpp"

#include <fcntl.h>
#include <modbus.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>
#include <deque>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace flexhil::plc {
namespace {

using RealClock = std::chrono::steady_clock;
constexpr double kForever = std::numeric_limits<double>::infinity();
// A client pipelining requests into a delay fault cannot grow our memory without bound.
constexpr std::size_t kMaxQueuedFrames = 1024;

struct ModbusContextDeleter {
  void operator()(modbus_t* ctx) const {
    modbus_set_socket(ctx, -1);  // our sockets are closed by their owners, not by libmodbus
    modbus_free(ctx);
  }
};

struct PendingFrame {
  std::vector<std::uint8_t> bytes;
  RealClock::time_point due;
};

struct Client {
  UniqueFd fd;
  std::string peer;
  std::vector<std::uint8_t> buffer;
  std::deque<PendingFrame> queue;
};

struct ScheduledFault {
  FaultId id;
  FaultSpec spec;
  double start_s;
  double end_s;
  enum class State { pending, active, ended } state = State::pending;
};

std::string peer_name(const sockaddr_storage& ss) {
  char host[NI_MAXHOST] = "?", serv[NI_MAXSERV] = "?";
  getnameinfo(reinterpret_cast<const sockaddr*>(&ss), sizeof ss, host, sizeof host, serv, sizeof serv,
              NI_NUMERICHOST | NI_NUMERICSERV);
  return fmt::format("{}:{}", host, serv);
}

UniqueFd listen_on(const std::string& bind, std::uint16_t port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const auto service = std::to_string(port);
  if (int rc = getaddrinfo(bind.empty() ? nullptr : bind.c_str(), service.c_str(), &hints, &res); rc != 0) {
    error = gai_strerror(rc);
    return UniqueFd();
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  for (auto* ai = res; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) continue;
    int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd.get(), 64) == 0) return fd;
    error = std::strerror(errno);
  }
  return UniqueFd();
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

const char* function_name(std::uint8_t fc) {
  switch (fc) {
    case 0x01: return "read coils";
    case 0x02: return "read discrete inputs";
    case 0x03: return "read holding registers";
    case 0x04: return "read input registers";
    case 0x05: return "write coil";
    case 0x06: return "write register";
    case 0x0F: return "write coils";
    case 0x10: return "write registers";
    case 0x16: return "mask write register";
    case 0x17: return "read/write registers";
    default: return "unsupported function";
  }
}

}  // namespace

struct PlcServer::Impl {
  Impl(PlcConfig config, const Clock& c, EventSink* events, std::optional<Clock::Nanos> origin)
      : clock(c), origin_ns(origin.value_or(c.steady())), model(std::move(config)), sink(events) {
    FaultId next = 1;
    for (const auto& f : model.config().faults)
      faults.push_back({next++, f, f.at_s, f.duration_s ? f.at_s + *f.duration_s : kForever});
    next_fault_id = next;
    ctx.reset(modbus_new_tcp("127.0.0.1", 502));  // only used to build replies, never connects
    if (!ctx) throw InfrastructureError("libmodbus: cannot create a context");
    modbus_set_response_timeout(ctx.get(), 0, 1);  // libmodbus sleeps this long before a flush
    for (int unit : model.config().units) {
      auto* map = model.unit_map(unit);
      modbus_mapping_t m{};
      m.nb_bits = m.nb_input_bits = m.nb_input_registers = m.nb_registers = RegisterMap::kSize;
      m.tab_bits = map->coils.data();
      m.tab_input_bits = map->discrete_inputs.data();
      m.tab_input_registers = map->input_registers.data();
      m.tab_registers = map->holding_registers.data();
      mappings.emplace(unit, m);
    }
  }

  double now_s() const {
    return std::chrono::duration<double>(clock.steady() - origin_ns).count();
  }

  void log_line(const std::string& line) {
    if (log) log(fmt::format("[{:9.3f}] {}", now_s(), line));
  }

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd.get(), &one, sizeof one);
  }

  // --- faults ---------------------------------------------------------------------------

  void close_all_clients(const char* why) {
    for (auto& [fd, c] : clients) log_line(fmt::format("{}: connection closed ({})", c.peer, why));
    counters.dropped_connections += clients.size();
    clients.clear();
  }

  void open_listener() {
    std::string error;
    listener = listen_on(bind_address, bound, error);
    if (listener) {
      relisten_failing_since.reset();
      return;
    }
    log_line(fmt::format("cannot listen again on {}:{}: {} (retrying)", bind_address, bound, error));
    // Retried every 0.2 s; a port that stays unavailable means the simulator is down for good
    // (reported once, outside the lock, by the loop).
    const auto now = RealClock::now();
    if (!relisten_failing_since) relisten_failing_since = now;
    if (now - *relisten_failing_since > kRelistenGiveUp && !died)
      death_pending = fmt::format("cannot listen again on {}:{} after a fault: {}", bind_address, bound, error);
  }

  void update_faults(double t) {
    for (auto& f : faults) {
      if (f.state == ScheduledFault::State::pending && t >= f.start_s) {
        f.state = ScheduledFault::State::active;
        model.record_fault(f.spec, true, t);
        log_line(fmt::format("fault start: {}", f.spec.describe()));
        if (f.spec.kind == FaultKind::down) {
          listener.reset();
          close_all_clients("PLC down");
        } else if (f.spec.kind == FaultKind::disconnect) {
          close_all_clients("disconnect fault");
        }
      }
      if (f.state == ScheduledFault::State::active && t >= f.end_s) {
        f.state = ScheduledFault::State::ended;
        model.record_fault(f.spec, false, t);
        log_line(fmt::format("fault end: {}", f.spec.describe()));
      }
    }
    if (!down() && !listener && running) open_listener();
  }

  bool down() const {
    return std::any_of(faults.begin(), faults.end(), [](const ScheduledFault& f) {
      return f.state == ScheduledFault::State::active && f.spec.kind == FaultKind::down;
    });
  }

  double next_fault_edge(double t) const {
    double next = kForever;
    for (const auto& f : faults) {
      if (f.state == ScheduledFault::State::pending) next = std::min(next, f.start_s);
      if (f.state == ScheduledFault::State::active) next = std::min(next, f.end_s);
    }
    return std::max(next, t);
  }

  // --- requests -------------------------------------------------------------------------

  // Returns false when the connection must be closed.
  bool reply_exception(Client& c, const std::vector<std::uint8_t>& frame, std::uint8_t code, const char* why) {
    ++counters.exceptions;
    log_line(fmt::format("{}: unit {} {} -> exception 0x{:02X} ({})", c.peer, frame[6],
                         function_name(frame[7]), code, why));
    modbus_set_socket(ctx.get(), c.fd.get());
    return modbus_reply_exception(ctx.get(), frame.data(), code) > 0;
  }

  // Arrival: decide a delay (delay faults); everything else is decided when the frame is due.
  void enqueue(Client& c, std::vector<std::uint8_t> frame) {
    ++counters.requests;
    double delay = 0;
    const auto check = check_request(frame);
    if (check.exception == 0)
      for (const auto& f : faults)
        if (f.state == ScheduledFault::State::active && f.spec.kind == FaultKind::delay &&
            model.fault_applies(f.spec, check))
          delay = std::max(delay, f.spec.delay_s);
    const auto due = RealClock::now() + std::chrono::duration_cast<RealClock::duration>(
                                            clock.to_real(std::chrono::duration_cast<Clock::Nanos>(
                                                std::chrono::duration<double>(delay))));
    c.queue.push_back({std::move(frame), due});
  }

  // Serves one frame; false when the connection must be closed.
  bool serve(Client& c, const std::vector<std::uint8_t>& frame, double t) {
    const auto check = check_request(frame);
    const int unit = check.unit;
    if (!model.serves_unit(unit)) {
      if (model.config().unknown_unit == UnknownUnitPolicy::exception)
        return reply_exception(c, frame, 0x0B, "unknown unit id");
      ++counters.unanswered;
      log_line(fmt::format("{}: unit {} {} -> no answer (unknown unit id)", c.peer, unit, function_name(check.function)));
      return true;
    }
    if (check.exception != 0) {
      ++counters.malformed;
      return reply_exception(c, frame, check.exception, check.exception == 0x01 ? "unsupported function code" : "malformed request");
    }
    for (const auto& f : faults) {
      if (f.state != ScheduledFault::State::active || !model.fault_applies(f.spec, check)) continue;
      switch (f.spec.kind) {
        case FaultKind::disconnect:
          log_line(fmt::format("{}: connection dropped (disconnect fault)", c.peer));
          return false;
        case FaultKind::no_response:
          ++counters.unanswered;
          log_line(fmt::format("{}: unit {} {} -> no answer (no-response fault)", c.peer, unit, function_name(check.function)));
          return true;
        case FaultKind::exception:
          return reply_exception(c, frame, f.spec.exception_code, "exception fault");
        default: break;
      }
    }
    if (auto code = model.access_exception(unit, check); code != 0)
      return reply_exception(c, frame, code, "address not served or read-only");
    auto& mapping = mappings.at(unit);
    modbus_set_socket(ctx.get(), c.fd.get());
    if (modbus_reply(ctx.get(), frame.data(), static_cast<int>(frame.size()), &mapping) <= 0) {
      log_line(fmt::format("{}: reply failed: {}", c.peer, modbus_strerror(errno)));
      return false;
    }
    ++counters.replies;
    if (check.writes()) {
      ++counters.writes;
      model.after_write(unit, check, t);
    }
    if (log) {
      const auto& r = check.ranges[0];
      log_line(fmt::format("{}: unit {} {} {} {}+{} -> ok", c.peer, unit, function_name(check.function),
                           to_string(r.table), r.first, r.count));
    }
    return true;
  }

  // Reads what the socket has; false when the connection is finished.
  bool read_client(Client& c) {
    std::uint8_t chunk[4096];
    for (;;) {
      const ssize_t n = ::recv(c.fd.get(), chunk, sizeof chunk, 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.buffer.insert(c.buffer.end(), chunk, chunk + n);
      for (;;) {
        const auto size = next_frame_size(c.buffer);
        if (size.status == FrameStatus::incomplete) break;
        if (size.status == FrameStatus::malformed) {
          ++counters.malformed;
          log_line(fmt::format("{}: malformed frame ({}), connection closed", c.peer, size.problem));
          return false;
        }
        std::vector<std::uint8_t> frame(c.buffer.begin(), c.buffer.begin() + static_cast<long>(size.size));
        c.buffer.erase(c.buffer.begin(), c.buffer.begin() + static_cast<long>(size.size));
        enqueue(c, std::move(frame));
        if (c.queue.size() > kMaxQueuedFrames) {
          log_line(fmt::format("{}: more than {} requests waiting (delay fault), connection closed", c.peer, kMaxQueuedFrames));
          return false;
        }
      }
      if (c.buffer.size() > 64 * kMaxAduSize) return false;  // cannot happen with valid headers
      if (static_cast<std::size_t>(n) < sizeof chunk) return true;
    }
  }

  // Serves the due frames at the head of the queue; false when the connection must close.
  bool drain_queue(Client& c, double t) {
    const auto now = RealClock::now();
    while (!c.queue.empty() && c.queue.front().due <= now) {
      auto frame = std::move(c.queue.front().bytes);
      c.queue.pop_front();
      if (!serve(c, frame, t)) return false;
    }
    return true;
  }

  void accept_clients() {
    for (;;) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      // Polled, never select()ed: above the numbers libmodbus clients in this process need.
      UniqueFd fd(above_select_range(
          ::accept4(listener.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC)));
      if (!fd) return;
      int one = 1;
      setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ++counters.connections;
      const int key = fd.get();
      Client c{std::move(fd), peer_name(ss), {}, {}};
      log_line(fmt::format("{}: connected", c.peer));
      clients.emplace(key, std::move(c));
    }
  }

  void loop() {
    std::vector<pollfd> fds;
    std::vector<int> keys;
    bool listener_slot = false;
    while (running) {
      int timeout_ms = 0;
      std::optional<std::string> dying;
      {
        std::lock_guard lock(mutex);
        dying = std::exchange(death_pending, std::nullopt);
        const double t = now_s();
        update_faults(t);
        if (t >= next_tick_s) {
          model.advance(t);
          const double step = model.config().update_interval_s;
          next_tick_s = (std::floor(t / step) + 1) * step;
        }
        // Sleep until the next waveform tick, fault edge or delayed reply, in real time.
        const double next_s = std::min(next_tick_s, next_fault_edge(t));
        double wait_s = (next_s - t) / std::max(clock.scale(), 1e-9);
        const auto now = RealClock::now();
        for (const auto& [key, c] : clients)
          if (!c.queue.empty())
            wait_s = std::min(wait_s, std::chrono::duration<double>(c.queue.front().due - now).count());
        if (!listener && !down()) wait_s = std::min(wait_s, 0.2);  // retry a failed re-listen
        timeout_ms = static_cast<int>(std::clamp(std::ceil(wait_s * 1000.0), 0.0, 1000.0));
        fds.clear();
        keys.clear();
        fds.push_back({wake_fd.get(), POLLIN, 0});
        listener_slot = static_cast<bool>(listener);
        if (listener_slot) fds.push_back({listener.get(), POLLIN, 0});
        for (const auto& [key, c] : clients) {
          fds.push_back({c.fd.get(), POLLIN, 0});
          keys.push_back(key);
        }
      }
      if (dying) report_death(*dying);
      deliver_events();
      if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
        report_death(std::string("poll failed: ") + std::strerror(errno));
        return;
      }
      std::lock_guard lock(mutex);
      const double t = now_s();
      if (fds[0].revents & POLLIN) {
        std::uint64_t drained;
        [[maybe_unused]] auto n = ::read(wake_fd.get(), &drained, sizeof drained);
      }
      // The listener may have been closed by inject_fault() while we were polling.
      const std::size_t first_client = listener_slot ? 2 : 1;
      if (listener_slot && listener && fds[1].fd == listener.get() && (fds[1].revents & POLLIN))
        accept_clients();
      for (std::size_t i = first_client; i < fds.size(); ++i) {
        auto it = clients.find(keys[i - first_client]);
        if (it == clients.end() || it->second.fd.get() != fds[i].fd) continue;
        bool keep = true;
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) keep = read_client(it->second);
        if (keep) keep = drain_queue(it->second, t);
        if (!keep) {
          ++counters.dropped_connections;
          log_line(fmt::format("{}: disconnected", it->second.peer));
          clients.erase(it);
        }
      }
      // Delayed frames of clients that sent nothing new.
      for (auto it = clients.begin(); it != clients.end();) {
        if (!it->second.queue.empty() && !drain_queue(it->second, t)) {
          ++counters.dropped_connections;
          it = clients.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  // Hands the model's pending events to the sink without holding `mutex`, so a sink listener may
  // call back into the server. One deliverer at a time keeps them in order; events queued by
  // others meanwhile (or re-entrantly) are delivered by the running deliverer's next round.
  void deliver_events() {
    std::unique_lock lock(mutex);
    if (delivering || !model.has_events()) return;
    delivering = true;
    for (auto batch = model.take_events(); !batch.empty(); batch = model.take_events()) {
      lock.unlock();
      if (sink)
        for (auto& e : batch) sink->emit(std::move(e));
      lock.lock();
    }
    delivering = false;
  }

  // The server thread ended without stop(): reported once as a `plc_error` event, so the harness
  // blames its own simulator, not the device that can no longer read it.
  void report_death(const std::string& why) {
    {
      std::lock_guard lock(mutex);
      if (died) return;
      died = why;
    }
    log_line("PLC simulator stopped on an error: " + why);
    if (!sink) return;
    Json e = make_event("plc_error");
    e["detail"] = why;
    e["port"] = bound;
    e["scenario_s"] = now_s();
    sink->emit(std::move(e));
  }

  const Clock& clock;
  Clock::Nanos origin_ns;
  mutable std::mutex mutex;
  PlcModel model;
  EventSink* sink;
  bool delivering = false;
  std::unique_ptr<modbus_t, ModbusContextDeleter> ctx;
  std::map<int, modbus_mapping_t> mappings;
  std::vector<ScheduledFault> faults;
  FaultId next_fault_id = 1;
  PlcCounters counters;
  std::map<int, Client> clients;
  UniqueFd listener;
  UniqueFd wake_fd;
  std::string bind_address;
  std::uint16_t bound = 0;
  double next_tick_s = 0;
  std::atomic<bool> running{false};
  std::optional<std::string> died;
  std::optional<std::string> death_pending;  // found under `mutex`, reported without it
  std::optional<RealClock::time_point> relisten_failing_since;
  static constexpr auto kRelistenGiveUp = std::chrono::seconds(5);
  Log log;
  std::thread thread;
};

PlcServer::PlcServer(PlcConfig config, const Clock& clock, EventSink* events,
                     std::optional<Clock::Nanos> scenario_origin)
    : impl_(std::make_unique<Impl>(std::move(config), clock, events, scenario_origin)) {}

PlcServer::~PlcServer() { stop(); }

void PlcServer::set_log(Log log) { impl_->log = std::move(log); }

void PlcServer::start(const std::string& bind, std::uint16_t port) {
  auto& m = *impl_;
  if (m.running) return;
  std::string error;
  m.listener = listen_on(bind, port, error);
  if (!m.listener)
    throw InfrastructureError(fmt::format("PLC simulator cannot listen on {}:{}: {}", bind, port, error));
  m.bind_address = bind;
  m.bound = bound_port(m.listener.get());
  m.wake_fd = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  {
    std::lock_guard lock(m.mutex);
    const double t = m.now_s();
    m.update_faults(t);
    m.model.advance(t);
    m.next_tick_s = (std::floor(t / m.model.config().update_interval_s) + 1) * m.model.config().update_interval_s;
  }
  m.deliver_events();
  m.log_line(fmt::format("PLC listening on {}:{} (units {})", bind, m.bound, fmt::join(m.model.config().units, ", ")));
  m.running = true;
  m.thread = std::thread([&m] {
    try {
      m.loop();
    } catch (const std::exception& e) {
      m.report_death(e.what());
    } catch (...) {
      m.report_death("unknown error");
    }
  });
}

std::uint16_t PlcServer::port() const { return impl_->bound; }

std::optional<std::string> PlcServer::failure() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->died;
}

void PlcServer::stop() {
  auto& m = *impl_;
  if (!m.running.exchange(false)) return;
  m.wake();
  if (m.thread.joinable()) m.thread.join();
  {
    std::lock_guard lock(m.mutex);
    m.clients.clear();
    m.listener.reset();
  }
  m.deliver_events();
}

double PlcServer::scenario_seconds() const { return impl_->now_s(); }

FaultId PlcServer::inject_fault(FaultSpec spec) {
  auto& m = *impl_;
  FaultId id;
  {
    std::lock_guard lock(m.mutex);
    const double t = m.now_s();
    id = m.next_fault_id++;
    const double end = spec.duration_s ? t + *spec.duration_s : kForever;
    m.faults.push_back({id, std::move(spec), t, end});
    m.update_faults(t);  // takes effect now, not at the next poll wake-up
  }
  m.deliver_events();
  m.wake();
  return id;
}

void PlcServer::end_fault(FaultId id) {
  auto& m = *impl_;
  {
    std::lock_guard lock(m.mutex);
    const double t = m.now_s();
    for (auto& f : m.faults)
      if (f.id == id && f.state != ScheduledFault::State::ended) {
        f.end_s = std::min(f.end_s, t);
        if (f.state == ScheduledFault::State::pending) f.start_s = std::min(f.start_s, t);
      }
    m.update_faults(t);
  }
  m.deliver_events();
  m.wake();
}

bool PlcServer::is_down() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->down();
}

std::optional<double> PlcServer::value(const std::string& point) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model.value(point);
}

bool PlcServer::set_value(const std::string& point, double value) {
  bool found = false;
  {
    std::lock_guard lock(impl_->mutex);
    found = impl_->model.set_value(point, value, impl_->now_s());
  }
  impl_->deliver_events();
  return found;
}

std::optional<double> PlcServer::value_at(const std::string& point, double scenario_s) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model.history().value_at(point, scenario_s);
}

std::vector<PlcChange> PlcServer::changes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model.history().changes();
}

std::vector<FaultRecord> PlcServer::fault_records() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model.faults();
}

PlcCounters PlcServer::counters() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->counters;
}

std::size_t PlcServer::client_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->clients.size();
}

}  // namespace flexhil::plc
