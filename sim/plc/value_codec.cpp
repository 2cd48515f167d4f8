#include "sim/plc/value_codec.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace flexhil::plc {
namespace {

template <typename T>
T saturate(double v) {
  if (std::isnan(v)) return 0;
  const double r = std::nearbyint(v);
  if (r <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
  if (r >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(r);
}

// Out-of-range doubles become ±infinity explicitly (the plain cast would be undefined).
float to_float(double v) {
  if (v > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
  if (v < -std::numeric_limits<float>::max()) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(v);
}

EncodedValue split32(std::uint32_t bits, WordOrder order) {
  const auto high = static_cast<std::uint16_t>(bits >> 16);
  const auto low = static_cast<std::uint16_t>(bits & 0xFFFFu);
  EncodedValue e;
  e.count = 2;
  e.words = order == WordOrder::high_first ? std::array{high, low} : std::array{low, high};
  return e;
}

std::uint32_t join32(std::span<const std::uint16_t> w, WordOrder order) {
  const std::uint32_t first = w.size() > 0 ? w[0] : 0;
  const std::uint32_t second = w.size() > 1 ? w[1] : 0;
  return order == WordOrder::high_first ? (first << 16) | second : (second << 16) | first;
}

}  // namespace

EncodedValue encode_value(double value, DataType type, WordOrder order) {
  EncodedValue e;
  switch (type) {
    case DataType::boolean:
      e.words[0] = (value != 0.0 && !std::isnan(value)) ? 1 : 0;
      break;
    case DataType::int16:
      e.words[0] = static_cast<std::uint16_t>(saturate<std::int16_t>(value));
      break;
    case DataType::uint16:
      e.words[0] = saturate<std::uint16_t>(value);
      break;
    case DataType::int32:
      e = split32(static_cast<std::uint32_t>(saturate<std::int32_t>(value)), order);
      break;
    case DataType::uint32:
      e = split32(saturate<std::uint32_t>(value), order);
      break;
    case DataType::float32:
      e = split32(std::bit_cast<std::uint32_t>(to_float(value)), order);
      break;
  }
  return e;
}

double decode_value(std::span<const std::uint16_t> w, DataType type, WordOrder order) {
  const std::uint16_t first = w.empty() ? 0 : w[0];
  switch (type) {
    case DataType::boolean: return first != 0 ? 1.0 : 0.0;
    case DataType::int16: return static_cast<std::int16_t>(first);
    case DataType::uint16: return first;
    case DataType::int32: return static_cast<std::int32_t>(join32(w, order));
    case DataType::uint32: return join32(w, order);
    case DataType::float32: return std::bit_cast<float>(join32(w, order));
  }
  return 0;
}

double quantize_value(double value, DataType type) {
  const auto e = encode_value(value, type, WordOrder::high_first);
  return decode_value(std::span(e.words.data(), static_cast<std::size_t>(e.count)), type,
                      WordOrder::high_first);
}

}  // namespace flexhil::plc
