#include "sim/flexy/runtime/modbus_poller.hpp"
#include "common/fd_range.hpp"

#include <arpa/inet.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <tuple>

#include "sim/flexy/basic/errors.hpp"

namespace flexhil::flexy {
namespace {

// A context whose socket number came from a SelectRangeReserve gives the number back.
struct ModbusDeleter {
  SelectRangeReserve* reserve = nullptr;
  void operator()(modbus_t* ctx) const {
    if (reserve && modbus_get_socket(ctx) >= 0) {
      reserve->give_back(modbus_get_socket(ctx));
      modbus_set_socket(ctx, -1);
    }
    modbus_close(ctx);
    modbus_free(ctx);
  }
};
using ModbusContext = std::unique_ptr<modbus_t, ModbusDeleter>;

// A TCP connection made here rather than by modbus_connect(), which select()s the new socket:
// its number may be 1024 or more in a process running a fleet. Non-blocking, as libmodbus' own.
int connect_tcp(const std::string& ip, int port, std::uint32_t timeout_us) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    errno = EINVAL;
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (errno != EINPROGRESS) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout_us / 1000));
  int error = 0;
  socklen_t len = sizeof error;
  if (ready <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    ::close(fd);
    errno = ready == 0 ? ETIMEDOUT : error != 0 ? error : errno;
    return -1;
  }
  return fd;
}

int item_width(const plc::ModbusAddress& a) {
  return plc::is_bit_table(a.table) ? 1 : plc::register_count(a.type);
}

int effective_unit(const TopicConfig& topic, const plc::ModbusAddress& a) {
  if (topic.unit_id) return *topic.unit_id;  // the topic's unit id overrides the tag's
  return a.unit.value_or(1);
}

std::uint32_t join_words(const std::uint16_t* w, plc::WordOrder order) {
  return order == plc::WordOrder::high_first ? (std::uint32_t(w[0]) << 16) | w[1]
                                             : (std::uint32_t(w[1]) << 16) | w[0];
}

}  // namespace

std::vector<ReadGroup> plan_reads(const FlexyConfig& config, char topic_letter) {
  const auto& topic = config.topic(topic_letter);
  // (ip, port, unit, table) -> items sorted by address
  std::map<std::tuple<std::string, int, int, int>, std::vector<int>> by_slave;
  for (std::size_t i = 0; i < config.tags.size(); ++i) {
    const auto& tag = config.tags[i];
    if (!tag.address || tag.topic != topic_letter) continue;
    const auto& a = *tag.address;
    by_slave[{a.ip.value_or(topic.ip), topic.port, effective_unit(topic, a), static_cast<int>(a.table)}]
        .push_back(static_cast<int>(i));
  }
  std::vector<ReadGroup> groups;
  for (auto& [key, items] : by_slave) {
    std::sort(items.begin(), items.end(), [&](int x, int y) {
      return config.tags[x].address->offset < config.tags[y].address->offset;
    });
    const auto table = static_cast<plc::ModbusTable>(std::get<3>(key));
    const int limit = plc::is_bit_table(table) ? 2000 : 125;
    ReadGroup* current = nullptr;
    for (int i : items) {
      const auto& a = *config.tags[i].address;
      const int start = a.offset, end = a.offset + item_width(a);
      if (current && start <= current->start + current->count &&
          std::max(end, current->start + current->count) - current->start <= limit) {
        current->count = std::max(end, current->start + current->count) - current->start;
        current->tags.push_back(i);
        continue;
      }
      groups.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), table, start, end - start, {i}});
      current = &groups.back();
    }
  }
  return groups;
}

double decode_value(const plc::ModbusAddress& a, const std::uint16_t* w) {
  if (plc::is_bit_table(a.table)) return w[0] ? 1 : 0;
  switch (a.type) {
    case plc::DataType::boolean: return w[0] ? 1 : 0;
    case plc::DataType::uint16: return w[0];
    case plc::DataType::int16: return static_cast<std::int16_t>(w[0]);
    case plc::DataType::uint32: return join_words(w, a.word_order);
    case plc::DataType::int32: return static_cast<std::int32_t>(join_words(w, a.word_order));
    case plc::DataType::float32: {
      const std::uint32_t bits = join_words(w, a.word_order);
      float f = 0;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
  }
  return w[0];
}

std::vector<std::uint16_t> encode_value(const plc::ModbusAddress& a, double raw) {
  auto split = [&](std::uint32_t bits) -> std::vector<std::uint16_t> {
    const auto hi = static_cast<std::uint16_t>(bits >> 16), lo = static_cast<std::uint16_t>(bits & 0xFFFF);
    return a.word_order == plc::WordOrder::high_first ? std::vector<std::uint16_t>{hi, lo}
                                                      : std::vector<std::uint16_t>{lo, hi};
  };
  const double r = std::nearbyint(raw);
  switch (a.type) {
    case plc::DataType::boolean: return {static_cast<std::uint16_t>(raw != 0 ? 1 : 0)};
    case plc::DataType::uint16: return {static_cast<std::uint16_t>(std::clamp(r, 0.0, 65535.0))};
    case plc::DataType::int16:
      return {static_cast<std::uint16_t>(static_cast<std::int16_t>(std::clamp(r, -32768.0, 32767.0)))};
    case plc::DataType::uint32: return split(static_cast<std::uint32_t>(std::clamp(r, 0.0, 4294967295.0)));
    case plc::DataType::int32:
      return split(static_cast<std::uint32_t>(static_cast<std::int32_t>(std::clamp(r, -2147483648.0, 2147483647.0))));
    case plc::DataType::float32: {
      const float f = static_cast<float>(raw);
      std::uint32_t bits = 0;
      std::memcpy(&bits, &f, sizeof bits);
      return split(bits);
    }
  }
  return {0};
}

struct ModbusPoller::Topic {
  char letter = 'A';
  TopicConfig config;
  std::vector<ReadGroup> groups;
  std::map<std::string, ModbusContext> connections;  // "ip:port" -> context
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::deque<std::pair<int, double>> writes;
  std::thread thread;
};

ModbusPoller::ModbusPoller(const FlexyConfig& config, const Clock& clock, Sink sink, Log log,
                           std::shared_ptr<SelectRangeReserve> select_fds)
    : config_(config), clock_(clock), sink_(std::move(sink)), log_(std::move(log)), select_fds_(std::move(select_fds)) {
  for (char letter : {'A', 'B', 'C'}) {
    auto groups = plan_reads(config_, letter);
    if (groups.empty()) continue;
    auto t = std::make_unique<Topic>();
    t->letter = letter;
    t->config = config_.topic(letter);
    t->groups = std::move(groups);
    topics_.push_back(std::move(t));
  }
}

ModbusPoller::~ModbusPoller() { stop(); }

void ModbusPoller::start() {
  for (auto& t : topics_) {
    if (t->thread.joinable()) continue;
    t->stopping = false;
    t->thread = std::thread([this, topic = t.get()] { run(*topic); });
  }
}

void ModbusPoller::stop() {
  for (auto& t : topics_) {
    {
      std::lock_guard lock(t->mutex);
      t->stopping = true;
    }
    t->wake.notify_all();
    if (t->thread.joinable()) t->thread.join();
    t->connections.clear();
  }
}

void ModbusPoller::write(int tag, double raw) {
  const auto& cfg = config_.tags.at(static_cast<std::size_t>(tag));
  for (auto& t : topics_) {
    if (t->letter != cfg.topic) continue;
    {
      std::lock_guard lock(t->mutex);
      t->writes.emplace_back(tag, raw);
    }
    t->wake.notify_all();
    return;
  }
}

void ModbusPoller::run(Topic& topic) {
  const auto timeout = std::chrono::duration<double>(topic.config.timeout_seconds);
  const auto timeout_us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  auto connection = [&](const std::string& ip, int port, std::string& error) -> modbus_t* {
    const auto key = fmt::format("{}:{}", ip, port);
    auto it = topic.connections.find(key);
    if (it != topic.connections.end()) return it->second.get();
    ModbusContext ctx(modbus_new_tcp(ip.c_str(), port), ModbusDeleter{select_fds_.get()});
    if (!ctx) {
      error = fmt::format("cannot create a Modbus TCP context for {}", key);
      return nullptr;
    }
    modbus_set_response_timeout(ctx.get(), static_cast<std::uint32_t>(timeout_us / 1000000),
                                static_cast<std::uint32_t>(timeout_us % 1000000));
    const int fd = connect_tcp(ip, port, timeout_us);
    if (fd < 0) {
      error = fmt::format("connect to {} failed: {}", key, modbus_strerror(errno));
      return nullptr;
    }
    // libmodbus select()s its socket: it must be numbered below FD_SETSIZE (fd_range.hpp).
    const int low = select_fds_ ? select_fds_->adopt(fd) : into_select_range(fd);
    if (low < 0) {
      error = fmt::format("connect to {}: no file descriptor below 1024 left for libmodbus (too many devices in one "
                          "process)", key);
      return nullptr;
    }
    modbus_set_socket(ctx.get(), low);
    return topic.connections.emplace(key, std::move(ctx)).first->second.get();
  };
  auto drop_connection = [&](const std::string& ip, int port) {
    topic.connections.erase(fmt::format("{}:{}", ip, port));
  };

  auto do_writes = [&] {
    std::deque<std::pair<int, double>> writes;
    {
      std::lock_guard lock(topic.mutex);
      writes.swap(topic.writes);
    }
    for (const auto& [tag, raw] : writes) {
      const auto& cfg = config_.tags.at(static_cast<std::size_t>(tag));
      const auto& a = *cfg.address;
      if (!plc::is_writable_table(a.table)) {
        log_(fmt::format("SETIO {}: address {} is read-only", cfg.name, cfg.address_text), basic::log_level::error);
        continue;
      }
      const auto ip = a.ip.value_or(topic.config.ip);
      std::string error;
      modbus_t* ctx = connection(ip, topic.config.port, error);
      if (!ctx) {
        log_(fmt::format("SETIO {}: {}", cfg.name, error), basic::log_level::error);
        continue;
      }
      modbus_set_slave(ctx, effective_unit(topic.config, a));
      int rc = 0;
      if (a.table == plc::ModbusTable::coil) {
        rc = modbus_write_bit(ctx, a.offset, raw != 0 ? 1 : 0);
      } else {
        const auto words = encode_value(a, raw);
        rc = words.size() == 1 ? modbus_write_register(ctx, a.offset, words[0])
                               : modbus_write_registers(ctx, a.offset, static_cast<int>(words.size()), words.data());
      }
      if (rc < 0) {
        const int err = errno;
        log_(fmt::format("SETIO {}: Modbus write to {} failed: {}", cfg.name, cfg.address_text,
                         modbus_strerror(err)), basic::log_level::error);
        if (err < MODBUS_ENOBASE) drop_connection(ip, topic.config.port);
      }
    }
  };

  auto poll = [&] {
    std::map<std::string, PollResult> results;  // per slave
    std::vector<std::uint16_t> words;
    std::vector<std::uint8_t> bits;
    for (const auto& g : topic.groups) {
      const auto slave = fmt::format("{}:{}/{}", g.ip, g.port, g.unit);
      auto& result = results[slave];
      result.topic = topic.letter;
      result.slave = slave;
      std::string error;
      bool ok = false;
      if (modbus_t* ctx = connection(g.ip, g.port, error)) {
        modbus_set_slave(ctx, g.unit);
        int rc = -1;
        words.assign(static_cast<std::size_t>(g.count) + 1, 0);
        switch (g.table) {
          case plc::ModbusTable::coil:
          case plc::ModbusTable::discrete_input:
            bits.assign(static_cast<std::size_t>(g.count), 0);
            rc = g.table == plc::ModbusTable::coil ? modbus_read_bits(ctx, g.start, g.count, bits.data())
                                                   : modbus_read_input_bits(ctx, g.start, g.count, bits.data());
            for (int i = 0; i < g.count; ++i) words[static_cast<std::size_t>(i)] = bits[static_cast<std::size_t>(i)];
            break;
          case plc::ModbusTable::input_register:
            rc = modbus_read_input_registers(ctx, g.start, g.count, words.data());
            break;
          case plc::ModbusTable::holding_register:
            rc = modbus_read_registers(ctx, g.start, g.count, words.data());
            break;
        }
        if (rc >= 0) {
          ok = true;
        } else {
          const int err = errno;
          error = fmt::format("read of {} item(s) at {} failed: {}", g.count, g.start, modbus_strerror(err));
          if (err < MODBUS_ENOBASE) drop_connection(g.ip, g.port);  // transport broken: reconnect next poll
        }
      }
      for (int tag : g.tags) {
        PollReading r{tag, std::nullopt};
        if (ok) r.raw = decode_value(*config_.tags[static_cast<std::size_t>(tag)].address,
                                     words.data() + (config_.tags[static_cast<std::size_t>(tag)].address->offset - g.start));
        result.readings.push_back(r);
      }
      if (!ok) {
        result.status = SlaveStatus::not_ok;
        if (result.error.empty()) result.error = error;
      } else if (result.status != SlaveStatus::not_ok) {
        result.status = SlaveStatus::ok;
      }
    }
    for (auto& [slave, result] : results) sink_(std::move(result));
  };

  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      clock_.to_real(std::chrono::duration_cast<Clock::Nanos>(std::chrono::duration<double>(topic.config.poll_seconds))));
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    do_writes();
    poll();
    next += period;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // a slow PLC delays polls instead of bursting
    std::unique_lock lock(topic.mutex);
    topic.wake.wait_until(lock, next, [&] { return topic.stopping || !topic.writes.empty(); });
    if (topic.stopping) return;
    if (!topic.writes.empty()) {
      lock.unlock();
      do_writes();
      lock.lock();
      topic.wake.wait_until(lock, next, [&] { return topic.stopping; });
      if (topic.stopping) return;
    }
  }
}

}  // namespace flexhil::flexy
