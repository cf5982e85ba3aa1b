// The command-script reader: parses a shell script with the grammar in shell_grammar.hpp and
// evaluates the static part of it, never running anything. Variables, exports, positional
// parameters, functions, for loops over word lists, if/case/while on values known statically
// and `[`/`test` string and number tests are evaluated as the shell would (POSIX XCU 2.6
// word expansion: parameter expansion, field splitting of unquoted results, quote removal).
// Every iptables command goes through the same parse_command() and RuleBuilder as a save
// file, in CLI mode: each command is its own transaction, a failing one is reported at its
// line and the script goes on (or stops under `set -e`), as with a real shell. Commands that
// are not iptables are skipped and reported; whatever needs the running system (command
// substitution, reading files, file tests) gets a diagnostic naming the construct.
#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "command.hpp"
#include "iptc/ir/verify.hpp"
#include "rule_builder.hpp"
#include "save_reader.hpp"
#include "shell_grammar.hpp"
#include "shell_reader.hpp"

namespace iptc::frontend {

namespace {

namespace pegtl = tao::pegtl;
namespace g = shell_grammar;
namespace pt = tao::pegtl::parse_tree;
using Node = pt::node;

// ---- parse tree --------------------------------------------------------------------------------

template <typename Rule>
using Selector = pt::selector<
    Rule,
    pt::store_content::on<
        g::List, g::Statement, g::AndOr, g::AndOp, g::OrOp, g::Pipeline, g::Pipe, g::Bang,
        g::Command, g::SimpleCommand, g::Assignment, g::AssignName, g::AssignValue, g::CmdWord,
        g::Redirect, g::RedirOp, g::RedirTarget, g::Heredoc, g::HeredocOp, g::HeredocDelim,
        g::HereString, g::If, g::IfCond, g::IfBody, g::ElifClause, g::ElseClause, g::For,
        g::ForVar, g::ForIn, g::ForWord, g::ForBody, g::While, g::Until, g::LoopCond,
        g::LoopBody, g::Case, g::CaseWord, g::CaseItem, g::CasePattern, g::CaseBody, g::Group,
        g::Subshell, g::FuncDef, g::FuncName, g::ExpFuncName, g::Amp, g::Word, g::SingleQuoted, g::SqBody,
        g::DoubleQuoted, g::DqEscape, g::DqLineCont, g::DqChar, g::ArithExp, g::CmdSubst,
        g::CmdSubstBody, g::Backtick, g::BacktickBody, g::ParamExp, g::Braced, g::SimpleParam,
        g::ParamName, g::ParamOp, g::ParamArg, g::ParamArgChar, g::ParamLength, g::Escaped,
        g::WordCont, g::LiteralChars, g::Dollar>>;

template <typename Rule>
struct ShellAction : pegtl::nothing<Rule> {};

template <>
struct ShellAction<g::Heredoc> {
  template <typename ActionInput, typename... States>
  static void apply(const ActionInput& in, States&... st) {
    g::HeredocState* hs = nullptr;
    ((hs = pick(hs, st)), ...);
    if (!hs) return;
    std::string_view text(in.begin(), in.size());
    size_t op = text.find("<<");
    g::HeredocState::Pending p;
    p.at = static_cast<size_t>(in.begin() - in.input().begin()) + op;
    size_t i = op + 2;
    if (i < text.size() && text[i] == '-') {
      p.strip_tabs = true;
      ++i;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\'' || c == '"') {
        p.quoted = true;
        continue;
      }
      if (c == '\\') {
        p.quoted = true;
        if (i + 1 < text.size()) p.delim += text[++i];
        continue;
      }
      p.delim += c;
    }
    for (const auto& q : hs->pending)
      if (q.at == p.at) return;  // already registered (a backtracked attempt)
    hs->pending.push_back(std::move(p));
  }
  static g::HeredocState* pick(g::HeredocState* f, g::HeredocState& hs) { return f ? f : &hs; }
  template <typename T>
  static g::HeredocState* pick(g::HeredocState* f, T&) {
    return f;
  }
};

// Error messages for the points where the grammar commits (if_must).
template <typename Rule>
inline constexpr const char* error_message = nullptr;
template <> inline constexpr const char* error_message<g::ExpThen> = "expected 'then' after the 'if' condition";
template <> inline constexpr const char* error_message<g::ExpFi> = "expected 'fi' to close this 'if'";
template <> inline constexpr const char* error_message<g::ExpDo> = "expected 'do' before the loop body";
template <> inline constexpr const char* error_message<g::ExpDone> = "expected 'done' to close this loop";
template <> inline constexpr const char* error_message<g::ExpEsac> = "expected 'esac' to close this 'case' (or ';;' after a case item)";
template <> inline constexpr const char* error_message<g::ExpIn> = "expected 'in' after the 'case' word";
template <> inline constexpr const char* error_message<g::ExpRBrace> = "expected '}' to close this group";
template <> inline constexpr const char* error_message<g::ExpRParen> = "expected ')' to close this subshell";
template <> inline constexpr const char* error_message<g::SqClose> = "unterminated single quote";
template <> inline constexpr const char* error_message<g::DqClose> = "unterminated double quote";
template <> inline constexpr const char* error_message<g::BacktickClose> = "unterminated backquote";
template <> inline constexpr const char* error_message<g::SubstClose> = "unterminated '$('";
template <> inline constexpr const char* error_message<g::BracedClose> = "expected '}' to close '${'";
template <> inline constexpr const char* error_message<g::BracedBody> = "bad parameter expansion";
template <> inline constexpr const char* error_message<g::ForVar> = "expected a variable name after 'for'";
template <> inline constexpr const char* error_message<g::ExpFuncName> = "expected a function name";
template <> inline constexpr const char* error_message<g::FuncBody> = "expected a function body such as '{ ...; }'";
template <> inline constexpr const char* error_message<g::CaseWord> = "expected a word after 'case'";
template <> inline constexpr const char* error_message<g::ScriptEnd> = "syntax error: unexpected text";

struct Errors {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
};

template <typename Rule>
using Control = pegtl::must_if<Errors, pegtl::normal, false>::control<Rule>;

// ---- values -----------------------------------------------------------------------------------

/// The result of expanding something: text, or "unknown" with the construct that made it so.
struct Value {
  std::string text;
  bool known = true;
  std::string why;  ///< e.g. "command substitution $(uname -r)"
  ir::SourceLoc where;
  uint32_t where_len = 1;
};

/// One field after word expansion (an argv word).
struct Field {
  std::string text;
  ir::SourceLoc loc;
  uint32_t len = 1;
  bool quoted = false;
};

struct Expansion {
  std::vector<Field> fields;
  bool known = true;
  std::string why;
  ir::SourceLoc where;
  uint32_t where_len = 1;
};

/// Status of a command: an exit code, or unknown (depends on the running system).
struct Status {
  int code = 0;
  bool known = true;
  static Status ok() { return {0, true}; }
  static Status fail(int c = 1) { return {c, true}; }
  static Status unknown() { return {1, false}; }
};

constexpr size_t kMaxCommands = 1000000;  // bounds any script's evaluation
constexpr int kMaxLoopIterations = 100000;
constexpr int kMaxCallDepth = 200;

struct StopScript {};  // `exit`, or `set -e` after a failure: unwinds the evaluator

class Shell {
 public:
  Shell(ir::SourceManager& sm, uint32_t file_id, const g::HeredocState& heredocs,
        const ParseOptions& opts, RuleBuilder& builder, ir::Diagnostics& diags, ScriptReport& report)
      : sm_(sm), file_(sm.file(file_id)), file_id_(file_id), heredocs_(heredocs), opts_(opts),
        builder_(builder), diags_(diags), report_(report) {
    positional_.push_back(opts.script_args);
    vars_["IFS"] = Value{" \t\n"};
  }

  void run(const Node& root) {
    try {
      exec_children_lists(root);
    } catch (const StopScript&) {
    }
  }

 private:
  // -- locations ------------------------------------------------------------------------------
  ir::SourceLoc loc(const Node& n) const { return file_.loc_of(file_id_, n.m_begin.byte); }
  uint32_t len(const Node& n) const {
    std::string_view s = n.string_view();
    size_t nl = s.find('\n');
    return static_cast<uint32_t>(std::max<size_t>(1, nl == std::string_view::npos ? s.size() : nl));
  }
  void error(const Node& n, std::string msg, std::string hint = {}) {
    diags_.error(loc(n), std::move(msg), std::move(hint), len(n));
  }
  void warning(const Node& n, std::string msg, std::string hint = {}) {
    diags_.warning(loc(n), std::move(msg), std::move(hint), len(n));
  }

  // -- evaluation of lists ----------------------------------------------------------------------
  void exec_children_lists(const Node& n) {
    for (const auto& c : n.children)
      if (c->is_type<g::List>()) exec_list(*c);
  }

  Status exec_list(const Node& list) {
    Status st = Status::ok();
    if (!list.is_type<g::List>()) {  // IfCond, ForBody, ...: a wrapper around one List
      for (const auto& c : list.children)
        if (c->is_type<g::List>()) st = exec_list(*c);
      return st;
    }
    for (const auto& c : list.children) {
      if (c->is_type<g::Statement>()) st = exec_statement(*c);
      if (returning_) break;
    }
    return st;
  }

  Status exec_statement(const Node& s) {
    for (const auto& c : s.children)
      if (c->is_type<g::AndOr>()) return exec_andor(*c);
    return last_ = Status::ok();
  }

  Status exec_andor(const Node& n) {
    // Pipelines joined by && and ||: every pipeline but the last runs as a condition.
    const auto& ch = n.children;
    std::vector<const Node*> pipes;
    std::vector<bool> is_and;
    for (const auto& c : ch) {
      if (c->is_type<g::Pipeline>()) pipes.push_back(c.get());
      else if (c->is_type<g::AndOp>()) is_and.push_back(true);
      else if (c->is_type<g::OrOp>()) is_and.push_back(false);
    }
    if (pipes.empty()) return last_ = Status::ok();
    Status st;
    {
      ConditionScope cond(*this, pipes.size() > 1);
      st = exec_pipeline(*pipes[0]);
    }
    for (size_t i = 1; i < pipes.size(); ++i) {
      if (!st.known) {
        error(*pipes[i], "cannot tell statically whether this runs",
              "the command before '&&'/'||' depends on the running system");
        return last_ = st;
      }
      bool run = is_and[i - 1] ? st.code == 0 : st.code != 0;
      if (!run) continue;
      ConditionScope cond(*this, i + 1 < pipes.size());
      st = exec_pipeline(*pipes[i]);
    }
    last_ = st;
    if (st.known && st.code != 0 && errexit_ && condition_depth_ == 0) {
      report_.stopped_by_errexit = true;
      throw StopScript{};
    }
    return st;
  }

  struct ConditionScope {
    Shell& s;
    bool on;
    ConditionScope(Shell& sh, bool enable) : s(sh), on(enable) {
      if (on) ++s.condition_depth_;
    }
    ~ConditionScope() {
      if (on) --s.condition_depth_;
    }
  };

  Status exec_pipeline(const Node& n) {
    bool bang = false;
    std::vector<const Node*> cmds;
    for (const auto& c : n.children) {
      if (c->is_type<g::Bang>()) bang = true;
      else if (c->is_type<g::Command>()) cmds.push_back(c.get());
    }
    Status st;
    if (cmds.size() == 1) {
      ConditionScope cond(*this, bang);
      st = exec_command(*cmds[0], nullptr);
    } else {
      // A pipeline's commands read each other's output, which only exists at run time. The
      // iptables commands in it still run; loops reading their input run zero times.
      for (const Node* c : cmds) {
        ConditionScope cond(*this, true);
        st = exec_command(*c, cmds.front());
      }
    }
    if (bang && st.known) st.code = st.code == 0 ? 1 : 0;
    return st;
  }

  /// `piped_from`: the first command of the pipeline when this one reads a pipe.
  Status exec_command(const Node& n, const Node* piped_from) {
    if (++commands_ > kMaxCommands) {
      error(n, "the script runs too many commands to evaluate statically",
            "a loop whose end depends on the running system?");
      throw StopScript{};
    }
    for (const auto& c : n.children) {
      if (c->is_type<g::FuncDef>()) return define_function(*c);
      if (c->is_type<g::SimpleCommand>()) return exec_simple(*c, piped_from);
      if (c->is_type<g::If>()) return exec_if(*c);
      if (c->is_type<g::For>()) return exec_for(*c);
      if (c->is_type<g::While>() || c->is_type<g::Until>()) return exec_while(*c, piped_from, &n);
      if (c->is_type<g::Case>()) return exec_case(*c);
      if (c->is_type<g::Group>()) return exec_group(*c);
      if (c->is_type<g::Subshell>()) return exec_subshell(*c);
    }
    return Status::ok();
  }

  Status define_function(const Node& n) {
    std::string name;
    const Node* body = nullptr;
    for (const auto& c : n.children) {
      if (c->is_type<g::FuncName>() || c->is_type<g::ExpFuncName>()) name = c->string();
      else body = c.get();
    }
    functions_[name] = body;
    return Status::ok();
  }

  Status exec_group(const Node& n) {
    Status st = Status::ok();
    for (const auto& c : n.children)
      if (c->is_type<g::List>()) st = exec_list(*c);
    return st;
  }

  Status exec_subshell(const Node& n) {
    auto saved_vars = vars_;
    auto saved_errexit = errexit_;
    Status st = Status::ok();
    try {
      st = exec_group(n);
    } catch (const StopScript&) {
      st = last_;  // `exit` leaves only the subshell
    }
    vars_ = std::move(saved_vars);
    errexit_ = saved_errexit;
    return st;
  }

  // -- compound commands ------------------------------------------------------------------------
  Status exec_condition(const Node& list) {
    ConditionScope cond(*this, true);
    return exec_list(list);
  }

  Status exec_if(const Node& n) {
    const auto& ch = n.children;
    // Children: IfCond IfBody (ElifClause)* (ElseClause)?
    std::vector<std::pair<const Node*, const Node*>> arms;
    const Node* else_body = nullptr;
    for (size_t i = 0; i < ch.size(); ++i) {
      if (ch[i]->is_type<g::IfCond>()) arms.emplace_back(ch[i].get(), ch[i + 1].get());
      else if (ch[i]->is_type<g::ElifClause>())
        arms.emplace_back(ch[i]->children[0].get(), ch[i]->children[1].get());
      else if (ch[i]->is_type<g::ElseClause>())
        else_body = ch[i]->children[0].get();
    }
    for (const auto& [cond, body] : arms) {
      Status c = exec_condition(*cond);
      if (!c.known) {
        // Reported where the unknown value arose; evaluation goes on with "false".
        continue;
      }
      if (c.code == 0) return exec_list(*body);
    }
    if (else_body) return exec_list(*else_body);
    return Status::ok();
  }

  Status exec_for(const Node& n) {
    std::string var;
    const Node* in = nullptr;
    const Node* body = nullptr;
    for (const auto& c : n.children) {
      if (c->is_type<g::ForVar>()) var = c->string();
      else if (c->is_type<g::ForIn>()) in = c.get();
      else if (c->is_type<g::ForBody>()) body = c.get();
    }
    std::vector<std::string> items;
    if (in) {
      for (const auto& w : in->children) {
        if (!w->is_type<g::ForWord>()) continue;
        Expansion e = expand_word(*w);
        if (!e.known) {
          unknown_error(e, "the list of this 'for' loop");
          return Status::fail();
        }
        for (auto& f : e.fields) items.push_back(f.text);
      }
    } else {
      items = positional_.back();
    }
    Status st = Status::ok();
    for (const auto& item : items) {
      vars_[var] = Value{item};
      st = exec_list(*body);
      if (returning_) break;
    }
    return st;
  }

  Status exec_while(const Node& n, const Node* piped_from, const Node* command) {
    bool until = n.is_type<g::Until>();
    const Node* cond = nullptr;
    const Node* body = nullptr;
    for (const auto& c : n.children) {
      if (c->is_type<g::LoopCond>()) cond = c.get();
      else if (c->is_type<g::LoopBody>()) body = c.get();
    }
    // `while read ...`: the loop consumes input that only exists at run time.
    if (reads_input(*cond)) {
      const Node* from = redirect_source(*command);
      std::string what = piped_from ? fmt::format("the output of '{}'", first_line(*piped_from))
                         : from      ? fmt::format("the file {}", from->string())
                                     : std::string("its standard input");
      warning(n, fmt::format("this loop reads {} at run time", what),
              "iptc cannot know that input; it evaluates the loop as if it read nothing");
      return Status::ok();
    }
    Status st = Status::ok();
    for (int i = 0;; ++i) {
      if (i >= kMaxLoopIterations) {
        error(n, "this loop does not end when evaluated statically",
              "its condition depends on the running system or never changes");
        throw StopScript{};
      }
      Status c = exec_condition(*cond);
      if (!c.known) return Status::fail();
      bool go = until ? c.code != 0 : c.code == 0;
      if (!go) break;
      st = exec_list(*body);
      if (returning_) break;
    }
    return st;
  }

  static bool reads_input(const Node& n) {
    if (n.is_type<g::CmdWord>()) return n.string() == "read";
    for (const auto& c : n.children)
      if (c->is_type<g::SimpleCommand>() || c->is_type<g::Statement>() || c->is_type<g::AndOr>() ||
          c->is_type<g::Pipeline>() || c->is_type<g::Command>() || c->is_type<g::List>()) {
        if (reads_input(*c)) return true;
      } else if (c->is_type<g::CmdWord>()) {
        return c->string() == "read";
      }
    return false;
  }

  static const Node* redirect_source(const Node& command) {
    for (const auto& c : command.children)
      if (c->is_type<g::Redirect>())
        for (const auto& r : c->children)
          if (r->is_type<g::RedirTarget>()) return r.get();
    return nullptr;
  }

  std::string first_line(const Node& n) const {
    std::string s = n.string();
    size_t nl = s.find('\n');
    if (nl != std::string::npos) s = s.substr(0, nl) + " ...";
    return s;
  }

  Status exec_case(const Node& n) {
    const Node* word = nullptr;
    for (const auto& c : n.children)
      if (c->is_type<g::CaseWord>()) word = c.get();
    Value v = expand_single(*word);
    if (!v.known) {
      unknown_error(v, "the word of this 'case'");
      return Status::fail();
    }
    for (const auto& item : n.children) {
      if (!item->is_type<g::CaseItem>()) continue;
      bool hit = false;
      const Node* body = nullptr;
      for (const auto& c : item->children) {
        if (c->is_type<g::CasePattern>() && !hit) {
          Value p = expand_single(*c, /*pattern=*/true);
          if (!p.known) {
            unknown_error(p, "a pattern of this 'case'");
            return Status::fail();
          }
          hit = fnmatch(p.text.c_str(), v.text.c_str(), 0) == 0;
        } else if (c->is_type<g::CaseBody>()) {
          body = c.get();
        }
      }
      if (hit) return body ? exec_list(*body) : Status::ok();
    }
    return Status::ok();
  }

  // -- word expansion ---------------------------------------------------------------------------
  void unknown_error(const Value& v, std::string_view what) {
    diags_.error(v.where, fmt::format("{} depends on {}, which iptc cannot evaluate", what, v.why),
                 "iptc reads scripts without running them; write the value literally", v.where_len);
  }
  void unknown_error(const Expansion& e, std::string_view what) {
    diags_.error(e.where, fmt::format("{} depends on {}, which iptc cannot evaluate", what, e.why),
                 "iptc reads scripts without running them; write the value literally", e.where_len);
  }

  Value lookup(const std::string& name, const Node& at) {
    if (name.size() == 1 && std::isdigit(static_cast<unsigned char>(name[0]))) {
      size_t i = static_cast<size_t>(name[0] - '0');
      if (i == 0) return Value{file_.name()};
      const auto& p = positional_.back();
      return Value{i <= p.size() ? p[i - 1] : std::string()};
    }
    if (name == "#") return Value{std::to_string(positional_.back().size())};
    if (name == "?") return Value{std::to_string(last_.code), last_.known, "the status of a command that depends on the running system", loc(at), len(at)};
    if (name == "@" || name == "*") {
      std::string s;
      for (const auto& a : positional_.back()) s += (s.empty() ? "" : " ") + a;
      return Value{s};
    }
    if (name == "$" || name == "!" || name == "-")
      return Value{"", false, fmt::format("the special parameter ${}", name), loc(at), len(at)};
    auto it = vars_.find(name);
    if (it == vars_.end()) {
      Value v;
      v.text.clear();
      return v;
    }
    return it->second;
  }

  bool is_set(const std::string& name) const {
    if (name.size() == 1 && std::isdigit(static_cast<unsigned char>(name[0])))
      return name[0] == '0' || static_cast<size_t>(name[0] - '0') <= positional_.back().size();
    return vars_.count(name) != 0 || name == "#" || name == "?" || name == "@" || name == "*";
  }

  /// ${...} and $NAME. When the result is the operator's word (${X:-word}), *use_arg is set
  /// and the caller expands that word in place, so its own quoting is kept.
  Value expand_param(const Node& n, const Node** use_arg = nullptr) {
    const Node& inner = *n.children.front();  // Braced or SimpleParam
    std::string name;
    std::string op;
    const Node* arg = nullptr;
    bool length = false;
    for (const auto& c : inner.children) {
      if (c->is_type<g::ParamName>()) name = c->string();
      else if (c->is_type<g::ParamOp>()) op = c->string();
      else if (c->is_type<g::ParamArg>()) arg = c.get();
      else if (c->is_type<g::ParamLength>()) {
        length = true;
        for (const auto& cc : c->children)
          if (cc->is_type<g::ParamName>()) name = cc->string();
      }
    }
    Value v = lookup(name, n);
    if (!v.known) return v;
    if (length) return Value{std::to_string(v.text.size())};
    if (op.empty()) return v;
    auto arg_value = [&]() -> Value { return arg ? expand_single(*arg) : Value{}; };
    auto use_word = [&]() -> Value {
      if (use_arg && arg) {
        *use_arg = arg;
        return Value{};
      }
      return arg_value();
    };
    bool set = is_set(name);
    bool nonempty = set && !v.text.empty();
    if (op == ":-" || op == "-") return (op == ":-" ? nonempty : set) ? v : use_word();
    if (op == ":=" || op == "=") {
      if (op == ":=" ? nonempty : set) return v;
      Value a = arg_value();
      vars_[name] = a;
      return a;
    }
    if (op == ":+" || op == "+") return (op == ":+" ? nonempty : set) ? use_word() : Value{};
    if (op == ":?" || op == "?") {
      if (op == ":?" ? nonempty : set) return v;
      error(n, fmt::format("parameter '{}' is not set", name), "the shell would stop the script here");
      throw StopScript{};
    }
    if (op == "#" || op == "##" || op == "%" || op == "%%") {
      Value p = arg_value();
      if (!p.known) return p;
      const std::string& s = v.text;
      bool longest = op.size() == 2;
      if (op[0] == '#') {
        std::optional<size_t> cut;
        for (size_t k = 0; k <= s.size(); ++k)
          if (fnmatch(p.text.c_str(), s.substr(0, k).c_str(), 0) == 0) {
            cut = k;
            if (!longest) break;
          }
        return Value{cut ? s.substr(*cut) : s};
      }
      std::optional<size_t> cut;
      for (size_t k = s.size() + 1; k-- > 0;)
        if (fnmatch(p.text.c_str(), s.substr(k).c_str(), 0) == 0) {
          cut = k;
          if (!longest) break;
        }
      return Value{cut ? s.substr(0, *cut) : s};
    }
    return Value{"", false, fmt::format("the expansion '{}'", n.string()), loc(n), len(n)};
  }

  /// Static stand-ins for the command substitutions whose result is known: `which iptables`.
  std::optional<std::string> static_substitution(std::string_view body) {
    std::string s(body);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    for (std::string_view prefix : {"which ", "command -v ", "type -p "}) {
      if (!s.starts_with(prefix)) continue;
      std::string prog = s.substr(prefix.size());
      static const char* kKnown[] = {"iptables", "iptables-save", "iptables-restore",
                                     "iptables-legacy", "iptables-nft", "ip6tables",
                                     "ip6tables-save", "ip6tables-restore"};
      for (const char* k : kKnown)
        if (prog == k) return std::string("/usr/sbin/") + k;
    }
    return std::nullopt;
  }

  /// Appends the expansion of word parts to fields. `split` marks unquoted context.
  /// `literal_splits`: literal text is subject to field splitting too (the word of an
  /// unquoted ${X:-word}, where the shell splits the whole result).
  void expand_parts(const Node& n, Expansion& out, std::string& cur, bool& have, bool quoted,
                    const Node& word, bool literal_splits = false) {
    auto add_text = [&](const std::string& t, bool splittable) {
      if (!splittable) {
        cur += t;
        have = have || !t.empty() || quoted;
        return;
      }
      // Field splitting on IFS whitespace (the only IFS characters scripts use).
      std::string ifs = vars_.count("IFS") ? vars_["IFS"].text : " \t\n";
      for (char c : t) {
        if (ifs.find(c) != std::string::npos) {
          if (have) {
            out.fields.push_back(Field{cur, loc(word), len(word), quoted});
            cur.clear();
            have = false;
          }
        } else {
          cur += c;
          have = true;
        }
      }
    };
    auto unknown = [&](std::string why, const Node& at) {
      if (out.known) {
        out.known = false;
        out.why = std::move(why);
        out.where = loc(at);
        out.where_len = len(at);
      }
    };
    for (const auto& c : n.children) {
      if (c->is_type<g::LiteralChars>() || c->is_type<g::Dollar>() || c->is_type<g::DqChar>() ||
          c->is_type<g::ParamArgChar>()) {
        add_text(c->string(), literal_splits && !quoted);
      } else if (c->is_type<g::Escaped>()) {
        add_text(c->string().substr(1), false);
        have = true;
      } else if (c->is_type<g::DqEscape>()) {
        add_text(c->string().substr(1), false);
      } else if (c->is_type<g::WordCont>() || c->is_type<g::DqLineCont>()) {
      } else if (c->is_type<g::SingleQuoted>()) {
        std::string body;
        for (const auto& b : c->children)
          if (b->is_type<g::SqBody>()) body = b->string();
        cur += body;
        have = true;
      } else if (c->is_type<g::DoubleQuoted>()) {
        have = true;
        // "$@" keeps one field per positional parameter.
        if (c->children.size() == 1 && c->children[0]->is_type<g::ParamExp>() &&
            (c->children[0]->string() == "$@" || c->children[0]->string() == "${@}")) {
          const auto& p = positional_.back();
          if (p.empty()) {
            have = !cur.empty();
            continue;
          }
          for (size_t k = 0; k < p.size(); ++k) {
            cur += p[k];
            if (k + 1 < p.size()) {
              out.fields.push_back(Field{cur, loc(word), len(word), true});
              cur.clear();
            }
          }
          continue;
        }
        expand_parts(*c, out, cur, have, true, word);
      } else if (c->is_type<g::ParamExp>()) {
        const Node* use_arg = nullptr;
        Value v = expand_param(*c, &use_arg);
        if (use_arg) {
          expand_parts(*use_arg, out, cur, have, quoted, word, !quoted);
          continue;
        }
        if (!v.known) {
          unknown(v.why, *c);
          if (out.where_len == 1 && v.where.valid()) {
            out.where = v.where;
            out.where_len = v.where_len;
          }
          continue;
        }
        add_text(v.text, !quoted);
      } else if (c->is_type<g::CmdSubst>() || c->is_type<g::Backtick>()) {
        std::string body;
        for (const auto& b : c->children)
          if (b->is_type<g::CmdSubstBody>() || b->is_type<g::BacktickBody>()) body = b->string();
        if (auto s = static_substitution(body)) {
          add_text(*s, !quoted);
        } else {
          unknown(fmt::format("the command substitution '{}'", c->string()), *c);
        }
      } else if (c->is_type<g::ArithExp>()) {
        unknown(fmt::format("the arithmetic expansion '{}'", c->string()), *c);
      } else {
        expand_parts(*c, out, cur, have, quoted, word, literal_splits);
      }
    }
  }

  /// bash brace expansion of an unquoted, expansion-free word: {a,b,c} and {N..M[..S]}.
  static std::vector<std::string> brace_expand(const std::string& w) {
    size_t open = w.find('{');
    if (open == std::string::npos) return {w};
    int depth = 0;
    size_t close = std::string::npos;
    std::vector<size_t> commas;
    for (size_t i = open; i < w.size(); ++i) {
      if (w[i] == '{') ++depth;
      else if (w[i] == '}' && --depth == 0) {
        close = i;
        break;
      } else if (w[i] == ',' && depth == 1) commas.push_back(i);
    }
    if (close == std::string::npos) return {w};
    std::string pre = w.substr(0, open), body = w.substr(open + 1, close - open - 1), post = w.substr(close + 1);
    std::vector<std::string> items;
    if (!commas.empty()) {
      size_t start = open + 1;
      for (size_t c : commas) {
        items.push_back(w.substr(start, c - start));
        start = c + 1;
      }
      items.push_back(w.substr(start, close - start));
    } else if (size_t dots = body.find(".."); dots != std::string::npos) {
      char* e1 = nullptr;
      char* e2 = nullptr;
      std::string a = body.substr(0, dots), b = body.substr(dots + 2);
      long step = 1;
      if (size_t d2 = b.find(".."); d2 != std::string::npos) {
        step = std::labs(std::strtol(b.c_str() + d2 + 2, nullptr, 10));
        b = b.substr(0, d2);
      }
      long lo = std::strtol(a.c_str(), &e1, 10), hi = std::strtol(b.c_str(), &e2, 10);
      if (a.empty() || b.empty() || *e1 || *e2 || step == 0 || std::labs(hi - lo) / step > 100000) {
        std::vector<std::string> rest = brace_expand(post);
        std::vector<std::string> out;
        for (auto& r : rest) out.push_back(pre + "{" + body + "}" + r);
        return out;
      }
      for (long v = lo; lo <= hi ? v <= hi : v >= hi; v += lo <= hi ? step : -step) items.push_back(std::to_string(v));
    } else {
      std::vector<std::string> out;
      for (auto& r : brace_expand(post)) out.push_back(pre + "{" + body + "}" + r);
      return out;
    }
    std::vector<std::string> out;
    for (const auto& it : items)
      for (const auto& a : brace_expand(pre + it))
        for (const auto& b : brace_expand(post)) out.push_back(a + b);
    return out;
  }

  Expansion expand_word(const Node& word) {
    // Brace expansion comes first, on the word as written; iptc applies it to words without
    // quotes or expansions, which is how scripts use it (for i in {1..254}).
    std::string raw = word.string();
    if (raw.find('{') != std::string::npos && raw.find_first_of("'\"\\$`") == std::string::npos &&
        (raw.find(',') != std::string::npos || raw.find("..") != std::string::npos)) {
      auto parts = brace_expand(raw);
      if (parts.size() != 1 || parts[0] != raw) {
        Expansion e;
        for (auto& p : parts)
          if (!p.empty()) e.fields.push_back(Field{p, loc(word), len(word), false});
        return e;
      }
    }
    Expansion e;
    std::string cur;
    bool have = false;
    expand_parts(word, e, cur, have, false, word);
    if (have) e.fields.push_back(Field{cur, loc(word), len(word), false});
    for (auto& f : e.fields) {
      f.quoted = word.string().find_first_of("'\"\\") != std::string::npos;
    }
    return e;
  }

  /// Expansion without field splitting (assignments, case words, here documents).
  Value expand_single(const Node& n, bool pattern = false) {
    (void)pattern;
    Expansion e;
    std::string cur;
    bool have = false;
    expand_parts(n, e, cur, have, true, n);
    Value v{cur};
    if (!e.known) {
      v.known = false;
      v.why = e.why;
      v.where = e.where;
      v.where_len = e.where_len;
    }
    return v;
  }

  // -- simple commands --------------------------------------------------------------------------
  Status exec_simple(const Node& n, const Node* piped_from) {
    std::vector<const Node*> assigns, words, redirects;
    for (const auto& c : n.children) {
      if (c->is_type<g::Assignment>()) assigns.push_back(c.get());
      else if (c->is_type<g::CmdWord>()) words.push_back(c.get());
      else if (c->is_type<g::Redirect>()) redirects.push_back(c.get());
    }
    if (words.empty()) {
      for (const Node* a : assigns) assign(*a);
      return last_ = Status::ok();
    }
    std::vector<Field> argv;
    for (const Node* w : words) {
      Expansion e = expand_word(*w);
      if (!e.known) {
        // An unknown word matters only to the commands iptc evaluates.
        std::string first = argv.empty() ? (e.fields.empty() ? std::string() : e.fields[0].text) : argv[0].text;
        if (argv.empty() || is_evaluated(argv[0].text)) {
          unknown_error(e, fmt::format("this command ('{}')", first_line(n)));
          return last_ = Status::unknown();
        }
      }
      for (auto& f : e.fields) argv.push_back(std::move(f));
    }
    if (argv.empty()) return last_ = Status::ok();
    (void)piped_from;
    return last_ = dispatch(n, argv, redirects);
  }

  void assign(const Node& a) {
    std::string name;
    const Node* value = nullptr;
    for (const auto& c : a.children) {
      if (c->is_type<g::AssignName>()) name = c->string();
      else if (c->is_type<g::AssignValue>()) value = c.get();
    }
    Value v = value ? expand_single(*value) : Value{};
    vars_[name] = std::move(v);
  }

  /// Assignments given as arguments (export/local/readonly NAME=VALUE).
  void assign_text(const std::string& text) {
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) return;
    vars_[text.substr(0, eq)] = Value{text.substr(eq + 1)};
  }

  static std::string basename(const std::string& s) {
    size_t slash = s.rfind('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
  }

  bool is_evaluated(const std::string& cmd) const {
    std::string b = basename(cmd);
    return b.starts_with("iptables") || b == "sudo" || b == "[" || b == "test" ||
           functions_.count(cmd) || b == "exit" || b == "return" || b == "set" ||
           b == "export" || b == "local" || b == "readonly" || b == "declare" || b == "shift";
  }

  void skipped(const Node& n, const std::string& what) {
    ++report_.skipped_commands;
    diags_.note(loc(n), fmt::format("skipped '{}': not an iptables command", what), {}, len(n));
  }

  Status dispatch(const Node& n, std::vector<Field>& argv, const std::vector<const Node*>& redirects) {
    std::string cmd = argv[0].text;
    // sudo [-E] [-n] CMD ...
    if (basename(cmd) == "sudo") {
      size_t i = 1;
      while (i < argv.size() && argv[i].text.starts_with("-")) ++i;
      argv.erase(argv.begin(), argv.begin() + static_cast<std::ptrdiff_t>(std::min(i, argv.size())));
      if (argv.empty()) return Status::ok();
      cmd = argv[0].text;
    }
    std::string base = basename(cmd);
    if (auto f = functions_.find(cmd); f != functions_.end()) return call_function(n, *f->second, argv);
    if (base == "iptables" || base == "iptables-legacy" || base == "iptables-nft")
      return run_iptables(n, argv);
    if (base.starts_with("ip6tables")) {
      ++report_.skipped_commands;
      diags_.note(argv[0].loc, fmt::format("skipped '{}': iptc does not model IPv6 yet", base), {}, argv[0].len);
      return Status::ok();
    }
    if (base == "iptables-restore" || base == "iptables-legacy-restore" || base == "iptables-nft-restore")
      return run_restore(n, argv, redirects);
    if (base == ":" || base == "true") return Status::ok();
    if (base == "false") return Status::fail();
    if (base == "exit") {
      int code = argv.size() > 1 ? std::atoi(argv[1].text.c_str()) : last_.code;
      last_ = Status{code, true};
      throw StopScript{};
    }
    if (base == "return") {
      last_ = Status{argv.size() > 1 ? std::atoi(argv[1].text.c_str()) : last_.code, true};
      returning_ = true;
      return last_;
    }
    if (base == "set") {
      for (size_t i = 1; i < argv.size(); ++i) {
        const std::string& a = argv[i].text;
        if (a == "-o" && i + 1 < argv.size()) {
          if (argv[i + 1].text == "errexit") errexit_ = true;
          ++i;
        } else if (a == "+o" && i + 1 < argv.size()) {
          if (argv[i + 1].text == "errexit") errexit_ = false;
          ++i;
        } else if (a.size() > 1 && a[0] == '-' && a != "--") {
          if (a.find('e') != std::string::npos) errexit_ = true;
        } else if (a.size() > 1 && a[0] == '+') {
          if (a.find('e') != std::string::npos) errexit_ = false;
        } else {
          // `set -- a b c` or `set a b`: new positional parameters.
          std::vector<std::string> p;
          for (size_t k = (a == "--" ? i + 1 : i); k < argv.size(); ++k) p.push_back(argv[k].text);
          positional_.back() = p;
          break;
        }
      }
      return Status::ok();
    }
    if (base == "export" || base == "local" || base == "readonly" || base == "declare" || base == "typeset") {
      for (size_t i = 1; i < argv.size(); ++i)
        if (!argv[i].text.starts_with("-")) assign_text(argv[i].text);
      return Status::ok();
    }
    if (base == "unset") {
      for (size_t i = 1; i < argv.size(); ++i) vars_.erase(argv[i].text);
      return Status::ok();
    }
    if (base == "shift") {
      auto& p = positional_.back();
      size_t k = argv.size() > 1 ? static_cast<size_t>(std::atoi(argv[1].text.c_str())) : 1;
      if (k > p.size()) return Status::fail();
      p.erase(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(k));
      return Status::ok();
    }
    if (base == "[" || base == "test") return test(n, argv, base == "[");
    if (base == "source" || base == ".") {
      error(n, fmt::format("'{}' reads another file at run time", first_line(n)),
            "iptc reads one script; inline the sourced file's variables and commands");
      return Status::unknown();
    }
    if (base == "eval") {
      error(n, "'eval' builds commands at run time", "write the command out");
      return Status::unknown();
    }
    if (base == "read") {
      warning(n, "'read' takes input at run time", "iptc assumes it reads nothing");
      return Status::fail();
    }
    if (base == "iptables-save" || base == "iptables-legacy-save" || base == "iptables-nft-save") {
      ++report_.skipped_commands;
      diags_.note(argv[0].loc, fmt::format("skipped '{}': it only prints the rules", base), {}, argv[0].len);
      return Status::ok();
    }
    skipped(n, base);
    return Status::ok();
  }

  Status call_function(const Node& n, const Node& body, const std::vector<Field>& argv) {
    if (call_depth_ >= kMaxCallDepth) {
      error(n, "functions call each other too deeply to evaluate", "is the recursion bounded?");
      throw StopScript{};
    }
    std::vector<std::string> args;
    for (size_t i = 1; i < argv.size(); ++i) args.push_back(argv[i].text);
    positional_.push_back(std::move(args));
    ++call_depth_;
    Status st = Status::ok();
    if (body.is_type<g::Group>()) st = exec_group(body);
    else if (body.is_type<g::Subshell>()) st = exec_subshell(body);
    else if (body.is_type<g::If>()) st = exec_if(body);
    else if (body.is_type<g::For>()) st = exec_for(body);
    else if (body.is_type<g::While>() || body.is_type<g::Until>()) st = exec_while(body, nullptr, &body);
    else if (body.is_type<g::Case>()) st = exec_case(body);
    --call_depth_;
    positional_.pop_back();
    if (returning_) {
      returning_ = false;
      st = last_;
    }
    return st;
  }

  /// `[` / `test` with string and integer operands; file tests depend on the host.
  Status test(const Node& n, std::vector<Field>& argv, bool bracket) {
    std::vector<std::string> a;
    for (size_t i = 1; i < argv.size(); ++i) a.push_back(argv[i].text);
    if (bracket) {
      if (a.empty() || a.back() != "]") {
        error(n, "'[' without a closing ']'");
        return Status::fail(2);
      }
      a.pop_back();
    }
    size_t pos = 0;
    std::optional<std::string> unknown_why;
    std::function<std::optional<bool>()> expr_or, expr_and, primary;
    primary = [&]() -> std::optional<bool> {
      if (pos >= a.size()) return false;
      if (a[pos] == "!") {
        ++pos;
        auto v = primary();
        return v ? std::optional<bool>(!*v) : std::nullopt;
      }
      if (a[pos] == "(") {
        ++pos;
        auto v = expr_or();
        if (pos < a.size() && a[pos] == ")") ++pos;
        return v;
      }
      // Binary operators: STRING = STRING, STRING != STRING, INT -eq INT, ...
      if (pos + 2 < a.size()) {
        const std::string& op = a[pos + 1];
        const std::string& l = a[pos];
        const std::string& r = a[pos + 2];
        if (op == "=" || op == "==" || op == "!=") {
          pos += 3;
          return op == "!=" ? l != r : l == r;
        }
        if (op == "-eq" || op == "-ne" || op == "-lt" || op == "-le" || op == "-gt" || op == "-ge") {
          char* le = nullptr;
          char* re = nullptr;
          long lv = std::strtol(l.c_str(), &le, 10), rv = std::strtol(r.c_str(), &re, 10);
          pos += 3;
          if (*le || *re || l.empty() || r.empty()) {
            unknown_why = fmt::format("'{} {} {}' compares something that is not a number", l, op, r);
            return std::nullopt;
          }
          if (op == "-eq") return lv == rv;
          if (op == "-ne") return lv != rv;
          if (op == "-lt") return lv < rv;
          if (op == "-le") return lv <= rv;
          if (op == "-gt") return lv > rv;
          return lv >= rv;
        }
      }
      const std::string& t = a[pos];
      if ((t == "-z" || t == "-n") && pos + 1 < a.size()) {
        bool empty = a[pos + 1].empty();
        pos += 2;
        return t == "-z" ? empty : !empty;
      }
      static const char* kFileTests[] = {"-e", "-f", "-d", "-r", "-w", "-x", "-s", "-L", "-h",
                                         "-b", "-c", "-p", "-S", "-g", "-u", "-k", "-O", "-G", "-N"};
      for (const char* f : kFileTests)
        if (t == f && pos + 1 < a.size()) {
          unknown_why = fmt::format("'{} {}' tests the file system", t, a[pos + 1]);
          pos += 2;
          return false;  // assumed absent; reported below
        }
      if (t == "-t" || t == "-v" || t == "-o") {
        unknown_why = fmt::format("'{}' tests the running shell", t);
        pos += 2;
        return std::nullopt;
      }
      ++pos;
      return !t.empty();
    };
    expr_and = [&]() -> std::optional<bool> {
      auto v = primary();
      while (pos < a.size() && a[pos] == "-a") {
        ++pos;
        auto r = primary();
        if (!v || !r) v = std::nullopt;
        else v = *v && *r;
      }
      return v;
    };
    expr_or = [&]() -> std::optional<bool> {
      auto v = expr_and();
      while (pos < a.size() && a[pos] == "-o") {
        ++pos;
        auto r = expr_and();
        if (!v || !r) v = std::nullopt;
        else v = *v || *r;
      }
      return v;
    };
    auto v = expr_or();
    if (unknown_why) {
      if (v) {
        warning(n, fmt::format("{} at run time", *unknown_why),
                "iptc assumes the file does not exist (as on a fresh host)");
      } else {
        error(n, fmt::format("{} at run time, which iptc cannot evaluate", *unknown_why));
        return Status::unknown();
      }
    }
    if (!v) return Status::unknown();
    return *v ? Status::ok() : Status::fail();
  }

  // -- iptables ---------------------------------------------------------------------------------
  Argv to_argv(const std::vector<Field>& fields, size_t from) {
    Argv argv;
    for (size_t i = from; i < fields.size(); ++i)
      argv.push_back(Word{fields[i].text, fields[i].loc, fields[i].len, fields[i].quoted});
    return argv;
  }

  Status run_iptables(const Node& n, const std::vector<Field>& argv_fields) {
    ++report_.iptables_commands;
    std::vector<std::string> words;
    for (const auto& f : argv_fields) words.push_back(f.text);
    report_.commands.push_back(std::move(words));
    Argv argv = to_argv(argv_fields, 1);
    ParsedCommand cmd;
    CommandMode mode;
    size_t errors_before = diags_.error_count();
    if (!parse_command(argv, mode, cmd, diags_)) {
      ++report_.failed_commands;
      if (!report_.first_failure) report_.first_failure = loc(n);
      return Status::fail(2);
    }
    if (cmd.command & (kCmdList | kCmdListRules)) {
      // Listing changes nothing (it only fails for a missing chain).
      if (!builder_.apply(cmd)) {
        ++report_.failed_commands;
        if (!report_.first_failure) report_.first_failure = loc(n);
        return Status::fail();
      }
      return Status::ok();
    }
    bool quiet_check = cmd.command == kCmdCheck;
    ir::Diagnostics scratch;
    RuleBuilder* b = &builder_;
    std::optional<RuleBuilder> quiet;
    if (quiet_check) quiet.emplace(builder_.ruleset(), scratch);
    // The kernel validates every command's transaction (loops, jump depth, hooks), so a rule
    // that makes the rule set invalid fails on its own and leaves the rest as it was.
    std::optional<ir::Ruleset> before;
    if (cmd.command & (kCmdAppend | kCmdInsert | kCmdReplace)) before = builder_.ruleset();
    bool ok = quiet_check ? quiet->apply(cmd) : b->apply(cmd);
    if (ok && before) {
      ir::Diagnostics vd;
      if (!ir::verify(builder_.ruleset(), vd)) {
        builder_.ruleset() = std::move(*before);
        const ir::Diagnostic* first = nullptr;
        for (const auto& d : vd.all())
          if (d.severity == ir::Severity::Error) {
            first = &d;
            break;
          }
        diags_.error(loc(n), fmt::format("the kernel refuses this command: {}", first ? first->message : "invalid rule set"),
                     first ? first->hint : std::string(), len(n));
        ok = false;
      }
    }
    (void)errors_before;
    if (!ok) {
      if (!quiet_check) {
        ++report_.failed_commands;
        if (!report_.first_failure) report_.first_failure = loc(n);
      }
      return Status::fail();
    }
    return Status::ok();
  }

  Status run_restore(const Node& n, const std::vector<Field>& argv, const std::vector<const Node*>& redirects) {
    bool noflush = false;
    ParseOptions po = opts_;
    for (size_t i = 1; i < argv.size(); ++i) {
      const std::string& a = argv[i].text;
      if (a == "-n" || a == "--noflush") noflush = true;
      else if (a == "-c" || a == "--counters") po.counters = true;
      else if (a == "-t" || a == "--test") {
        diags_.note(argv[i].loc, "'iptables-restore --test' changes nothing", {}, argv[i].len);
        return Status::ok();
      } else if (!a.starts_with("-")) {
        error(n, fmt::format("'{}' reads the file {} at run time", first_line(n), a),
              "iptc reads one script; pass the rules file to iptc directly");
        return Status::unknown();
      }
    }
    for (const Node* r : redirects) {
      for (const auto& c : r->children) {
        if (!c->is_type<g::Heredoc>()) continue;
        size_t at = c->m_begin.byte + c->string_view().find("<<");
        for (const auto& body : heredocs_.bodies) {
          if (body.at != at) continue;
          if (!body.terminated) warning(*c, "here document without its end marker", "the shell reads it to the end of the script");
          std::string_view text = std::string_view(file_.text()).substr(body.begin, body.end - body.begin);
          if (!body.quoted && text.find_first_of("$`\\") != std::string_view::npos) {
            error(*c, "this here document expands variables; iptc reads only literal ones",
                  "quote the end marker (<<'EOF') if the rules contain no variables");
            return Status::unknown();
          }
          size_t errors = diags_.error_count();
          ir::Ruleset trial = builder_.ruleset();
          RuleBuilder tb(trial, diags_, /*restore=*/true);
          parse_save_range(file_, file_id_, body.begin, body.end, po, tb, diags_, noflush);
          if (diags_.error_count() != errors) {
            ++report_.failed_commands;
            if (!report_.first_failure) report_.first_failure = loc(n);
            return Status::fail();
          }
          builder_.ruleset() = std::move(trial);  // iptables-restore commits atomically
          return Status::ok();
        }
      }
      for (const auto& c : r->children)
        if (c->is_type<g::RedirTarget>()) {
          error(n, fmt::format("'{}' reads {} at run time", first_line(n), c->string()),
                "iptc reads one script; pass the rules file to iptc directly");
          return Status::unknown();
        }
    }
    error(n, "'iptables-restore' without a here document reads its input at run time",
          "pass the rules file to iptc directly");
    return Status::unknown();
  }

  ir::SourceManager& sm_;
  const ir::SourceFile& file_;
  uint32_t file_id_;
  const g::HeredocState& heredocs_;
  const ParseOptions& opts_;
  RuleBuilder& builder_;
  ir::Diagnostics& diags_;
  ScriptReport& report_;

  std::unordered_map<std::string, Value> vars_;
  std::unordered_map<std::string, const Node*> functions_;
  std::vector<std::vector<std::string>> positional_;
  Status last_ = Status::ok();
  bool errexit_ = false;
  bool returning_ = false;
  int condition_depth_ = 0;
  int call_depth_ = 0;
  size_t commands_ = 0;
};

}  // namespace

namespace {

/// A shell prompt such as "root@host:~# " or "[root@host ~]# " at the start of a line.
size_t prompt_length(std::string_view line) {
  auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  size_t i = 0;
  bool bracket = !line.empty() && line[0] == '[';
  if (bracket) ++i;
  size_t user = i;
  while (i < line.size() && is_name(line[i])) ++i;
  if (i == user || i >= line.size() || line[i] != '@') return 0;
  ++i;
  size_t host = i;
  while (i < line.size() && is_name(line[i])) ++i;
  if (i == host) return 0;
  size_t end = line.find_first_of("#$", i);
  if (end == std::string_view::npos) return 0;
  std::string_view mid = line.substr(i, end - i);
  if (bracket ? mid.find(']') == std::string_view::npos : (mid.empty() || mid[0] != ':'))
    return 0;
  if (mid.find_first_of("\"'`;|&<>") != std::string_view::npos) return 0;
  ++end;
  if (end < line.size() && line[end] == ' ') ++end;
  return end;
}

/// A terminal transcript (commands after prompts, their output in between) becomes a script
/// with the same lines and columns: prompts turn into blanks, output lines into comments.
std::optional<std::string> untranscript(std::string_view text) {
  size_t pos = 0, prompts = 0;
  std::string out;
  bool first_nonempty = true;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    size_t p = prompt_length(line);
    if (first_nonempty && !line.empty()) {
      if (p == 0) return std::nullopt;
      first_nonempty = false;
    }
    if (p) {
      ++prompts;
      out += std::string(p, ' ');
      out += line.substr(p);
    } else if (!line.empty()) {
      out += '#';
      out += line.substr(1);
    }
    if (nl == std::string_view::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  if (prompts == 0) return std::nullopt;
  return out;
}

}  // namespace

bool parse_script(ir::SourceManager& sm, uint32_t file_id_in, const ParseOptions& opts,
                  ir::Ruleset& out, ir::Diagnostics& diags, ScriptReport* report_out) {
  uint32_t file_id = file_id_in;
  if (auto t = untranscript(sm.file(file_id_in).text())) {
    file_id = sm.add(sm.file(file_id_in).name(), std::move(*t));
    diags.note(ir::SourceLoc{file_id, 1, 1},
               "reading this file as a terminal transcript: lines after a shell prompt are commands, the others are their output");
  }
  const ir::SourceFile& file = sm.file(file_id);
  size_t before = diags.error_count();
  ScriptReport report;
  g::HeredocState heredocs;
  std::unique_ptr<Node> root;
  try {
    pegtl::memory_input in(file.text(), file.name());
    root = pt::parse<g::Script, Selector, ShellAction, Control>(in, heredocs);
  } catch (const pegtl::parse_error& e) {
    const auto& p = e.positions().front();
    std::string msg(e.message());
    diags.error(file.loc_of(file_id, p.byte), msg, "iptc reads a static subset of the shell");
    if (report_out) *report_out = report;
    return false;
  }
  if (!root) {
    diags.error(ir::SourceLoc{file_id, 1, 1}, "this script could not be parsed");
    return false;
  }
  report.parsed = true;
  RuleBuilder builder(out, diags);
  Shell sh(sm, file_id, heredocs, opts, builder, diags, report);
  sh.run(*root);
  if (report_out) *report_out = report;
  return diags.error_count() == before;
}

}  // namespace iptc::frontend
