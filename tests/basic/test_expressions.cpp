// Operator priority, arithmetic and types, built-ins with and without brackets, slicing.
#include <boost/test/unit_test.hpp>

#include "tests/basic/basic_test_util.hpp"

using namespace flexhil::basic;
using namespace flexhil::basic::testing;
using Lines = std::vector<std::string>;

namespace {
std::string printed(const std::string& expression) {
  auto out = prints_of("PRINT " + expression + "\n");
  return out.empty() ? "<nothing>" : out.front();
}
std::int32_t int_of(const std::string& expression) { return std::get<std::int32_t>(value_after("r% = " + expression, "r%")); }
}  // namespace

BOOST_AUTO_TEST_SUITE(expressions)

BOOST_AUTO_TEST_CASE(multiplication_binds_tighter_than_addition) {
  BOOST_TEST(int_of("2 + 3 * 4") == 14);
  BOOST_TEST(int_of("(2 + 3) * 4") == 20);
  BOOST_TEST(int_of("10 - 4 - 3") == 3);
}

BOOST_AUTO_TEST_CASE(mul_div_pow_mod_share_one_level_left_to_right) {
  BOOST_TEST(printed("2 ^ 3 * 2") == "16");
  BOOST_TEST(printed("2 * 3 ^ 2") == "36");  // one level, left to right: (2*3)^2
  BOOST_TEST(int_of("17 MOD 5 * 2") == 4);
  BOOST_TEST(printed("8 / 2 / 2") == "2");
}

BOOST_AUTO_TEST_CASE(unary_minus_binds_tighter_than_power) {
  BOOST_TEST(printed("-2 ^ 2") == "4");
  BOOST_TEST(int_of("-3 + 5") == 2);
  BOOST_TEST(int_of("2 * -3") == -6);
}

BOOST_AUTO_TEST_CASE(comparisons_give_one_or_zero) {
  BOOST_TEST(int_of("3 > 2") == 1);
  BOOST_TEST(int_of("3 < 2") == 0);
  BOOST_TEST(int_of("2 <= 2") + int_of("2 >= 3") + int_of("2 <> 2") + int_of("2 = 2.0") == 2);
  BOOST_TEST(int_of("\"abc\" < \"abd\"") == 1);
  BOOST_TEST(int_of("\"a\" = \"a\"") == 1);
  BOOST_TEST(int_of("1 + 1 = 2") == 1);  // + binds tighter than =
}

BOOST_AUTO_TEST_CASE(not_binds_looser_than_comparison) {
  // IF NOT a = b is NOT (a = b)
  auto out = prints_of("a% = 1 : b% = 2\nIF NOT a% = b% THEN PRINT \"differ\" ELSE PRINT \"same\"\n");
  BOOST_TEST(out == (Lines{"differ"}), boost::test_tools::per_element());
  BOOST_TEST(int_of("NOT 0") == 1);
  BOOST_TEST(int_of("NOT 5") == 0);
  BOOST_TEST(int_of("BNOT 0") == -1);
  BOOST_TEST(int_of("BNOT 5 = 5") == -2);  // BNOT (5 = 5)
}

BOOST_AUTO_TEST_CASE(and_or_xor_bind_loosest_and_work_bitwise) {
  BOOST_TEST(int_of("1 = 1 AND 2 = 2") == 1);
  BOOST_TEST(int_of("1 = 2 OR 2 = 2") == 1);
  BOOST_TEST(int_of("1 = 1 XOR 2 = 2") == 0);
  BOOST_TEST(int_of("6 AND 3") == 2);
  BOOST_TEST(int_of("6 OR 3") == 7);
  BOOST_TEST(int_of("6 XOR 3") == 5);
  BOOST_TEST(int_of("NOT 1 = 2 AND 1") == 1);  // (NOT (1=2)) AND 1
}

BOOST_AUTO_TEST_CASE(plus_concatenates_strings) {
  BOOST_TEST(printed("\"ab\" + 'cd' + STR$ 5") == "abcd5");
}

BOOST_AUTO_TEST_CASE(integers_wrap_at_32_bits_and_reals_are_single_precision) {
  BOOST_TEST(int_of("2147483647 + 1") == std::numeric_limits<std::int32_t>::min());
  auto v = value_after("r = 16777217", "r");
  BOOST_TEST(std::get<double>(v) == 16777216.0);  // float has 24 bits of mantissa
  BOOST_TEST(printed("0.1 + 0.2") == "0.3");
  BOOST_TEST(printed("7 / 2") == "3.5");
}

BOOST_AUTO_TEST_CASE(a_real_assigned_to_an_integer_is_truncated) {
  BOOST_TEST(int_of("7.9") == 7);
  BOOST_TEST(int_of("-7.9") == -7);
  BOOST_TEST(int_of("7 / 2") == 3);
}

BOOST_AUTO_TEST_CASE(real_to_integer_rounding_is_configurable) {
  InterpreterOptions o;
  o.real_to_int = RealToInt::round_half_away;
  Session s("r% = 7.5\n", o);
  s.step();
  BOOST_TEST(std::get<std::int32_t>(*s.basic.variable("r%")) == 8);
}

BOOST_AUTO_TEST_CASE(str_formats_integers_and_reals) {
  BOOST_TEST(printed("STR$ 42") == "42");
  BOOST_TEST(printed("STR$(-42)") == "-42");
  BOOST_TEST(printed("STR$ 21.5") == "21.5");
  BOOST_TEST(printed("STR$ 22.0") == "22");
  BOOST_TEST(printed("STR$ (1/3)") == "0.3333333");
}

BOOST_AUTO_TEST_CASE(real_digits_are_configurable) {
  InterpreterOptions o;
  o.real_significant_digits = 3;
  Session s("PRINT 1/3\n", o);
  s.step();
  BOOST_TEST(s.host.prints.at(0) == "0.333");
}

BOOST_AUTO_TEST_CASE(builtins_work_with_and_without_brackets) {
  BOOST_TEST(printed("LEN \"abcd\"") == "4");
  BOOST_TEST(printed("LEN(\"abcd\") + 1") == "5");
  BOOST_TEST(printed("LEN \"abcd\" + 1") == "5");  // the function binds tighter than +
  BOOST_TEST(printed("VAL \"12\" + 1") == "13");
  BOOST_TEST(printed("VAL(\"2.5\") * 2") == "5");
  BOOST_TEST(printed("VAL \"abc\"") == "0");
  BOOST_TEST(printed("INSTR 1, \"hello\", \"l\"") == "3");
  BOOST_TEST(printed("INSTR(4, \"hello\", \"l\")") == "4");
  BOOST_TEST(printed("INSTR 1, \"hello\", \"z\"") == "0");
  BOOST_TEST(printed("\"[\" + RTRIM \"ab  \" + \"]\"") == "[ab]");
  BOOST_TEST(printed("\"[\" + LTRIM(\"  ab\") + \"]\"") == "[ab]");
  BOOST_TEST(printed("LCASE$ \"AbC\"") == "abc");
  BOOST_TEST(printed("UCASE$(\"AbC\")") == "ABC");
  BOOST_TEST(printed("CHR$ 65 + CHR$(66)") == "AB");
  BOOST_TEST(printed("ASCII \"A\"") == "65");
  BOOST_TEST(printed("ASCII(\"\")") == "0");
  BOOST_TEST(printed("INT 2.7") == "2");
  BOOST_TEST(printed("INT(-2.5)") == "-3");
  BOOST_TEST(printed("ABS -3") == "3");
  BOOST_TEST(printed("ABS(-2.5)") == "2.5");
  BOOST_TEST(printed("MID$(\"abcdef\", 2, 3)") == "bcd");
  BOOST_TEST(printed("MID$ \"abcdef\", 5, 10") == "ef");
  BOOST_TEST(printed("TYPE$ 1") == "INTEGER");
  BOOST_TEST(printed("TYPE$(1.5)") == "FLOAT");
  BOOST_TEST(printed("TYPE$ \"s\"") == "STRING");
  BOOST_TEST(printed("SQRT 16") == "4");
  BOOST_TEST(printed("SGN -2") == "-1");
  BOOST_TEST(printed("HEX$ 255") == "FF");
}

BOOST_AUTO_TEST_CASE(builtin_names_are_case_insensitive) {
  BOOST_TEST(printed("str$ 5 + Str$(6) + lcase$ \"X\"") == "56x");
}

BOOST_AUTO_TEST_CASE(string_slicing_is_one_based_and_inclusive) {
  auto out = prints_of(
      "t$ = \"26/11/2026 09:10:05\"\n"
      "PRINT t$(7 TO 10) + \"-\" + t$(4 TO 5) + \"-\" + t$(1 TO 2) + \" \" + t$(12 TO)\n"
      "PRINT t$(1 TO 1)\n"
      "PRINT \"[\" + t$(30 TO) + \"]\"\n");
  BOOST_TEST(out == (Lines{"2026-11-26 09:10:05", "2", "[]"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(time_string_comes_from_the_host) {
  Session s("t$ = TIME$\nPRINT t$(7 TO 10)\n");
  s.host.now_text = "01/02/2027 03:04:05";
  s.step();
  BOOST_TEST(s.host.prints.at(0) == "2027");
}

// The interpreter evaluates integer-only expressions (a%, integer constants, + - * MOD,
// comparisons, NOT/BNOT/AND/OR/XOR) on plain integers. An array element is not such a leaf, so
// `k%(1)` in place of `a%` takes the general Value path: both must agree on every edge value.
BOOST_AUTO_TEST_CASE(integer_fast_path_agrees_with_the_general_path) {
  const std::vector<std::string> values = {"2147483647", "-2147483648", "0", "-7", "7", "3", "1"};
  const std::vector<std::string> forms = {"a% + b%", "a% - b%", "a% * b%", "-a% + b%", "a% = b%", "a% <> b%",
                                          "a% < b%", "a% >= b%", "NOT a% OR b%", "BNOT a% XOR b%", "a% AND b%",
                                          "(a% + 1) * (b% - 1) > a%"};
  auto general = [](std::string form) {
    for (std::size_t at = form.find("a%"); at != std::string::npos; at = form.find("a%", at + 5)) form.replace(at, 2, "k%(1)");
    for (std::size_t at = form.find("b%"); at != std::string::npos; at = form.find("b%", at + 5)) form.replace(at, 2, "k%(2)");
    return form;
  };
  for (const auto& a : values) {
    for (const auto& b : values) {
      const std::string setup = "DIM k%(2)\na% = " + a + " : b% = " + b + " : k%(1) = a% : k%(2) = b%\n";
      for (const auto& form : forms) {
        const Value fast = value_after(setup + "r% = " + form + "\n", "r%");
        const Value slow = value_after(setup + "r% = " + general(form) + "\n", "r%");
        BOOST_TEST_CONTEXT(form << " with a%=" << a << " b%=" << b) {
          BOOST_REQUIRE(std::holds_alternative<std::int32_t>(fast));
          BOOST_REQUIRE(std::holds_alternative<std::int32_t>(slow));
          BOOST_TEST(std::get<std::int32_t>(fast) == std::get<std::int32_t>(slow));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(integer_mod_by_zero_is_a_runtime_error_on_both_paths) {
  for (const std::string form : {"a% MOD b%", "k%(1) MOD k%(2)"}) {
    Session s("DIM k%(2)\na% = 5 : b% = 0 : k%(1) = 5\nr% = " + form + "\n");
    const auto& outcome = s.step();
    BOOST_TEST_CONTEXT(form) {
      BOOST_TEST(!outcome.ok);
      BOOST_TEST(outcome.line == 3);
      BOOST_TEST(outcome.error_message.find("division by zero") != std::string::npos);
    }
  }
}

// `/` and `^` give reals even between integers: not on the integer path.
BOOST_AUTO_TEST_CASE(division_between_integers_stays_real) {
  BOOST_TEST(printed("7 / 2") == "3.5");
  BOOST_TEST(printed("2 ^ -1") == "0.5");
}

BOOST_AUTO_TEST_SUITE_END()
