#include "sim/flexy/runtime/outbound_actions.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <openssl/evp.h>
#include <sstream>

#include "sim/flexy/runtime/flexy_config.hpp"

namespace flexhil::flexy {
namespace {

std::string text(const std::vector<basic::Value>& args, std::size_t i) {
  if (i >= args.size()) return {};
  if (const auto* s = std::get_if<std::string>(&args[i])) return *s;
  if (const auto* n = std::get_if<std::int32_t>(&args[i])) return std::to_string(*n);
  return fmt::format("{}", std::get<double>(args[i]));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A Flexy path the emulator may write: inside /usr, no "..".
bool safe_flexy_path(const std::string& path) {
  if (path.empty()) return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

OutboundActions::OutboundActions(ActionPolicy policy, std::string usr_dir)
    : policy_(std::move(policy)), usr_dir_(std::move(usr_dir)) {}

OutboundActions::Launched OutboundActions::launch(std::string_view kind_upper, const std::vector<basic::Value>& args,
                                                  int line, double now_s) {
  const std::string kind = lower(kind_upper);
  Launched out;
  out.id = next_id_++;
  selected_ = out.id;
  Json e = Json::object();
  e["action"] = kind;
  e["action_id"] = out.id;
  e["phase"] = "start";
  if (line > 0) e["line"] = line;
  std::string content;
  std::string local_file;
  if (kind == "sendmail") {
    e["destination"] = text(args, 0);
    if (!text(args, 1).empty()) e["cc"] = text(args, 1);
    e["subject"] = text(args, 2);
    content = text(args, 3);
  } else if (kind == "sendsms") {
    const std::string to = text(args, 0);
    e["destination"] = to.substr(0, to.find(','));  // "number,gsm,0": the number
    e["recipient"] = to;
    content = text(args, 1);
  } else if (kind == "sendtrap") {
    e["destination"] = "snmp";
    e["param1"] = text(args, 0);
    content = text(args, 1);
  } else if (kind == "putftp") {
    e["destination"] = text(args, 0);
    content = text(args, 1);
  } else if (kind == "getftp") {
    e["destination"] = text(args, 0);
    local_file = text(args, 1);
  } else if (kind == "puthttp") {
    e["destination"] = text(args, 0) + text(args, 1);
    if (args.size() > 4) e["method"] = text(args, 4);
    content = text(args, 2) + text(args, 3);
  } else if (kind == "gethttp") {
    e["destination"] = text(args, 0) + text(args, 2);
    local_file = text(args, 1);
  } else if (kind == "requesthttpx") {
    e["destination"] = text(args, 0);
    e["method"] = text(args, 1);
    content = text(args, 3);
    local_file = text(args, 5);
  } else {
    e["destination"] = "";
  }
  if (kind != "getftp" && kind != "gethttp" && kind != "ntpsync" && kind != "dyndns") {
    e["size"] = content.size();
    e["sha256"] = sha256_hex(content);
  }
  if (!local_file.empty()) e["file"] = local_file;
  const auto per = policy_.per_kind.find(kind);
  const bool succeed = per == policy_.per_kind.end() ? policy_.succeed : per->second;
  e["outcome"] = succeed ? "success" : "fail";
  pending_.push_back(Pending{out.id, kind, now_s + policy_.delay_seconds, succeed, local_file});
  out.event = std::move(e);
  return out;
}

std::vector<OutboundActions::Completed> OutboundActions::complete_due(double now_s) {
  std::vector<Completed> done;
  auto it = pending_.begin();
  while (it != pending_.end()) {
    if (it->due_s > now_s) {
      ++it;
      continue;
    }
    Completed c;
    c.id = it->id;
    c.status = it->succeed ? 0 : policy_.fail_code;
    Json e = Json::object();
    e["action"] = it->kind;
    e["action_id"] = it->id;
    e["phase"] = "done";
    e["status"] = c.status;
    if (it->succeed && !it->local_file.empty()) {
      // The response arrives: the scenario's file (or nothing) lands where the program asked.
      if (!safe_flexy_path(it->local_file)) {
        c.status = policy_.fail_code;
        e["status"] = c.status;
        e["error"] = "the Flexy file '" + it->local_file + "' leaves /usr";
      } else {
        const std::string body = read_response();
        const auto target = map_usr_path(usr_dir_, it->local_file);
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        out << body;
        if (!out) {
          c.status = policy_.fail_code;
          e["status"] = c.status;
          e["error"] = "cannot write '" + it->local_file + "'";
        } else {
          e["file"] = it->local_file;
          e["size"] = body.size();
          e["sha256"] = sha256_hex(body);
        }
      }
    }
    if (it->kind == "requesthttpx") {
      http_status_ = c.status == 0 ? policy_.http_status : 0;
      http_body_ = c.status == 0 ? read_response() : std::string();
    }
    c.event = std::move(e);
    finished_[c.id] = c.status;
    done.push_back(std::move(c));
    it = pending_.erase(it);
  }
  return done;
}

std::string OutboundActions::read_response() const {
  if (policy_.response_file.empty()) return {};
  std::ifstream in(policy_.response_file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<double> OutboundActions::next_due_s() const {
  std::optional<double> due;
  for (const auto& p : pending_)
    if (!due || p.due_s < *due) due = p.due_s;
  return due;
}

int OutboundActions::status(int id) const {
  if (std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.id == id; })) return kActionRunning;
  const auto it = finished_.find(id);
  return it == finished_.end() ? kActionUnknown : it->second;
}

}  // namespace flexhil::flexy
