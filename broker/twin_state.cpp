#include "broker/twin_state.hpp"

#include <stdexcept>

#include "common/json_read.hpp"

namespace flexhil::broker {

TwinState::TwinState(Json desired, Json reported)
    : desired_(desired.is_object() ? std::move(desired) : Json::object()),
      reported_(reported.is_object() ? std::move(reported) : Json::object()) {}

void merge_patch(Json& target, const Json& patch) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!it.key().empty() && it.key().front() == '$') continue;  // $version etc. belong to the hub
    if (it.value().is_null()) {
      target.erase(it.key());
    } else if (it.value().is_object()) {
      auto& slot = target[it.key()];
      if (!slot.is_object()) slot = Json::object();
      merge_patch(slot, it.value());
    } else {
      target[it.key()] = it.value();
    }
  }
}

Json TwinState::document() const {
  Json d = desired_;
  d["$version"] = desired_version_;
  Json r = reported_;
  r["$version"] = reported_version_;
  return Json{{"desired", std::move(d)}, {"reported", std::move(r)}};
}

TwinState::PatchResult TwinState::patch_reported(std::string_view payload) {
  PatchResult res;
  res.version = reported_version_;
  Json patch = parse_json_or_discarded(payload);  // nesting bounded (common/json_read.hpp)
  if (patch.is_discarded()) {
    res.status = 400;
    res.error = "reported patch is not valid JSON";
    return res;
  }
  if (!patch.is_object()) {
    res.status = 400;
    res.error = "reported patch must be a JSON object";
    return res;
  }
  merge_patch(reported_, patch);
  res.status = 204;
  res.version = ++reported_version_;
  return res;
}

long long TwinState::patch_desired(const Json& patch) {
  if (!patch.is_object()) throw std::invalid_argument("desired patch must be a JSON object");
  merge_patch(desired_, patch);
  return ++desired_version_;
}

}  // namespace flexhil::broker
