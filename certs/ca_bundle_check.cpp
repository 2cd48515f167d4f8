#include "certs/ca_bundle_check.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "certs/openssl_handles.hpp"
#include "certs/pki.hpp"
#include "common/error.hpp"

namespace flexhil::certs {
namespace {

using namespace ossl;

std::int64_t epoch_of(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(::timegm(&tm));
}

std::string subject_of(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr, "BIO_new");
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bio_contents(bio.get());
}

BundleCertificate describe(X509* cert, int index, int line) {
  BundleCertificate c;
  c.index = index;
  c.line = line;
  c.subject = subject_of(cert);
  c.sha256 = sha256_thumbprint_der(to_der(cert));
  c.not_before = epoch_of(X509_get0_notBefore(cert));
  c.not_after = epoch_of(X509_get0_notAfter(cert));
  return c;
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ConfigError({path}, "is a directory, not a CA bundle");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path}, "cannot read the CA bundle");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool looks_like_der_certificate(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  Cert der(d2i_X509(nullptr, &p, static_cast<long>(text.size())));
  ERR_clear_error();
  return der != nullptr;
}

// The PEM labels OpenSSL reads as a certificate (PEM_read_bio_X509_AUX).
bool is_certificate_label(std::string_view label) {
  return label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// "-----BEGIN X-----" → "X" (or "" when the line is not such a marker).
std::string_view marker_label(std::string_view line, std::string_view kind) {
  const std::string prefix = fmt::format("-----{} ", kind);
  constexpr std::string_view suffix = "-----";
  if (line.size() < prefix.size() + suffix.size() || line.substr(0, prefix.size()) != prefix ||
      line.substr(line.size() - suffix.size()) != suffix)
    return {};
  return line.substr(prefix.size(), line.size() - prefix.size() - suffix.size());
}

}  // namespace

std::string_view to_string(RootStatus status) {
  switch (status) {
    case RootStatus::current: return "current";
    case RootStatus::alternative: return "alternative";
    case RootStatus::retired: return "retired";
  }
  return "current";
}

std::string_view to_string(BundleVerdict verdict) {
  switch (verdict) {
    case BundleVerdict::ok: return "ok";
    case BundleVerdict::missing_g2: return "missing-g2";
    case BundleVerdict::outdated: return "outdated";
  }
  return "missing-g2";
}

std::string_view rule_id(BundleVerdict verdict) {
  switch (verdict) {
    case BundleVerdict::ok: return "";
    case BundleVerdict::missing_g2: return "TLS-CA-BUNDLE-MISSING-G2";
    case BundleVerdict::outdated: return "TLS-CA-BUNDLE-OUTDATED";
  }
  return "";
}

std::vector<ReferenceRoot> load_reference_roots(const std::string& dir) {
  struct Wanted {
    const char* file;
    const char* name;
    RootStatus status;
    bool required;
  };
  // Microsoft's list for IoT Hub: trust G2 (what the hub chains to since the 2023 migration) and
  // the Microsoft RSA root 2017 (its fallback should G2 be retired); Baltimore was the old root.
  static constexpr Wanted wanted[] = {
      {"DigiCert_Global_Root_G2.crt", "DigiCert Global Root G2", RootStatus::current, true},
      {"Microsoft_RSA_Root_Certificate_Authority_2017.crt", "Microsoft RSA Root Certificate Authority 2017",
       RootStatus::alternative, true},
      {"Baltimore_CyberTrust_Root.crt", "Baltimore CyberTrust Root", RootStatus::retired, false},
  };
  std::vector<ReferenceRoot> out;
  for (const auto& w : wanted) {
    const auto path = (std::filesystem::path(dir) / w.file).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      if (!w.required) continue;
      throw InfrastructureError(fmt::format("reference root {} not found at {} (install Debian's ca-certificates)",
                                            w.name, path));
    }
    std::vector<BundleCertificate> certs;
    try {
      certs = read_ca_bundle_file(path);
    } catch (const ConfigError& e) {
      throw InfrastructureError(fmt::format("reference root {} unreadable: {}", w.name, e.what()));
    }
    ReferenceRoot r;
    r.name = w.name;
    r.status = w.status;
    r.sha256 = certs.front().sha256;
    r.not_after = certs.front().not_after;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<BundleCertificate> read_ca_bundle(std::string_view text, const std::string& file) {
  if (trim(text).empty()) throw ConfigError({file}, "the CA bundle is empty (expected PEM certificates)");
  std::vector<BundleCertificate> out;
  std::size_t pos = 0;
  int line_no = 0;
  // The open block: its label, first line and text so far.
  std::string open_label;
  int open_line = 0;
  std::string block;
  while (pos <= text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    const auto raw = text.substr(pos, end - pos);
    const auto line = trim(raw);
    ++line_no;
    pos = end + 1;
    if (open_line == 0) {
      if (const auto label = marker_label(line, "BEGIN"); !label.empty()) {
        open_label = std::string(label);
        open_line = line_no;
        block = std::string(line) + "\n";
      }
    } else {
      block += std::string(line) + "\n";
      if (const auto label = marker_label(line, "END"); !label.empty()) {
        if (label != open_label)
          throw ConfigError({file, line_no, 1}, fmt::format("'-----END {}-----' closes the '-----BEGIN {}-----' of line {}",
                                                             label, open_label, open_line));
        if (is_certificate_label(open_label)) {
          Bio bio = memory_bio(block);
          Cert cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
          if (!cert) {
            const auto why = last_error();
            throw ConfigError({file, open_line, 1},
                              fmt::format("certificate {} does not decode ({})", out.size() + 1, why));
          }
          out.push_back(describe(cert.get(), static_cast<int>(out.size()) + 1, open_line));
        }
        open_line = 0;
        block.clear();
      } else if (!marker_label(line, "BEGIN").empty()) {
        throw ConfigError({file, line_no, 1},
                          fmt::format("a new PEM block begins before the '-----BEGIN {}-----' of line {} ended",
                                      open_label, open_line));
      }
    }
    if (end == text.size()) break;
  }
  if (open_line != 0)
    throw ConfigError({file, open_line, 1},
                      fmt::format("'-----BEGIN {}-----' is never closed by '-----END {}-----'", open_label, open_label));
  if (out.empty()) {
    if (looks_like_der_certificate(text))
      throw ConfigError({file}, "a DER (binary) certificate, not PEM: a Flexy CAFile must be PEM text "
                                "(convert it with `openssl x509 -inform der -in FILE -out FILE.pem`)");
    throw ConfigError({file}, "no PEM certificate in the file (expected '-----BEGIN CERTIFICATE-----' blocks)");
  }
  return out;
}

std::vector<BundleCertificate> read_ca_bundle_file(const std::string& path) {
  return read_ca_bundle(read_file(path), path);
}

std::string utc_date(std::int64_t epoch_s) {
  const auto t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

BundleCheck check_ca_bundle(const std::vector<BundleCertificate>& bundle, const std::vector<ReferenceRoot>& references,
                            std::int64_t at) {
  BundleCheck check;
  for (const auto& c : bundle) {
    BundleEntry e;
    e.certificate = c;
    e.expired = at > c.not_after || at < c.not_before;
    const auto ref = std::find_if(references.begin(), references.end(),
                                  [&](const ReferenceRoot& r) { return r.sha256 == c.sha256; });
    if (ref != references.end()) {
      e.reference = ref->name;
      e.status = ref->status;
    }
    check.entries.push_back(std::move(e));
  }
  auto usable = [&](RootStatus status) -> const BundleEntry* {
    for (const auto& e : check.entries)
      if (!e.reference.empty() && e.status == status && !e.expired) return &e;
    return nullptr;
  };
  auto name_of = [&](RootStatus status) {
    for (const auto& r : references)
      if (r.status == status) return r.name;
    return std::string(status == RootStatus::current ? "DigiCert Global Root G2"
                                                     : "Microsoft RSA Root Certificate Authority 2017");
  };
  std::string expired;
  for (const auto& e : check.entries)
    if (e.expired)
      expired += fmt::format("; certificate {} ({}) {} {}", e.certificate.index,
                             e.reference.empty() ? e.certificate.subject : e.reference,
                             at < e.certificate.not_before ? "is not valid before" : "expired on",
                             utc_date(at < e.certificate.not_before ? e.certificate.not_before : e.certificate.not_after));
  const auto n = check.entries.size();
  const auto count = fmt::format("{} certificate{}", n, n == 1 ? "" : "s");
  const auto current = name_of(RootStatus::current);
  const auto alternative = name_of(RootStatus::alternative);
  if (const auto* g2 = usable(RootStatus::current)) {
    check.verdict = BundleVerdict::ok;
    check.accepted_root = g2->reference;
    check.message = fmt::format("holds {} (certificate {} of {}), the root Azure IoT Hub chains to{}{}", current,
                                g2->certificate.index, count,
                                usable(RootStatus::alternative) ? fmt::format(", and {}", alternative)
                                                                : fmt::format("; add {} as the fallback Microsoft documents", alternative),
                                expired);
    return check;
  }
  if (const auto* ms = usable(RootStatus::alternative)) {
    check.verdict = BundleVerdict::ok;
    check.accepted_root = ms->reference;
    check.message = fmt::format("holds {} (certificate {} of {}), Azure's documented alternative root, but not {}, "
                                "the root today's hub chains to: add it{}",
                                alternative, ms->certificate.index, count, current, expired);
    return check;
  }
  std::string retired;  // the roots Azure used to chain to, or reference roots that have expired
  for (const auto& e : check.entries)
    if (!e.reference.empty() && (e.status == RootStatus::retired || e.expired))
      retired += fmt::format("{}{} ({})", retired.empty() ? "" : ", ", e.reference,
                             e.status == RootStatus::retired ? "retired by Azure IoT Hub in 2023" : "expired");
  const bool all_expired = std::all_of(check.entries.begin(), check.entries.end(), [](const BundleEntry& e) { return e.expired; });
  const auto fix = fmt::format("add {} and {}", current, alternative);
  if (!retired.empty() || all_expired) {
    check.verdict = BundleVerdict::outdated;
    check.message = fmt::format("{}, no root today's Azure IoT Hub chains to: the TLS handshake fails on the "
                                "real hub; {}{}",
                                retired.empty() ? fmt::format("every one of the {} has expired", count)
                                                : fmt::format("of the {} only {}", count, retired),
                                fix, expired);
    return check;
  }
  check.verdict = BundleVerdict::missing_g2;
  std::string subjects;
  for (const auto& e : check.entries) subjects += fmt::format("{}{}", subjects.empty() ? "" : "; ", e.certificate.subject);
  check.message = fmt::format("none of the {} ({}) is {} or {}: the TLS handshake fails on the real hub; {}{}", count,
                              subjects, current, alternative, fix, expired);
  return check;
}

std::string describe_entry(const BundleEntry& e) {
  const auto& c = e.certificate;
  std::string what = e.reference.empty() ? std::string("not an Azure IoT Hub root")
                                         : fmt::format("{} ({})", e.reference, to_string(e.status));
  return fmt::format("  {}. {}  sha256 {}  {} .. {}{}  {}", c.index, c.subject, c.sha256, utc_date(c.not_before),
                     utc_date(c.not_after), e.expired ? " EXPIRED" : "", what);
}

}  // namespace flexhil::certs
