// The exception barrier (exit 2 for the user's input, 3 for infrastructure, one line each) and
// files born private (0600 from creation, also when replacing a 0644 file).
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>

#include "common/error.hpp"
#include "common/error_barrier.hpp"
#include "common/private_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace flexhil;

namespace {

template <typename E>
Failure failure_of(E e) {
  return describe_exception(std::make_exception_ptr(std::move(e)));
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(error_barrier)

BOOST_AUTO_TEST_CASE(input_errors_are_exit_2_and_name_the_path) {
  const auto config = failure_of(ConfigError({"s.toml", 3, 7}, "bad key"));
  BOOST_TEST(config.exit_code == 2);
  BOOST_TEST(config.message == "s.toml:3:7: error: bad key");

  const std::string long_path = "/tmp/" + std::string(300, 'a');
  const auto too_long = failure_of(fs::filesystem_error("cannot create directories", long_path,
                                                        std::make_error_code(std::errc::filename_too_long)));
  BOOST_TEST(too_long.exit_code == 2);
  BOOST_TEST(too_long.message.rfind("error: path '" + long_path + "'", 0) == 0u, too_long.message);
  BOOST_TEST(too_long.message.find("longer than 255") != std::string::npos);

  const auto not_dir = failure_of(fs::filesystem_error("cannot create directories", "/etc/passwd/x",
                                                       std::make_error_code(std::errc::not_a_directory)));
  BOOST_TEST(not_dir.exit_code == 2);
  BOOST_TEST(not_dir.message.find("/etc/passwd/x") != std::string::npos);

  BOOST_TEST(failure_of(std::invalid_argument("common name must not be empty")).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(everything_else_is_exit_3_on_one_line) {
  const auto infra = failure_of(InfrastructureError("mosquitto exited\n  line one\n  line two"));
  BOOST_TEST(infra.exit_code == 3);
  BOOST_TEST(infra.message.find('\n') == std::string::npos, infra.message);
  BOOST_TEST(infra.message.rfind("error: mosquitto exited", 0) == 0u, infra.message);
  BOOST_TEST(failure_of(InfrastructureError("error: said once")).message == "error: said once");

  const auto oom = failure_of(std::bad_alloc());
  BOOST_TEST(oom.exit_code == 3);
  BOOST_TEST(oom.message == "error: out of memory");

  BOOST_TEST(failure_of(std::runtime_error("boom")).message == "error: boom");
  BOOST_TEST(failure_of(fs::filesystem_error("write", "/x", std::make_error_code(std::errc::no_space_on_device)))
                 .exit_code == 3);
  BOOST_TEST(failure_of(42).exit_code == 3);
  BOOST_TEST(failure_of(42).message == "error: unknown internal error");
}

BOOST_AUTO_TEST_CASE(run_guarded_returns_the_body_code_or_the_failure_code) {
  std::ostringstream err;
  BOOST_TEST(run_guarded([] { return 1; }, err) == 1);
  BOOST_TEST(err.str().empty());
  BOOST_TEST(run_guarded([]() -> int { throw std::bad_alloc(); }, err) == 3);
  BOOST_TEST(err.str() == "error: out of memory\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(private_file)

BOOST_AUTO_TEST_CASE(a_secret_is_born_0600_even_when_it_replaces_a_0644_file) {
  testing::TempDir dir;
  const auto path = dir.write("registry.toml", "old, readable by all\n");
  ::chmod(path.c_str(), 0644);
  write_new_file(path, "primary_key = \"secret\"\n", 0600);
  BOOST_TEST(mode_of(path) == 0600u);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  BOOST_TEST(line == "primary_key = \"secret\"");
}

BOOST_AUTO_TEST_CASE(a_symlink_in_place_of_the_secret_is_replaced_not_followed) {
  testing::TempDir dir;
  const auto target = dir.write("elsewhere", "untouched\n");
  const auto link = dir.file("key.pem");
  fs::create_symlink(target, link);
  write_new_file(link, "KEY\n", 0600);
  BOOST_TEST(!fs::is_symlink(link));
  BOOST_TEST(mode_of(link) == 0600u);
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  BOOST_TEST(line == "untouched");
}

BOOST_AUTO_TEST_CASE(a_path_that_cannot_be_created_is_an_input_error_naming_it) {
  try {
    write_new_file("/nonexistent-dir/key.pem", "x", 0600);
    BOOST_FAIL("no error");
  } catch (const fs::filesystem_error& e) {
    BOOST_TEST(e.path1() == "/nonexistent-dir/key.pem");
    const auto f = describe_exception(std::current_exception());
    BOOST_TEST(f.exit_code == 2);
    BOOST_TEST(f.message.find("/nonexistent-dir/key.pem") != std::string::npos, f.message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
