#pragma once
// The console output of a `flexhil` run, logged after the test case's assertions and only when
// one of them failed. Printed for every case, a long data-driven suite buries the one failing
// case in thousands of lines of passing runs, and a CI log cut in the middle loses it.
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

namespace flexhil::testing {

class OutputOnFailure {
 public:
  explicit OutputOnFailure(std::string what) : what_(std::move(what)) {}
  ~OutputOnFailure() {
    const auto id = boost::unit_test::framework::current_test_case().p_id;
    if (!boost::unit_test::results_collector.results(id).passed()) BOOST_TEST_MESSAGE(what_ << ":\n" << output_);
  }
  OutputOnFailure(const OutputOnFailure&) = delete;
  OutputOnFailure& operator=(const OutputOnFailure&) = delete;
  void set(std::string output) { output_ = std::move(output); }

 private:
  std::string what_;
  std::string output_;
};

}  // namespace flexhil::testing
