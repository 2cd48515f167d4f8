#pragma once
// A device twin as the hub keeps it: desired and reported properties, each with its own
// `$version` (starting at 1, +1 per change). Patches follow JSON merge semantics (null removes a
// property, objects merge recursively). Pure.
#include <string>
#include <string_view>

#include "common/event.hpp"

namespace flexhil::broker {

class TwinState {
 public:
  TwinState() = default;
  TwinState(Json desired, Json reported);

  // {"desired":{…,"$version":n},"reported":{…,"$version":m}} — the twin GET answer.
  Json document() const;
  long long desired_version() const noexcept { return desired_version_; }
  long long reported_version() const noexcept { return reported_version_; }
  const Json& desired() const noexcept { return desired_; }
  const Json& reported() const noexcept { return reported_; }

  struct PatchResult {
    int status = 0;         // 204 applied, 400 malformed (not a JSON object)
    long long version = 0;  // the reported $version after the patch (unchanged on 400)
    std::string error;      // why 400
  };
  // A reported-properties PATCH as the device sends it (raw payload bytes).
  PatchResult patch_reported(std::string_view payload);
  // A desired-properties patch from the harness; returns the new desired $version.
  // Throws std::invalid_argument when `patch` is not an object.
  long long patch_desired(const Json& patch);

 private:
  Json desired_ = Json::object();
  Json reported_ = Json::object();
  long long desired_version_ = 1;
  long long reported_version_ = 1;
};

// JSON merge patch (RFC 7396) limited to objects; keys starting with '$' are ignored.
void merge_patch(Json& target, const Json& patch);

}  // namespace flexhil::broker
