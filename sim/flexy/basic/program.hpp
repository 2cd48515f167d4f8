#pragma once
// A compiled program: the flat statement list, global labels, global variable symbols,
// FUNCTIONs with their local symbols and `$` labels, and the sections found.
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/flexy/basic/ast.hpp"

namespace flexhil::basic {

// Name → slot, with the type of each slot (globals of the program, or a function's locals).
struct Symbols {
  std::unordered_map<std::string, int> slots;
  std::vector<VarType> types;
  std::vector<std::string> names;
  int lookup_or_add(const std::string& upper_name);
  int size() const { return static_cast<int>(types.size()); }
};

struct Function {
  std::string name;  // upper-cased
  int line = 0;
  int start = -1;    // pc of the FUNCTION statement
  int end = -1;      // pc of the ENDFN statement
  std::vector<VarRef> params;
  Symbols locals;
  std::unordered_map<std::string, int> labels;  // $labels → pc
  int return_slot = -1;                         // local slot of $Name$ / $Name% / $Name
};

namespace detail {
struct ProgramCode {
  std::string file;
  std::size_t lines = 0;
  Code code;
  std::unordered_map<std::string, int> labels;  // global labels (upper-cased) → pc
  // Of those, the ones the IDE's sections define (EWON_INIT_SECTION, …), not written by the user.
  std::unordered_set<std::string> implicit_labels;
  Symbols globals;
  std::vector<Function> functions;
  std::unordered_map<std::string, int> function_index;
  std::vector<std::string> sections;
};
}  // namespace detail

}  // namespace flexhil::basic
