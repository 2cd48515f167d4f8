#pragma once
// One HTTP/1.1 exchange over plain TCP, as the emulated Flexy performs PUTHTTP, GETHTTP and
// REQUESTHTTPX against a host [actions] resolve maps: connect to "ip:port", send the request,
// read the whole response. Blocking, with one deadline for the whole exchange; `cancel_fd`
// (an eventfd, or -1) becoming readable ends it early. Called on a worker thread
// (action_runner.hpp), never on the BASIC thread.
#include <chrono>
#include <string>

#include "common/http_message.hpp"

namespace flexhil::flexy {

struct HttpExchange {
  bool answered = false;   // a complete response arrived (any status)
  http::Response response; // when answered
  std::string error;       // why not: "connection refused", "timed out after 10 s", …
};

HttpExchange http_exchange(const std::string& address, const http::Request& request, std::chrono::milliseconds timeout,
                           int cancel_fd = -1);

}  // namespace flexhil::flexy
