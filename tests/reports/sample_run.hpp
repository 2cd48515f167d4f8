#pragma once
// A realistic ReportInput for the report tests: two devices (one refused for a wrong thumbprint,
// one publishing every 2 s at time scale 10 with string-encoded numbers), PLC changes, an
// injected action, a disconnect, and a payload carrying markup and invalid bytes.
#include <string>

#include "harness/report/report_input.hpp"

namespace flexhil::testing {

// `publishes` telemetry messages from Flexy205Self; the rest of the run is fixed.
report::ReportInput sample_run(std::size_t publishes = 30);

// The evil payload published once by the sample: markup, a quote, a control char, invalid UTF-8.
inline const std::string evil_payload = "{\"Temperature\":\"21.5\",\"note\":\"</pre><script>alert(1)</script>\x01\xff\"}";

}  // namespace flexhil::testing
