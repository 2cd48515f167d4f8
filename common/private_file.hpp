#pragma once
// Files that hold secrets (private keys, SAS keys in a registry, broker passwords) are born with
// their final mode: an existing file is removed first and the new one is created with `mode`,
// so no secret is ever readable by others, not even between creation and a chmod.
#include <string>
#include <sys/types.h>

namespace flexhil {

// Writes `content` to `path`, newly created with `mode` (0600 for secrets). Throws
// std::filesystem::filesystem_error when the path cannot be created (its errno tells the user's
// mistake from the machine's), InfrastructureError when writing fails.
void write_new_file(const std::string& path, const std::string& content, mode_t mode = 0600);

}  // namespace flexhil
