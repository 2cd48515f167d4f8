#pragma once
// MQTT passwords as they may appear in capture.jsonl (a 0644 file, attached to tickets): only
// what is known to be harmless is kept, by allow-list, so no spelling of a secret gets through.
//   SAS  "SharedAccessSignature sr=…&sig=…&se=…&skn=…" (prefix in any case, fields in any
//        order): sr, se and skn are kept when their values look like what they are; sig and
//        every other field become "<name>=<redacted>"; a field whose name is not plain text,
//        or that has no '=', becomes "<redacted N bytes>".
//   eWON X.509 marker "HostName=…;DeviceId=…;x509=true": HostName, DeviceId, ModuleId and
//        x509=true are kept; any other field (a key appended to it) is redacted the same way.
//   anything else: "<redacted N bytes>".
#include <optional>
#include <string>

namespace flexhil::broker {

std::string redact_password(const std::optional<std::string>& password);

}  // namespace flexhil::broker
