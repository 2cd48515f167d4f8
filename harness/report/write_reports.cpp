#include <filesystem>
#include <fstream>

#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "harness/report/fleet_view.hpp"
#include "harness/report/report.hpp"

namespace flexhil::report {

namespace {

// Written to a temporary name and renamed, so a reader never sees half a report.
void write_file(const std::filesystem::path& path, const std::string& content) {
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw InfrastructureError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw InfrastructureError("cannot rename " + tmp + " to " + path.string() + ": " + ec.message());
}

}  // namespace

void write_reports(const ReportInput& input, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec && is_input_path_error(ec)) throw ConfigError({dir}, "cannot create the report folder: " + ec.message());
  if (ec) throw InfrastructureError("cannot create report folder " + dir + ": " + ec.message());
  const std::filesystem::path d(dir);
  write_file(d / "junit.xml", render_junit(input));
  write_file(d / "summary.json", render_summary_json(input));
  write_file(d / "report.html", render_html(input));
  // A fleet: each device's own report (fleet_view.hpp), linked from the fleet table.
  if (is_fleet(input)) {
    std::filesystem::create_directories(d / "devices", ec);
    if (ec) throw InfrastructureError("cannot create " + (d / "devices").string() + ": " + ec.message());
    for (const auto& device : input.devices)
      if (has_device_page(input, device))
        write_file(d / device_page(device), render_html(device_report_input(input, device)));
  }
}

}  // namespace flexhil::report
