// `flexhil rules`: the catalogue of every rule the harness can report.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "common/error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/rules/catalogue.hpp"
#include "harness/rules/rules.hpp"

namespace flexhil::cli {

void add_rules_command(CLI::App& app, int& exit_code) {
  auto markdown = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("rules", "List every rule the harness can report");
  cmd->footer("With --markdown, prints docs/rules.md (generated from the catalogue).\n"
              "Example: flexhil rules --markdown > docs/rules.md");
  cmd->add_flag("--markdown", *markdown, "Print the Markdown document (docs/rules.md)");
  cmd->callback([markdown, &exit_code] {
    if (*markdown) {
      std::cout << rules::catalogue_markdown();
    } else {
      for (const auto& r : rules::catalogue())
        std::cout << fmt::format("{:<34} {:<8} {:<7} {:<17} {}\n", r.id, r.area, rules::to_string(r.severity),
                                 rules::to_string(r.hub), r.title);
    }
    exit_code = exit_code::ok;
  });
}

}  // namespace flexhil::cli
