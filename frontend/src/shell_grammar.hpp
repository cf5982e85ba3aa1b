// PEGTL grammar of the static shell subset iptc reads firewall scripts in: comments, line
// continuations, quoting, parameter expansion, `;` `&&` `||` `|` `&`, redirections and here
// documents, if/elif/else, for, while/until, case, { }, ( ), and function definitions
// (POSIX shell grammar, XCU 2.10, plus bash's `function` keyword). Command substitution and
// arithmetic are recognised so that the evaluator can name them in a diagnostic. The parse
// tree keeps only the rules listed in shell_reader.cpp's selector; words keep their parts so
// expansion can follow quoting exactly.
#pragma once

#include <string>
#include <vector>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

namespace iptc::frontend::shell_grammar {

namespace pegtl = tao::pegtl;
using namespace pegtl;  // NOLINT: grammar DSL

/// Here documents whose bodies start after the next newline (a parse-time side channel: the
/// body of `cmd <<EOF` is not inside the command's text).
struct HeredocState {
  struct Pending {
    std::string delim;
    bool strip_tabs = false;
    bool quoted = false;
    size_t at = 0;  ///< offset of the `<<` operator
  };
  std::vector<Pending> pending;
  struct Body {
    size_t at = 0;  ///< offset of the `<<` operator it belongs to
    size_t begin = 0, end = 0;  ///< body text (without the delimiter line)
    bool quoted = false;
    bool strip_tabs = false;
    bool terminated = true;
  };
  std::vector<Body> bodies;
};

// ---- lexical ----------------------------------------------------------------------------------
// LineCont     <- '\\' '\n'
struct LineCont : seq<one<'\\'>, one<'\n'>> {};
// Blank        <- ' ' / '\t' / LineCont
struct Blank : sor<one<' ', '\t'>, LineCont> {};
// Sp           <- Blank*
struct Sp : star<Blank> {};
// Comment      <- '#' (!'\n' .)*
struct Comment : seq<one<'#'>, star<not_one<'\n'>>> {};

/// After a newline, the bodies of the here documents opened on the line just ended.
struct HeredocBodies {
  using rule_t = HeredocBodies;
  using subs_t = empty_list;
  template <apply_mode, rewind_mode, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    HeredocState* found = nullptr;
    ((found = pick(found, st)), ...);
    if (!found) return true;
    HeredocState& hs = *found;
    while (!hs.pending.empty()) {
      auto p = hs.pending.front();
      hs.pending.erase(hs.pending.begin());
      HeredocState::Body body;
      body.at = p.at;
      body.quoted = p.quoted;
      body.strip_tabs = p.strip_tabs;
      body.begin = static_cast<size_t>(in.current() - in.begin());
      body.terminated = false;
      while (!in.empty()) {
        const char* s = in.current();
        size_t n = 0;
        while (n < in.size(100000) && s[n] != '\n') ++n;
        std::string_view line(s, n);
        std::string_view cmp = line;
        if (p.strip_tabs)
          while (!cmp.empty() && cmp.front() == '\t') cmp.remove_prefix(1);
        bool has_nl = n < in.size(100000);
        if (cmp == p.delim) {
          body.end = static_cast<size_t>(s - in.begin());
          in.bump(n + (has_nl ? 1 : 0));
          body.terminated = true;
          break;
        }
        in.bump(n + (has_nl ? 1 : 0));
      }
      if (!body.terminated) body.end = static_cast<size_t>(in.current() - in.begin());
      hs.bodies.push_back(body);
    }
    return true;
  }

 private:
  static HeredocState* pick(HeredocState* f, HeredocState& hs) { return f ? f : &hs; }
  template <typename T>
  static HeredocState* pick(HeredocState* f, T&) {
    return f;
  }
};

// Newline      <- '\n' HeredocBodies
struct Newline : seq<one<'\n'>, HeredocBodies> {};

// Meta         <- Blank / '\n' / ';' / '&' / '|' / '<' / '>' / '(' / ')'
struct Meta : sor<one<' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')'>> {};

// Name         <- [A-Za-z_] [A-Za-z0-9_]*
struct Name : seq<ranges<'a', 'z', 'A', 'Z', '_'>, star<ranges<'a', 'z', 'A', 'Z', '0', '9', '_'>>> {};

// ---- word parts -------------------------------------------------------------------------------
// Escaped      <- '\\' (!'\n' .)
struct Escaped : seq<one<'\\'>, not_one<'\n'>> {};
// SingleQuoted <- '\'' (!'\'' .)* '\''
struct SqBody : star<not_one<'\''>> {};
struct SqClose : one<'\''> {};
struct SingleQuoted : if_must<one<'\''>, SqBody, SqClose> {};

// Balanced     <- '(' (Balanced / SingleQuoted / !')' .)* ')'      (inside $( ... ))
struct Balanced;
struct BalancedBody : star<sor<Balanced, SingleQuoted, seq<one<'\\'>, any>, not_one<')'>>> {};
struct Balanced : seq<one<'('>, BalancedBody, one<')'>> {};
// ArithExp     <- '$((' ... '))'
struct ArithExp : seq<string<'$', '(', '('>, BalancedBody, string<')', ')'>> {};
// CmdSubst     <- '$(' BalancedBody ')'
struct CmdSubstBody : BalancedBody {};
struct SubstClose : one<')'> {};
struct CmdSubst : if_must<string<'$', '('>, CmdSubstBody, SubstClose> {};
// Backtick     <- '`' ('\\' . / !'`' .)* '`'
struct BacktickBody : star<sor<seq<one<'\\'>, any>, not_one<'`'>>> {};
struct BacktickClose : one<'`'> {};
struct Backtick : if_must<one<'`'>, BacktickBody, BacktickClose> {};

// ParamName    <- Name / [0-9] / [#?@*$!-]
struct ParamName : sor<Name, digit, one<'#', '?', '@', '*', '$', '!', '-'>> {};
// ParamOp      <- ':-' / ':=' / ':+' / ':?' / '-' / '=' / '+' / '?' / '##' / '#' / '%%' / '%' / ':'
struct ParamOp : sor<string<':', '-'>, string<':', '='>, string<':', '+'>, string<':', '?'>,
                     one<'-', '=', '+', '?'>, string<'#', '#'>, one<'#'>, string<'%', '%'>,
                     one<'%'>, one<':'>, one<'/'>> {};
// ParamArg     <- (Word part or any char but '}')*
struct DoubleQuoted;
struct ParamExp;
struct ParamArgChar : not_one<'}'> {};
struct ParamArg : star<sor<SingleQuoted, DoubleQuoted, ParamExp, CmdSubst, Backtick, Escaped, ParamArgChar>> {};
// ParamLength  <- '#' Name             (${#VAR})
struct ParamLength : seq<one<'#'>, ParamName> {};
// Braced       <- '${' (ParamLength / ParamName (ParamOp ParamArg)?) '}'
struct BracedBody : sor<seq<ParamLength, at<one<'}'>>>, seq<ParamName, opt<ParamOp, ParamArg>>> {};
struct BracedClose : one<'}'> {};
struct Braced : if_must<string<'$', '{'>, BracedBody, BracedClose> {};
// Simple       <- '$' ParamName
struct SimpleParam : seq<one<'$'>, ParamName> {};
struct ParamExp : sor<Braced, SimpleParam> {};

// DoubleQuoted <- '"' (DqEscape / ParamExp / CmdSubst / Backtick / DqChar)* '"'
struct DqEscape : seq<one<'\\'>, one<'$', '`', '"', '\\'>> {};
struct DqLineCont : LineCont {};
struct DqChar : not_one<'"'> {};
struct DqClose : one<'"'> {};
struct DoubleQuoted
    : if_must<one<'"'>, star<sor<DqEscape, DqLineCont, ArithExp, CmdSubst, Backtick, ParamExp, DqChar>>, DqClose> {};

// Literal      <- (!Meta ![\'"$`\\] .)+ / '$' / '\\' '\n' (continuation inside a word)
struct LiteralChars : plus<not_one<' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')', '\'', '"', '$', '`', '\\'>> {};
struct Dollar : one<'$'> {};
struct WordCont : LineCont {};
// Word         <- !'#' (SingleQuoted / DoubleQuoted / ArithExp / CmdSubst / Backtick / ParamExp / Escaped / WordCont / LiteralChars / Dollar)+
struct Word : seq<not_at<one<'#'>>, plus<sor<SingleQuoted, DoubleQuoted, ArithExp, CmdSubst, Backtick, ParamExp, WordCont,
                       Escaped, LiteralChars, Dollar>>> {};

// ---- reserved words ---------------------------------------------------------------------------
template <typename Str>
struct Kw : seq<Str, not_at<sor<ranges<'a', 'z', 'A', 'Z', '0', '9', '_'>, one<'-'>>>> {};
struct KwIf : Kw<TAO_PEGTL_STRING("if")> {};
struct KwThen : Kw<TAO_PEGTL_STRING("then")> {};
struct KwElif : Kw<TAO_PEGTL_STRING("elif")> {};
struct KwElse : Kw<TAO_PEGTL_STRING("else")> {};
struct KwFi : Kw<TAO_PEGTL_STRING("fi")> {};
struct KwFor : Kw<TAO_PEGTL_STRING("for")> {};
struct KwIn : Kw<TAO_PEGTL_STRING("in")> {};
struct KwDo : Kw<TAO_PEGTL_STRING("do")> {};
struct KwDone : Kw<TAO_PEGTL_STRING("done")> {};
struct KwWhile : Kw<TAO_PEGTL_STRING("while")> {};
struct KwUntil : Kw<TAO_PEGTL_STRING("until")> {};
struct KwCase : Kw<TAO_PEGTL_STRING("case")> {};
struct KwEsac : Kw<TAO_PEGTL_STRING("esac")> {};
struct KwFunction : Kw<TAO_PEGTL_STRING("function")> {};
struct LBrace : seq<one<'{'>, at<sor<Meta, eof>>> {};
struct RBrace : seq<one<'}'>, at<sor<Meta, eof>>> {};
// Reserved     <- the words that end or start compound commands
struct Reserved : sor<KwThen, KwElif, KwElse, KwFi, KwDo, KwDone, KwEsac, RBrace, KwIn> {};

// ---- commands ---------------------------------------------------------------------------------
// Gap          <- (Blank / Comment / Newline)*            (blank lines between commands)
struct Gap : star<sor<Blank, Comment, Newline>> {};
// Term         <- Sp Comment? (Newline / ';' !';' / '&' !'&') Gap
struct Semi : seq<one<';'>, not_at<one<';'>>> {};
struct Amp : seq<one<'&'>, not_at<one<'&'>>> {};
struct Term : seq<Sp, opt<Comment>, sor<Newline, Semi, Amp>, Gap> {};

// Assignment   <- Name '=' Word?
struct AssignName : Name {};
struct AssignValue : opt<Word> {};
struct Assignment : seq<AssignName, one<'='>, AssignValue> {};
// Redirect     <- [0-9]? ('>>' / '>&' / '<&' / '&>' / '>|' / '<>' / '>' / '<') Sp Word / Heredoc
struct RedirOp : sor<string<'>', '>'>, string<'>', '&'>, string<'<', '&'>, string<'&', '>'>,
                     string<'>', '|'>, string<'<', '>'>, one<'>'>, one<'<'>> {};
struct RedirTarget : Word {};
struct HeredocDelim : Word {};
struct HeredocOp : sor<string<'<', '<', '-'>, string<'<', '<'>> {};
struct Heredoc : seq<opt<digit>, HeredocOp, Sp, HeredocDelim> {};
struct HereString : seq<string<'<', '<', '<'>, Sp, RedirTarget> {};
struct Redirect : sor<HereString, Heredoc, seq<opt<digit>, RedirOp, Sp, RedirTarget>> {};

struct CmdWord : Word {};
// SimpleCommand <- (Assignment Sp)* (!Reserved CmdWord (Sp (Redirect / CmdWord))*)? with
//                  redirections anywhere
struct SimpleCommand
    : seq<star<sor<Redirect, Assignment>, Sp>,
          opt<not_at<Reserved>, not_at<KwFunction>, CmdWord, star<Sp, sor<Redirect, CmdWord>>>> {};

struct List;
struct CompoundCommand;

// If           <- 'if' List 'then' List ('elif' List 'then' List)* ('else' List)? 'fi'
struct IfCond : seq<List> {};
struct IfBody : seq<List> {};
struct ElifClause : seq<KwElif, IfCond, KwThen, IfBody> {};
struct ElseClause : seq<KwElse, IfBody> {};
struct ExpThen : KwThen {};
struct ExpFi : KwFi {};
struct If : if_must<KwIf, IfCond, ExpThen, IfBody, star<ElifClause>, opt<ElseClause>, ExpFi> {};
// For          <- 'for' Sp Name (Gap 'in' (Sp Word)*)? Term? Gap 'do' List 'done'
struct ForVar : Name {};
struct ForWord : Word {};
struct ForIn : seq<Gap, KwIn, star<Sp, ForWord>> {};
struct ForBody : seq<List> {};
struct ExpDo : KwDo {};
struct ExpDone : KwDone {};
struct For : if_must<KwFor, Sp, ForVar, opt<ForIn>, opt<Term>, Gap, ExpDo, ForBody, ExpDone> {};
// While        <- ('while' / 'until') List 'do' List 'done'
struct LoopCond : seq<List> {};
struct LoopBody : seq<List> {};
struct While : if_must<KwWhile, LoopCond, ExpDo, LoopBody, ExpDone> {};
struct Until : if_must<KwUntil, LoopCond, ExpDo, LoopBody, ExpDone> {};
// Case         <- 'case' Sp Word Gap 'in' Gap CaseItem* 'esac'
struct CaseWord : Word {};
struct CasePattern : Word {};
struct CaseBody : seq<List> {};
struct CaseItem : seq<not_at<KwEsac>, opt<one<'('>>, Sp, CasePattern, star<Sp, one<'|'>, Sp, CasePattern>, Sp,
                      one<')'>, opt<CaseBody>, Gap, opt<string<';', ';'>>, Gap> {};
struct ExpIn : KwIn {};
struct ExpEsac : KwEsac {};
struct Case : if_must<KwCase, Sp, CaseWord, Gap, ExpIn, Gap, star<CaseItem>, ExpEsac> {};
// Group        <- '{' List '}' ;  Subshell <- '(' List ')'
struct ExpRBrace : RBrace {};
struct ExpRParen : one<')'> {};
struct Group : if_must<LBrace, List, ExpRBrace> {};
struct Subshell : if_must<one<'('>, List, ExpRParen> {};
// FuncDef      <- ('function' Sp Name (Sp '(' Sp ')')? / Name Sp '(' Sp ')') Gap CompoundCommand
struct FuncName : Name {};
struct ExpFuncName : Name {};
struct FuncBody : seq<CompoundCommand> {};
struct FuncDef : sor<if_must<KwFunction, Sp, ExpFuncName, opt<Sp, one<'('>, Sp, one<')'>>, Gap, FuncBody>,
                     seq<FuncName, Sp, one<'('>, Sp, one<')'>, Gap, CompoundCommand>> {};
struct CompoundCommand : sor<If, For, While, Until, Case, Group, Subshell> {};
// Command      <- FuncDef / CompoundCommand (Sp Redirect)* / SimpleCommand
struct Command : sor<FuncDef, seq<CompoundCommand, star<Sp, Redirect>>, SimpleCommand> {};
// Pipeline     <- ('!' Sp)? Command (Sp '|' !'|' Gap Command)*
struct Bang : seq<one<'!'>, at<Blank>> {};
struct Pipe : seq<one<'|'>, not_at<one<'|'>>> {};
struct Pipeline : seq<opt<Bang, Sp>, Command, star<Sp, Pipe, Gap, Command>> {};
// AndOr        <- Pipeline (Sp ('&&' / '||') Gap Pipeline)*
struct AndOp : string<'&', '&'> {};
struct OrOp : string<'|', '|'> {};
struct AndOr : seq<Pipeline, star<Sp, sor<AndOp, OrOp>, Gap, Pipeline>> {};
// Statement    <- Sp AndOr Sp
struct Statement : seq<Sp, AndOr, Sp> {};
// List         <- Gap (Statement (Term / &(Reserved / ')' / ';;' / eof)))*
struct DoubleSemi : string<';', ';'> {};
struct List : seq<Gap, star<not_at<Reserved>, not_at<one<')'>>, not_at<DoubleSemi>, not_at<eof>, Statement,
                            sor<Term, seq<Sp, opt<Comment>, at<sor<Reserved, one<')'>, DoubleSemi, eof>>>>>> {};
// Script       <- List eof
struct ScriptEnd : eof {};
struct Script : seq<List, Gap, must<ScriptEnd>> {};

}  // namespace iptc::frontend::shell_grammar

namespace tao::pegtl {
/// HeredocBodies may match the empty string (no pending here documents).
template <typename Name>
struct analyze_traits<Name, iptc::frontend::shell_grammar::HeredocBodies> : analyze_opt_traits<> {};
}  // namespace tao::pegtl
