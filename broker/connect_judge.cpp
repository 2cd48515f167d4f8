#include "broker/connect_judge.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <vector>

#include "certs/sas_token.hpp"
#include "common/ascii_case.hpp"

namespace flexhil::broker {

namespace {


std::vector<std::string_view> split_segments(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const auto slash = s.find('/', pos);
    out.push_back(s.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

struct Judge {
  const ConnectRequest& req;
  const Registry& reg;
  const ConnectPolicy& pol;
  ConnectVerdict v;

  ConnectVerdict refuse(std::string reason_id, std::string reason) {
    v.accepted = false;
    v.reason_id = std::move(reason_id);
    v.reason = std::move(reason);
    return std::move(v);
  }
  ConnectVerdict accept(std::string matched, std::string reason) {
    v.accepted = true;
    v.reason_id.clear();
    v.matched = std::move(matched);
    v.reason = v.username.reason.empty() ? std::move(reason) : reason + "; " + v.username.reason;
    return std::move(v);
  }

  ConnectVerdict sas(const Device& dev) {
    if (!req.password || req.password->empty()) {
      if (req.certificate)
        return refuse("AUTH-MODE-MISMATCH",
                      fmt::format("device '{}' is registered for SAS but presented only a client certificate "
                                  "(no SharedAccessSignature password)",
                                  dev.id));
      return refuse("AUTH-SAS-FORMAT", fmt::format("device '{}' uses SAS but sent no password", dev.id));
    }
    std::string error;
    const auto token = certs::parse_sas_token(*req.password, &error);
    if (!token) return refuse("AUTH-SAS-FORMAT", "malformed SAS token: " + error);
    v.sas_expiry = token->expiry;
    v.sas_skn = token->skn;

    // A module's resource is {host}/devices/{deviceId}/modules/{moduleId}.
    const auto device_path = pol.hub_host + "/devices/" +
                             (dev.module_id.empty() ? dev.id : dev.device_id + "/modules/" + dev.module_id);
    const auto segments = sr_prefix_segments(token->sr_decoded, device_path);
    if (!segments)
      return refuse("AUTH-SAS-RESOURCE", fmt::format("SAS sr '{}' does not cover '{}'", token->sr_decoded, device_path));

    // An expired token is reported as expired even when its signature is wrong too: a token
    // hard-coded in a program with a past `se` must be made anew whatever else is wrong with it.
    const bool expired = token->expiry + pol.sas_skew_seconds < req.now;
    const std::string expired_text =
        fmt::format("SAS token expired: se={} is {} s before now ({} s of clock skew allowed)", token->expiry,
                    req.now - token->expiry, pol.sas_skew_seconds);
    auto bad_signature = [&](std::string why) {
      if (expired) return refuse("AUTH-SAS-EXPIRED", expired_text + "; its signature does not verify either (" + why + ")");
      return refuse("AUTH-SAS-SIGNATURE", std::move(why));
    };
    const bool primary_ok = verify_sas_signature(*token, dev.primary_key);
    const bool secondary_ok = !primary_ok && !dev.secondary_key.empty() && verify_sas_signature(*token, dev.secondary_key);
    std::string matched;
    if (token->skn) {
      const auto* policy = reg.find_policy(*token->skn);
      const bool policy_ok = policy && verify_sas_signature(*token, policy->key);
      if (!policy_ok && (primary_ok || secondary_ok))
        return refuse("AUTH-SAS-POLICY",
                      fmt::format("token is signed with the device's {} key but names policy skn='{}'; a device-key "
                                  "token must not carry skn",
                                  primary_ok ? "primary" : "secondary", *token->skn));
      if (!policy) return refuse("AUTH-SAS-POLICY", fmt::format("unknown shared access policy skn='{}'", *token->skn));
      if (!policy_ok) return bad_signature(fmt::format("signature does not verify with the key of policy '{}'", policy->name));
      if (!policy->has(Permission::device_connect))
        return refuse("AUTH-SAS-POLICY",
                      fmt::format("policy '{}' lacks the DeviceConnect permission", policy->name));
      matched = "policy:" + policy->name;
    } else {
      if (*segments < 3)
        return refuse("AUTH-SAS-RESOURCE",
                      fmt::format("device-key token sr '{}' must name the device ('{}'); only policy tokens (skn) "
                                  "may be scoped to the hub",
                                  token->sr_decoded, device_path));
      if (!primary_ok && !secondary_ok)
        return bad_signature(
            fmt::format("signature verifies with neither the primary nor the secondary key of '{}'", dev.id));
      matched = primary_ok ? "primary" : "secondary";
    }
    if (expired) return refuse("AUTH-SAS-EXPIRED", expired_text);
    return accept(matched, fmt::format("SAS token valid ({} key), expires se={}", matched, token->expiry));
  }

  static std::string utc(std::int64_t t) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(t)));
  }

  // Why the certificate is outside its validity dates ("" = inside them).
  std::string outside_validity(const PresentedCertificate& cert) const {
    if (cert.not_after && *cert.not_after < req.now)
      return fmt::format("the client certificate (CN '{}') expired at {} (notAfter), {} s ago", cert.common_name,
                         utc(*cert.not_after), req.now - *cert.not_after);
    if (cert.not_before && *cert.not_before > req.now)
      return fmt::format("the client certificate (CN '{}') is not valid before {} (notBefore), {} s from now",
                         cert.common_name, utc(*cert.not_before), *cert.not_before - req.now);
    return {};
  }

  ConnectVerdict x509_selfsigned(const Device& dev) {
    if (!req.certificate) return no_cert(dev);
    const auto& cert = *req.certificate;
    auto matches = [&](const std::string& registered) {
      if (registered.empty()) return false;
      return iequals(registered, registered.size() == 40 ? cert.sha1 : cert.sha256);
    };
    std::string matched;
    if (matches(dev.primary_thumbprint)) matched = "primary";
    else if (matches(dev.secondary_thumbprint)) matched = "secondary";
    else
      return refuse("AUTH-X509-THUMBPRINT",
                    fmt::format("certificate thumbprint (SHA-1 {}, SHA-256 {}) matches neither registered thumbprint "
                                "of '{}' (primary {}{})",
                                cert.sha1, cert.sha256, dev.id, dev.primary_thumbprint,
                                dev.secondary_thumbprint.empty() ? "" : ", secondary " + dev.secondary_thumbprint));
    if (const auto why = outside_validity(cert); !why.empty()) return refuse("AUTH-X509-EXPIRED", why);
    const auto hash = (matched == "primary" ? dev.primary_thumbprint : dev.secondary_thumbprint).size() == 40
                          ? "SHA-1"
                          : "SHA-256";
    return accept(matched, fmt::format("certificate matches the {} thumbprint ({})", matched, hash));
  }

  ConnectVerdict x509_ca(const Device& dev) {
    if (!req.certificate) return no_cert(dev);
    const auto& cert = *req.certificate;
    if (!cert.verified_by)
      return refuse("AUTH-X509-UNKNOWN-CA",
                    fmt::format("certificate (CN '{}', SHA-1 {}) of '{}' does not chain to a registered CA ({})",
                                cert.common_name, cert.sha1, dev.id,
                                cert.chain_error.empty() ? "no CA registered" : cert.chain_error));
    if (cert.common_name != dev.id)
      return refuse("AUTH-X509-CN-MISMATCH",
                    fmt::format("certificate CN '{}' is not the device id '{}'", cert.common_name, dev.id));
    if (const auto why = outside_validity(cert); !why.empty()) return refuse("AUTH-X509-EXPIRED", why);
    return accept("ca:" + *cert.verified_by,
                  fmt::format("CA-signed certificate with CN = device id, chain verified to CA '{}'", *cert.verified_by));
  }

  ConnectVerdict no_cert(const Device& dev) {
    if (req.password && req.password->rfind("SharedAccessSignature", 0) == 0)
      return refuse("AUTH-MODE-MISMATCH",
                    fmt::format("device '{}' is registered for {} but sent a SAS token without a client certificate",
                                dev.id, to_string(dev.auth)));
    return refuse("AUTH-X509-NO-CERTIFICATE",
                  fmt::format("device '{}' is registered for {} but presented no client certificate", dev.id,
                              to_string(dev.auth)));
  }

  ConnectVerdict run() {
    v.password_redacted = redact_password(req.password);
    if (req.protocol_version == 5 && !pol.accept_mqtt5)
      return refuse("AUTH-PROTOCOL-VERSION", "MQTT 5 is only available on preview hubs (policy mqtt5_policy=refuse)");
    if (req.protocol_version < 4)
      return refuse("AUTH-PROTOCOL-VERSION", "MQTT 3.1 (protocol level 3) is not supported by IoT Hub; use 3.1.1");
    const auto slash = req.client_id.find('/');
    const std::string device_id = req.client_id.substr(0, slash);
    const std::string module_id = slash == std::string::npos ? "" : req.client_id.substr(slash + 1);
    if (!is_valid_device_id(device_id) || (slash != std::string::npos && !is_valid_device_id(module_id)))
      return refuse("AUTH-CLIENTID-INVALID",
                    fmt::format("ClientId '{}' is not a valid device id (1 to 128 letters, digits and "
                                "- : . + % _ # * ? ! ( ) , = @ ; $ ')",
                                req.client_id));
    v.username = judge_username(req.username, req.client_id, pol.hub_host);
    if (!v.username.accepted) return refuse(v.username.reason_id, v.username.reason);
    const auto* parent = reg.find_device(device_id);
    if (!parent) return refuse("AUTH-DEVICE-UNKNOWN", fmt::format("device '{}' is not in the registry", device_id));
    const auto* dev = module_id.empty() ? parent : reg.find_identity(req.client_id);
    if (!dev)
      return refuse("AUTH-DEVICE-UNKNOWN",
                    fmt::format("module '{}' of device '{}' is not in the registry ([[device.module]])", module_id,
                                device_id));
    // *inferred*: a disabled device takes its modules with it.
    if (dev != parent && !parent->enabled)
      return refuse("AUTH-DEVICE-DISABLED", fmt::format("device '{}' (of module '{}') is disabled", parent->id, module_id));
    v.auth = std::string(to_string(dev->auth));
    if (!dev->enabled) return refuse("AUTH-DEVICE-DISABLED", fmt::format("device '{}' is disabled", dev->id));
    switch (dev->auth) {
      case AuthKind::sas: return sas(*dev);
      case AuthKind::x509_selfsigned: return x509_selfsigned(*dev);
      case AuthKind::x509_ca: return x509_ca(*dev);
    }
    return refuse("AUTH-REFUSED", "unknown authentication kind");
  }
};

}  // namespace

std::optional<std::size_t> sr_prefix_segments(std::string_view sr, std::string_view path) {
  if (!sr.empty() && sr.back() == '/') sr.remove_suffix(1);
  if (sr.empty()) return std::nullopt;
  const auto a = split_segments(sr);
  const auto b = split_segments(path);
  if (a.size() > b.size()) return std::nullopt;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!iequals(a[i], b[i])) return std::nullopt;
  return a.size();
}

ConnectVerdict judge_connect(const ConnectRequest& request, const Registry& registry, const ConnectPolicy& policy) {
  Judge j{request, registry, policy, {}};
  return j.run();
}

}  // namespace flexhil::broker
