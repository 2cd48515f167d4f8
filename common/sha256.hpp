#pragma once
// SHA-256 of bytes as lower-case hex: how events identify content (an action's payload, a body an
// endpoint received) without storing it.
#include <string>
#include <string_view>

namespace flexhil {

std::string sha256_hex(std::string_view data);

}  // namespace flexhil
