#include "harness/rules/catalogue.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace flexhil::rules {
namespace {

using S = Severity;
using H = HubBehaviour;

RuleInfo rule(std::string id, std::string area, S severity, H hub, std::string title,
              std::string description) {
  return RuleInfo{std::move(id), std::move(area), severity, hub, std::move(title),
                  std::move(description), Scope::any};
}

// The rules that judge what only Azure IoT Hub asks for: its username grammar and device
// registry, SAS and X.509, its topics and property bags, its limits and tiers, C2D, twin and
// direct methods, its host name. Against a plain MQTT broker they are "not applicable".
bool azure_only(const RuleInfo& r) {
  // The CA-bundle rules judge a bundle against Azure's roots: a plain broker has its own CA.
  static const char* const ids[] = {"CONN-TOO-MANY-SUBSCRIPTIONS", "PAYLOAD-TOO-LARGE", "DUT-HUB-HOST-MISMATCH",
                                    "METHOD-NO-RESPONSE", "TLS-CA-BUNDLE-OUTDATED", "TLS-CA-BUNDLE-MISSING-G2"};
  for (const char* id : ids)
    if (r.id == id) return true;
  return (r.area == "AUTH" && r.id != "AUTH-REFUSED") || r.area == "TOPIC" || r.area == "PROPS" ||
         r.area == "THROTTLE" || r.area == "QUOTA";
}

std::vector<RuleInfo> build() {
  std::vector<RuleInfo> r{
      // --- AUTH: verdicts of the impersonated hub on CONNECT (the connect event's reason_id) ---
      rule("AUTH-CLIENTID-INVALID", "AUTH", S::error, H::refuses,
           "ClientId is not a valid device id",
           "The MQTT ClientId must be `{deviceId}` or `{deviceId}/{moduleId}`: at most 128 ASCII "
           "alphanumerics and `- : . + % _ # * ? ! ( ) , = @ ; $ '`. The real hub answers CONNACK 5 "
           "(inferred). Source: the connect event's reason_id."),
      rule("AUTH-USERNAME-FORMAT", "AUTH", S::error, H::refuses, "Username is not an IoT Hub username",
           "The username must be `{hub}.azure-devices.net/{deviceId}/…` in one of the forms the hub "
           "accepts (current `?api-version=`, SDK, legacy `api-version=` without `?`, no api-version, "
           "module). Anything else is refused with CONNACK 5."),
      rule("AUTH-USERNAME-HOST", "AUTH", S::error, H::refuses,
           "Username host part is not the hub's host name",
           "The first segment of the username must equal `{hub}.azure-devices.net` of the hub the "
           "device connects to, else CONNACK 5."),
      rule("AUTH-USERNAME-DEVICE", "AUTH", S::error, H::refuses,
           "Username device part differs from the ClientId",
           "The device segment of the username must equal the ClientId (case-sensitive), else CONNACK 5."),
      rule("AUTH-USERNAME-NO-API-VERSION", "AUTH", S::warning, H::accepts,
           "Username carries no api-version",
           "`{hub}.azure-devices.net/{deviceId}` without `api-version` is accepted, but Microsoft warns "
           "of unexpected behaviours; add `/?api-version=2021-04-12`."),
      rule("AUTH-PROTOCOL-VERSION", "AUTH", S::error, H::refuses, "MQTT protocol version is not 3.1.1",
           "IoT Hub speaks MQTT 3.1.1 (protocol level 4); MQTT 5 exists only on preview hubs and is "
           "refused with CONNACK 5 by default (policy of the hub plugin)."),
      rule("AUTH-DEVICE-UNKNOWN", "AUTH", S::error, H::refuses, "Device is not in the registry",
           "The ClientId names no device of the hub's registry: CONNACK 5."),
      rule("AUTH-DEVICE-DISABLED", "AUTH", S::error, H::refuses, "Device is disabled in the registry",
           "A disabled device is refused with CONNACK 5."),
      rule("AUTH-SAS-FORMAT", "AUTH", S::error, H::refuses, "Password is not a valid SAS token",
           "The password must be `SharedAccessSignature ` (one space) followed by `sr`, `sig`, `se` "
           "(and optionally `skn`) in any order; a malformed token is refused with CONNACK 5."),
      rule("AUTH-SAS-RESOURCE", "AUTH", S::error, H::refuses, "SAS resource (sr) does not cover the device",
           "The decoded `sr` must be a case-insensitive segment-wise prefix of "
           "`{hub}.azure-devices.net/devices/{deviceId}` (policy tokens may use the hub only)."),
      rule("AUTH-SAS-SIGNATURE", "AUTH", S::error, H::refuses, "SAS signature does not verify",
           "HMAC-SHA256 over `sr_as_transmitted + \"\\n\" + se` with the base64-decoded primary or "
           "secondary key must equal `sig`; otherwise CONNACK 5."),
      rule("AUTH-SAS-EXPIRED", "AUTH", S::error, H::refuses, "SAS token expired",
           "`se` lies in the past (5 min clock skew allowed): CONNACK 5. Reported also when the "
           "signature does not verify either (the reason says so): a token hard-coded long ago must be "
           "made anew first. A token that expires while connected gets the device disconnected (see "
           "CONN-DISCONNECTED, reason sas-expired)."),
      rule("AUTH-SAS-POLICY", "AUTH", S::error, H::refuses, "SAS policy is not allowed to connect devices",
           "`skn` with a device-key token, an unknown policy, or a policy without DeviceConnect: CONNACK 5."),
      rule("AUTH-X509-NO-CERTIFICATE", "AUTH", S::error, H::refuses, "X.509 device presented no certificate",
           "The hub requests an optional client certificate on its one 8883 and completes the handshake "
           "without one; a device registered for X.509 authentication that sent none gets CONNACK 5."),
      rule("AUTH-X509-THUMBPRINT", "AUTH", S::error, H::refuses,
           "Certificate thumbprint matches neither registered thumbprint",
           "For a self-signed device the SHA-1 or SHA-256 thumbprint of the presented certificate must "
           "equal the primary or secondary thumbprint of the registry; else CONNACK 5 (the TLS handshake "
           "itself accepts any certificate, a registered thumbprint alone is enough)."),
      rule("AUTH-X509-EXPIRED", "AUTH", S::error, H::refuses, "Certificate outside its validity dates",
           "The hub checks notBefore/notAfter of the device certificate at CONNECT (the TLS handshake "
           "completes): CONNACK 5, the reason naming the date."),
      rule("AUTH-X509-UNKNOWN-CA", "AUTH", S::error, H::refuses,
           "Certificate chain does not verify to a registered CA",
           "A CA-signed device certificate must chain to a CA registered and verified in the hub; one "
           "that does not completes the TLS handshake and gets CONNACK 5."),
      rule("AUTH-X509-CN-MISMATCH", "AUTH", S::error, H::refuses, "Certificate CN differs from the device id",
           "A CA-signed device certificate must have `CN={deviceId}`."),
      rule("AUTH-MODE-MISMATCH", "AUTH", S::error, H::refuses,
           "Authentication method differs from the registered one",
           "A SAS device connecting with a certificate only, or an X.509 device sending a SAS token "
           "without a certificate, is refused with CONNACK 5."),
      rule("AUTH-BROKER-CREDENTIALS", "AUTH", S::error, H::refuses,
           "Plain broker refused the username or password",
           "Against a plain MQTT broker (`[broker]` with `users`): the CONNECT named no user, an "
           "unknown user, or a wrong password. The broker answers as mosquitto does: CONNACK 5 (not "
           "authorised) in MQTT 3.1.1, reason code 0x87 in MQTT 5. The connect event's reason names "
           "the user, never the password. Not applicable against the hub."),
      rule("AUTH-REFUSED", "AUTH", S::error, H::refuses, "Connection refused (other reason)",
           "A refusal whose reason the hub plugin did not classify; the finding carries the reason."),
      // --- TLS ---
      rule("TLS-HANDSHAKE-FAILED", "TLS", S::error, H::refuses, "TLS handshake failed",
           "The device and the hub did not complete a TLS handshake (TLS < 1.2, weak cipher suites, "
           "a device that rejects the hub certificate). A client certificate never fails the handshake: "
           "the hub judges it at CONNECT (AUTH-X509-*). Source: tls_failure events with OpenSSL's reason."),
      rule("TLS-CA-BUNDLE-OUTDATED", "TLS", S::error, H::refuses,
           "The device's CA bundle holds only retired or expired roots",
           "The user's real CA bundle (`[dut] user_ca_file`, or the file already at `[dut] ca_file` in "
           "the scenario's usr folder) holds no root today's Azure IoT Hub chains to, only roots it "
           "used to (Baltimore CyberTrust Root: the hub moved to DigiCert Global Root G2 in 2023, and "
           "Baltimore expired on 2025-05-12) or certificates expired at the run's date. The run "
           "passes because the emulated Flexy trusts the harness's CA; on the real hub the TLS "
           "handshake fails. Add DigiCert Global Root G2 and Microsoft RSA Root Certificate "
           "Authority 2017 to the bundle. Source: the ca_bundle event (verdict `outdated`)."),
      rule("TLS-CA-BUNDLE-MISSING-G2", "TLS", S::error, H::refuses,
           "The device's CA bundle lacks DigiCert Global Root G2",
           "The user's real CA bundle holds neither DigiCert Global Root G2, the root Azure IoT Hub's "
           "server certificates chain to, nor Microsoft RSA Root Certificate Authority 2017, the "
           "alternative Microsoft documents (e.g. only a lab bench CA, or another cloud's roots): "
           "the TLS handshake fails on the real hub. A bundle with the Microsoft root but not G2 "
           "passes (the verdict says so). Source: the ca_bundle event (verdict `missing-g2`)."),
      // --- CONN ---
      rule("CONN-NOT-CONNECTED-WITHIN", "CONN", S::error, H::accepts,
           "Device did not connect within the expected time",
           "Each device of the scenario must be connected (CONNACK 0) within `[expect] connect_within` "
           "of the run start; the message says when it connected, or that it never did."),
      rule("CONN-NO-RECONNECT", "CONN", S::error, H::accepts, "Device did not reconnect after a drop",
           "After a disconnect (or a broker restart action) the device must be connected again "
           "within `[expect] reconnect_within`. Drops too close to the end of the run are not judged."),
      rule("CONN-DISCONNECTED", "CONN", S::warning, H::disconnects, "Hub dropped the connection",
           "The hub closed the device's connection (kicked for a forbidden topic or QoS 2, keep-alive "
           "expired, SAS token expired, replaced by a second connection with the same id, error). "
           "The message carries the plugin's reason and detail. Disconnects the device asked for "
           "(reason `client`) are not findings."),
      rule("CONN-TOO-MANY-SUBSCRIPTIONS", "CONN", S::error, H::disconnects, "More than 5 subscriptions",
           "IoT Hub allows at most 5 subscriptions per connection; more → disconnect (inferred)."),
      // --- TOPIC / PROPS ---
      rule("TOPIC-FORBIDDEN", "TOPIC", S::error, H::disconnects, "Publish or subscribe on a topic IoT Hub does not know",
           "Allowed publish topics: `devices/{id}/messages/events/[bag]`, `$iothub/twin/GET/?$rid=`, "
           "`$iothub/twin/PATCH/properties/reported/?$rid=`, `$iothub/methods/res/{status}/?$rid=`. "
           "Allowed subscriptions: `devices/{id}/messages/devicebound/#`, `$iothub/twin/res/#`, "
           "`$iothub/twin/PATCH/properties/desired/#`, `$iothub/methods/POST/#`. Anything else → "
           "disconnect (inferred from Microsoft engineers' statements)."),
      rule("TOPIC-OTHER-DEVICE", "TOPIC", S::error, H::disconnects, "Topic of another device",
           "A device published or subscribed on `devices/{otherId}/…`: disconnect (inferred)."),
      rule("TOPIC-RETAIN-USED", "TOPIC", S::warning, H::accepts, "Retain flag set on a publish",
           "IoT Hub does not store retained messages; it forwards the message with the application "
           "property `mqtt-retain=true`. The flag is useless and misleads consumers."),
      rule("TOPIC-QOS2", "TOPIC", S::error, H::disconnects, "Publish at QoS 2",
           "IoT Hub supports QoS 0 and 1; a QoS 2 publish gets the device disconnected per the docs "
           "(one 2025 report saw a PUBACK; the hub plugin makes it a policy)."),
      rule("TOPIC-WILL-NOT-TELEMETRY", "TOPIC", S::error, H::refuses, "Will topic is not the telemetry topic",
           "IoT Hub takes a will only on the device's telemetry topic `devices/{id}/messages/events/[bag]` "
           "and sends it, when the device drops without DISCONNECT, as telemetry with "
           "`iothub-MessageType=Will`. Another will topic is refused with CONNACK 5 (inferred; the hub "
           "plugin's `will_policy accept` accepts the connection and reports this finding instead)."),
      rule("PROPS-MISSING-CONTENT-TYPE", "PROPS", S::error, H::downstream_breaks,
           "Telemetry without $.ct=application/json and $.ce=utf-8",
           "Message routing and Stream Analytics treat a body without content type and encoding as "
           "binary, so JSON queries see nothing. Append `$.ct=application%2Fjson&$.ce=utf-8` to the "
           "telemetry topic. Policy `[expect] content_type = \"require\"` (default) or `\"ignore\"`."),
      // --- PAYLOAD ---
      rule("PAYLOAD-INVALID-UTF8", "PAYLOAD", S::error, H::downstream_breaks, "Payload is not valid UTF-8",
           "Routing queries and Stream Analytics need UTF-8; the message reports the byte offset of "
           "the first invalid sequence."),
      rule("PAYLOAD-INVALID-JSON", "PAYLOAD", S::error, H::downstream_breaks, "Payload is not valid JSON",
           "A strict JSON scanner (RFC 8259) rejects the body; the message reports the byte offset and "
           "what was expected there. Downstream consumers drop or mis-route such messages."),
      rule("PAYLOAD-DUPLICATE-KEY", "PAYLOAD", S::error, H::downstream_breaks, "Duplicate key in a JSON object",
           "The same key appears twice in one object (at any depth) — e.g. a tag selected in two "
           "groups. Parsers keep one of them, and which one differs between consumers."),
      rule("PAYLOAD-UNESCAPED-CHAR", "PAYLOAD", S::error, H::downstream_breaks,
           "Unescaped quote or control character in a JSON string",
           "JSON built by string concatenation without escaping: a raw control character (U+0000–U+001F) "
           "inside a string, or a `\"` inside a tag name or value that ends the string early."),
      rule("PAYLOAD-NUMBER-AS-STRING", "PAYLOAD", S::warning, H::downstream_breaks,
           "Numeric value sent as a JSON string",
           "`\"Temperature\":\"21.5\"` instead of `21.5`: queries compare strings, aggregates fail. "
           "Policy `[expect] numbers_as_strings = \"finding\"` (default) or `\"ok\"`."),
      rule("PAYLOAD-MISSING-KEY", "PAYLOAD", S::error, H::downstream_breaks, "Required key missing",
           "Every telemetry object must carry the keys of `[expect] required_keys`."),
      rule("PAYLOAD-TOO-LARGE", "PAYLOAD", S::error, H::disconnects, "D2C message larger than 256 KB",
           "Body plus property names and values over 256 KB: the hub rejects it (disconnect, inferred)."),
      // --- TIME ---
      rule("TIME-FORMAT", "TIME", S::error, H::downstream_breaks, "Timestamp not in the expected format",
           "`[expect] timestamp_format = \"iso8601\"` wants `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`; "
           "`\"flexy\"` accepts also `YYYY-MM-DD HH:MM:SS` as the reference script builds it from TIME$. "
           "The timestamp is read from `[expect] timestamp_key` (default `time`)."),
      rule("TIME-NO-ZONE", "TIME", S::error, H::downstream_breaks, "Local time without a zone",
           "A timestamp without `Z` or an offset (e.g. `2026-11-26 09:00:00`) is read as UTC by Data "
           "Explorer, so local time is shifted by the device's UTC offset."),
      rule("TIME-SKEW", "TIME", S::warning, H::downstream_breaks, "Timestamp far from the receive time",
           "|timestamp − time received by the hub| larger than `[expect] max_clock_skew`. A timestamp "
           "without zone is read in the DUT's time zone when the scenario knows it (`[expect] "
           "utc_offset`), else as UTC. Receive times are scenario times (time scale applied)."),
      rule("TIME-BACKWARDS", "TIME", S::warning, H::downstream_breaks, "Timestamps go backwards",
           "A telemetry timestamp earlier than the previous one of the same device."),
      // --- CADENCE ---
      rule("CADENCE-FULL-PUSH", "CADENCE", S::error, H::accepts, "Full-push period or jitter off",
           "Intervals between consecutive full pushes (scenario time) must equal `[expect] "
           "full_push_period` ± `period_tolerance`. Intervals spanning a disconnect are skipped. "
           "A publish is a full push when it carries every selected tag (see docs/rules.md, classification)."),
      rule("CADENCE-CHANGE-PUSH", "CADENCE", S::error, H::accepts, "Change-push period off",
           "Intervals between change pushes must be whole multiples of `[expect] change_push_period` "
           "± `period_tolerance` (a change push happens on the timer tick after a change)."),
      rule("CADENCE-CHANGE-PUSH-UNCHANGED-TAGS", "CADENCE", S::warning, H::accepts,
           "Change push carries tags that did not change",
           "A change push should carry only the tags whose value changed since they were last "
           "published; some of its tags repeat their last published value."),
      rule("CADENCE-FULL-PUSH-INCOMPLETE", "CADENCE", S::error, H::downstream_breaks,
           "Full push does not carry every selected tag exactly once",
           "A full push carries a tag more than once (tag in several selected groups) or keys that "
           "are no selected tag; consumers see duplicates or unexpected columns."),
      rule("CADENCE-PUBLISH-WITHOUT-CHANGE", "CADENCE", S::warning, H::accepts,
           "Change push although nothing changed",
           "A change push whose every tag repeats its last published value: traffic and quota spent "
           "for nothing."),
      rule("CADENCE-PUBLISH-WHILE-DISCONNECTED", "CADENCE", S::error, H::accepts,
           "Device tried to publish while disconnected",
           "The DUT's program called MQTT PUBLISH while the client was not connected (seen in the "
           "DUT log/console; the hub never sees these), so the data is lost. Check MQTT(\"STATUS\") = 5 "
           "before publishing. A program that did read STATUS = 5 in the same request and lost the "
           "connection before its PUBLISH lost a race, not a check: the emulated Flexy marks that "
           "(`checked_status`) and it is not reported."),
      // --- VALUE ---
      rule("VALUE-MISMATCH", "VALUE", S::error, H::accepts, "Published value the PLC never held",
           "Each published tag value must equal a value its PLC point held within `[expect] "
           "value_window` before the publish, after the tag's type, Coef/Offset and the Flexy's STR$ "
           "number formatting (relative tolerance 1e-5 for float32). Mapping tag → PLC point from "
           "`[[expect.tag]]`."),
      rule("VALUE-LATENCY", "VALUE", S::warning, H::accepts, "Change published too late",
           "A PLC change that held at least `max_change_latency` was published later than "
           "`[expect] max_change_latency` after it happened (scenario time). Judged only when the "
           "device stayed connected for the whole `max_change_latency` after the change: a change "
           "lost to a drop, a hub restart or a WAN cut is CADENCE-PUBLISH-WHILE-DISCONNECTED's and "
           "the CONN- rules' to judge. A publish late by no more than a delay of our own told "
           "meanwhile (`dut_timer_late`, `dut_publish_late`, `hub_stall`: a busy machine) is not "
           "the device's and raises nothing."),
      rule("VALUE-NEVER-PUBLISHED", "VALUE", S::error, H::accepts, "PLC change never published",
           "A PLC change that held at least `max_change_latency` while the device was connected "
           "(for the whole `max_change_latency` after the change, as for VALUE-LATENCY) never "
           "appeared in any publish."),
      // --- THROTTLE / QUOTA ---
      rule("THROTTLE-D2C-RATE", "THROTTLE", S::warning, H::accepts, "D2C rate above the tier's throttle",
           "D2C sends per second (scenario time, whole hub) above max(100/s, 12/s/unit) on S1, "
           "120/s/unit on S2, 6000/s/unit on S3: the real hub delays, then errors. Needs `[hub] tier`."),
      rule("THROTTLE-CONNECT-RATE", "THROTTLE", S::warning, H::accepts, "New connections above the tier's throttle",
           "CONNECTs per second (scenario time, whole hub: a fleet coming up or coming back) above the "
           "tier's new-connection throttle, the same max(100/s, 12/s/unit) on S1, 120/s/unit on S2, "
           "6000/s/unit on S3: the real hub delays, then refuses. Stagger the start or add jitter to the "
           "reconnects. Needs `[hub] tier`."),
      // --- FLEET ---
      rule("FLEET-RECONNECT-HERD", "FLEET", S::warning, H::accepts, "The fleet reconnects in lockstep after a hub restart",
           "After a broker restart, half or more of the devices that come back (ten or more) send their "
           "first CONNECT within the same second: a thundering herd that a real hub throttles "
           "(THROTTLE-CONNECT-RATE) and that retries in lockstep again. Devices should reconnect with "
           "an exponential backoff and random jitter. Judged for scenarios with ten devices or more."),
      // --- OUTAGE: what the program does with the data of an outage ---
      rule("OUTAGE-DATA-LOST", "OUTAGE", S::warning, H::accepts, "An outage's data never arrived",
           "During an outage the device could not help and the scenario sets the length of — a WAN cut, a "
           "link cut or blackhole towards the hub (not a flap, not a hub restart) — of three expected periods or more, "
           "fewer than half the samples it should have taken arrived with a timestamp inside the outage, "
           "then or later: the program neither held its messages nor stored and forwarded them, and "
           "the cloud's charts have a hole. Needs `timestamp_key` and an expected period."),
      rule("OUTAGE-DUPLICATE-AFTER-RECONNECT", "OUTAGE", S::warning, H::accepts,
           "The same message arrived again after a reconnect",
           "A telemetry message with a timestamp arrived twice, byte for byte, with a reconnect of the "
           "device in between (a QoS 1 redelivery of an unacknowledged PUBLISH, or a program re-sending "
           "its last message): IoT Hub does not deduplicate, so the cloud counts the sample twice."),
      rule("QUOTA-DAILY", "QUOTA", S::warning, H::accepts, "Daily message quota would be exhausted",
           "Messages per day (metered in 4 KB chunks) extrapolated from the run exceed the tier's "
           "quota: S1 400,000, S2 6,000,000, S3 300,000,000 per unit. Needs `[hub] tier`."),
      // --- DUT ---
      rule("DUT-RUNTIME-ERROR", "DUT", S::error, H::accepts, "Runtime error in the device's program",
           "The DUT logged an error: a BASIC runtime error (e.g. an ONMQTT target label that does not "
           "exist, raised only when a C2D message arrives) or an error the program logged itself "
           "(LOGEVENT …, 1); log lines of the runtime's MQTT client and IO server are left to the CONN-… "
           "and VALUE-… rules. Source: dut_log events of level error (\"error\" or 1). "
           "Publishes attempted while disconnected are CADENCE-PUBLISH-WHILE-DISCONNECTED instead."),
      rule("DUT-HUB-HOST-MISMATCH", "DUT", S::error, H::refuses,
           "The program dials another hub's host name",
           "The program's MQTT \"OPEN\" host (built from its IoT Hub name, e.g. IotHubName$) is a "
           "*.azure-devices.net name other than the hub the scenario runs: on site that name does not "
           "resolve (or is somebody else's hub), so the device never connects and only \"does not "
           "resolve\" is logged. Both names are in the finding. Source: dut_log events with "
           "`unresolved_host` and `routed_hosts`."),
      rule("DUT-TLS-FILE", "DUT", S::error, H::refuses, "A TLS file of the device's program cannot be used",
           "The CAFile, CertFile or KeyFile the program sets with MQTT \"SETPARAM\" is missing from /usr, "
           "unreadable, not PEM, an encrypted key, or a key that does not belong to the certificate: the "
           "Flexy cannot open the TLS connection at all (MQTT \"CONNECT\" fails with LSTERR 29, status "
           "stays disconnected), so the hub never sees the device. Upload the file by FTP to /usr/ or fix "
           "the name in the program. Source: dut_log events with a `tls_file` field (parameter, file, reason)."),
      rule("DUT-ACTION-MISSING", "DUT", S::error, H::accepts, "An expected outbound action never started",
           "The scenario's [expect] actions lists an outbound action (sendmail, sendsms, putftp, …) the "
           "device's program must start during the run, and it did not: the alarm mail, SMS or report "
           "file would never reach anybody on site. Nothing leaves the machine in a run; each action the "
           "program starts is a dut_action event. Source: dut_action events with phase \"start\"."),
      // --- HARNESS: our own parts failed; the device is not to blame (exit code 3) ---
      rule("HARNESS-HUB-DOWN", "HARNESS", S::error, H::accepts, "The impersonated hub failed during the run",
           "mosquitto exited without being asked to (killed, crashed), stopped answering the "
           "harness's liveness ping through the plugin (frozen, e.g. SIGSTOP), or did not come back "
           "after a requested restart. Source: hub_error events with `cause` exited, unresponsive or "
           "not-ready. What the device did afterwards is not judged on its merits: the run stops "
           "early and exits 3."),
      rule("HARNESS-PLC-DOWN", "HARNESS", S::error, H::accepts, "The PLC simulator failed during the run",
           "The PLC simulator's server thread ended on an error (its poll loop or listening socket "
           "failed). Source: plc_error events. Injected `plc_fault`s are not failures. The run stops "
           "early and exits 3."),
      rule("HARNESS-CAPTURE-GAP", "HARNESS", S::error, H::accepts, "Events are missing from the capture",
           "The hub's audit stream numbers its events per broker start (`src`, `src_seq` 1, 2, 3, …); "
           "a gap, a repeated number, a stream that ends before the last seq its `audit_end` declared, "
           "or an unreadable audit line means the capture is incomplete, so no verdict on the "
           "device may rest on it. Source: capture_gap events, and the same check re-run over the "
           "capture offline. Exit 3."),
      rule("HARNESS-HOST-LAG", "HARNESS", S::error, H::accepts,
           "Our own parts fell behind the scenario's time",
           "The emulated Flexy reports every timer (TSET) expiry it handles 100 ms (scenario time) or "
           "more after it was due while it was not running the program (dut_timer_late, `late_s`) and "
           "every PUBLISH its MQTT client took 100 ms or more to write or get acknowledged "
           "(dut_publish_late: paho's threads serve every client of a fleet), and the hub every time "
           "mosquitto's loop was held up 250 ms or more (hub_stall, "
           "`stalled_s`, real seconds: a burst of TLS handshakes, a starved host). A CADENCE-… "
           "interval out of tolerance by no more than such a delay, told within a second (scenario "
           "time) of the interval, is our doing and is not judged. When a quarter or more of a "
           "device's intervals are left out, its cadence has no verdict: this finding, exit 3. Lower "
           "`time_scale` or the machine's load."),
      rule("METHOD-NO-RESPONSE", "METHOD", S::error, H::accepts, "Direct method not answered",
           "A direct method request got no response on `$iothub/methods/res/{status}/?$rid=` before "
           "the end of the run (the real hub times out the caller)."),
  };
  for (auto& info : r)
    if (info.id == "AUTH-BROKER-CREDENTIALS")
      info.scope = Scope::broker;
    else if (azure_only(info))
      info.scope = Scope::hub;
  std::sort(r.begin(), r.end(), [](const RuleInfo& a, const RuleInfo& b) {
    return a.area != b.area ? a.area < b.area : a.id < b.id;
  });
  return r;
}

}  // namespace

const std::vector<RuleInfo>& catalogue() {
  static const std::vector<RuleInfo> rules = build();  // immutable after first use
  return rules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : catalogue())
    if (r.id == id) return &r;
  return nullptr;
}

bool applies(const RuleInfo& rule, Target target) {
  return rule.scope == Scope::any || (rule.scope == Scope::hub) == (target == Target::hub);
}

bool applies(std::string_view id, Target target) {
  const auto* r = find_rule(id);
  return !r || applies(*r, target);
}

std::vector<std::string> not_applicable_rules(Target target) {
  std::vector<std::string> out;
  for (const auto& r : catalogue())
    if (!applies(r, target)) out.push_back(r.id);
  return out;
}

std::string_view not_applicable_reason(Target target) {
  return target == Target::broker ? "not applicable: the device publishes to a plain MQTT broker, not Azure IoT Hub"
                                  : "not applicable: the device publishes to Azure IoT Hub, not a plain MQTT broker";
}

std::string catalogue_markdown() {
  std::string out =
      "# Rules catalogue\n\n"
      "<!-- GENERATED by `flexhil rules --markdown` from harness/rules/catalogue.cpp — do not edit; "
      "tests/rules checks this file equals the generated output. -->\n\n"
      "Each rule has a stable id, a severity, what the real Azure IoT Hub does (`refuses` = CONNACK 5, "
      "`disconnects`, `accepts`, `downstream-breaks` = accepted by the hub but breaks Stream "
      "Analytics, Data Explorer or routing) and evidence (the `seq` of the capture events involved).\n"
      "Findings are aggregated per rule and device: one finding with the count and the first "
      "evidence events.\n\n"
      "## Classification of telemetry: full push or change push\n\n"
      "A telemetry publish whose JSON object carries every selected tag (the `[[expect.tag]]` names, "
      "or when none are declared the union of all tag keys seen from that device) is a **full push**; "
      "one carrying a strict subset is a **change push**. The timestamp key and `required_keys` are not "
      "tags. A change push in which every tag changed also carries all tags: a publish carrying every "
      "tag whose values ALL differ from their last published ones counts as a full push only when it "
      "comes on the full-push schedule (previous full push + `full_push_period` ± `period_tolerance`); "
      "one with at least one unchanged tag is a full push, unless it comes less than half a period "
      "after the previous full push (both timers firing together). Full-push rules look at "
      "full pushes only, change-push rules at change pushes only.\n\n"
      "## Where a rule applies\n\n"
      "Against the impersonated hub (`[hub]`) every rule except the `broker only` ones runs. Against a "
      "plain MQTT broker (`[broker]`) the `hub only` rules — username grammar and registry, SAS and "
      "X.509, topics and property bags, hub limits and tiers, C2D, twin and direct methods — are not "
      "run: reports list them as *not applicable* (JUnit `<skipped>`), never as passed. Telemetry "
      "against a plain broker is every publish of the device, or those matching `[expect] "
      "telemetry_topic`.\n\n"
      "| id | area | severity | hub | applies to | title |\n|---|---|---|---|---|---|\n";
  for (const auto& r : catalogue())
    out += fmt::format("| [`{}`](#{}) | {} | {} | {} | {} | {} |\n", r.id,
                       [&] {
                         std::string a = r.id;
                         std::transform(a.begin(), a.end(), a.begin(),
                                        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                         return a;
                       }(),
                       r.area, to_string(r.severity), to_string(r.hub), to_string(r.scope), r.title);
  std::string area;
  for (const auto& r : catalogue()) {
    if (r.area != area) {
      area = r.area;
      out += fmt::format("\n## {}\n", area);
    }
    out += fmt::format("\n### {}\n\n**{}** · severity `{}` · hub `{}` · {}\n\n{}\n", r.id, r.title,
                       to_string(r.severity), to_string(r.hub), to_string(r.scope), r.description);
  }
  return out;
}

}  // namespace flexhil::rules
