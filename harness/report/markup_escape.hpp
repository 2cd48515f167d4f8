#pragma once
// Escaping for everything user-controlled that ends up in junit.xml or report.html (device ids,
// topics, payload excerpts, finding messages). Payloads are arbitrary bytes: the escaper also
// makes the text valid for XML 1.0 (no control characters, valid UTF-8), so a CI system never
// rejects a report because a device published garbage.
#include <string>
#include <string_view>

namespace flexhil::report {

// & < > " ' become entities; invalid UTF-8 becomes U+FFFD; characters XML 1.0 forbids
// (C0 controls except tab/newline/carriage return, U+FFFE, U+FFFF) are dropped.
// Valid both as XML/HTML text and inside quoted attributes.
std::string escape_markup(std::string_view text);

// Like escape_markup but also removes newlines (for one-line attributes such as failure messages).
std::string escape_markup_line(std::string_view text);

}  // namespace flexhil::report
