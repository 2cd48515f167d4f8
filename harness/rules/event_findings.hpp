#pragma once
// The findings the rules raise on one event seen alone: what `flexhil hub` prints under a device
// message or an accepted connect, live, on a bench. It runs the same rules as a run
// (rules.hpp, evaluate) on that single event, so the console and a report never disagree; only
// the families that judge one message or one connect are kept (AUTH-, TOPIC-, PROPS-, PAYLOAD-,
// TIME-): cadence, values, reconnects and capture integrity need the whole stream.
#include <vector>

#include "common/event.hpp"
#include "harness/rules/expectations.hpp"
#include "harness/rules/finding.hpp"

namespace flexhil::rules {

// A bench hub has no scenario: no expected devices or deadlines, timestamps read from
// `timestamp_key` ("" = none), the hub's defaults otherwise.
Expectations bench_expectations(const std::string& timestamp_key = "time");

std::vector<Finding> single_event_findings(const Json& event, const Expectations& expect);

}  // namespace flexhil::rules
