#include "broker/mqtt_connect_packet.hpp"

#include <cstdint>

namespace flexhil::broker {

namespace {

// A cursor over the prefix that tells "ran out of bytes" (incomplete) from "bad value".
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool byte(std::uint8_t& out) {
    if (pos_ >= b_.size()) return false;
    out = static_cast<std::uint8_t>(b_[pos_++]);
    return true;
  }
  bool u16(int& out) {
    std::uint8_t hi = 0, lo = 0;
    if (!byte(hi) || !byte(lo)) return false;
    out = hi << 8 | lo;
    return true;
  }
  bool string(std::string& out) {
    int n = 0;
    if (!u16(n) || b_.size() - pos_ < static_cast<std::size_t>(n)) return false;
    out.assign(b_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return true;
  }
  bool skip(std::size_t n) {
    if (b_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  // MQTT variable byte integer; `bad` set for more than four bytes.
  bool varint(std::uint32_t& out, bool& bad) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      std::uint8_t c = 0;
      if (!byte(c)) return false;
      out |= static_cast<std::uint32_t>(c & 0x7F) << (7 * i);
      if ((c & 0x80) == 0) return true;
    }
    bad = true;
    return false;
  }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

ConnectParse malformed(std::string why) {
  ConnectParse p;
  p.status = ConnectParseStatus::malformed;
  p.error = std::move(why);
  return p;
}

}  // namespace

ConnectParse parse_connect_prefix(std::string_view bytes) {
  ConnectParse out;
  Reader r(bytes);
  std::uint8_t header = 0;
  if (!r.byte(header)) return out;
  if (header != 0x10) return malformed("the stream does not start with CONNECT");
  std::uint32_t remaining = 0;
  bool bad = false;
  if (!r.varint(remaining, bad)) return bad ? malformed("bad remaining length") : out;
  std::string protocol;
  if (!r.string(protocol)) return out;
  if (protocol != "MQTT" && protocol != "MQIsdp") return malformed("unknown protocol name '" + protocol + "'");
  std::uint8_t level = 0, flags = 0;
  if (!r.byte(level) || !r.byte(flags)) return out;
  auto& p = out.packet;
  p.protocol_level = level;
  if (!r.u16(p.keepalive)) return out;
  if (level == 5) {
    std::uint32_t props = 0;
    if (!r.varint(props, bad) || !r.skip(props)) return bad ? malformed("bad property length") : out;
  }
  if (!r.string(p.client_id)) return out;
  if (flags & 0x04) {
    ConnectWill will;
    will.qos = (flags >> 3) & 0x03;
    will.retain = (flags & 0x20) != 0;
    if (level == 5) {
      std::uint32_t props = 0;
      if (!r.varint(props, bad) || !r.skip(props)) return bad ? malformed("bad will property length") : out;
    }
    if (!r.string(will.topic)) return out;
    p.will = std::move(will);
  }
  out.status = ConnectParseStatus::complete;
  return out;
}

}  // namespace flexhil::broker
