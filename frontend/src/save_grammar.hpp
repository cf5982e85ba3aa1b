// PEGTL grammar of one line of iptables-save / iptables-restore input. iptables-restore reads
// the file with fgets and classifies each line by its first byte and by whether a table is
// open (xtables-restore.c); the line-level rules below are tried in that order by the reader
// (save_reader.cpp), which owns the state. A rule line is split into words exactly as
// add_param_to_argv() splits it: blanks separate words, a double quote opens a quoted part in
// which a backslash escapes any byte, and the closing quote ends the word.
#pragma once

#include <tao/pegtl.hpp>

namespace iptc::frontend::save_grammar {

namespace pegtl = tao::pegtl;
using pegtl::any;
using pegtl::eof;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::seq;
using pegtl::sor;
using pegtl::star;
using pegtl::until;

// Blank        <- ' ' / '\t' / '\n'
struct Blank : one<' ', '\t', '\n'> {};
// NameChar     <- !(' ' / '\t' / '\n') .
struct NameChar : pegtl::not_one<' ', '\t', '\n'> {};
// Token        <- NameChar+            (one strtok(" \t\n") token)
struct Token : plus<NameChar> {};

// ---- rule lines -----------------------------------------------------------------------------
// Escaped      <- '\\' .
struct Escaped : seq<one<'\\'>, any> {};
// QuotedChar   <- !('"' / '\\') .
struct QuotedChar : pegtl::not_one<'"', '\\'> {};
// CloseQuote   <- '"'
struct CloseQuote : one<'"'> {};
// Quoted       <- '"' (Escaped / QuotedChar)* (CloseQuote / eof)
//                 (an unterminated quote runs to the end of the line, newline included)
struct Quoted : seq<one<'"'>, star<sor<Escaped, QuotedChar>>, sor<CloseQuote, eof>> {};
// PlainChar    <- !(Blank / '"') .
struct PlainChar : pegtl::not_one<' ', '\t', '\n', '"'> {};
// Word         <- PlainChar+ Quoted? / Quoted
struct Word : sor<seq<plus<PlainChar>, opt<Quoted>>, Quoted> {};
// Words        <- Blank* (Word Blank*)* eof
struct Words : seq<star<Blank>, star<Word, star<Blank>>, eof> {};

// ---- table and chain lines ------------------------------------------------------------------
// TableName    <- Token
struct TableName : Token {};
// TableLine    <- '*' Blank* TableName? .*        (strtok: the first token names the table)
struct TableLine : seq<one<'*'>, star<Blank>, opt<TableName>, star<any>, eof> {};
// ChainName    <- Token ;  Policy <- Token ;  ChainCounters <- Token
struct ChainName : Token {};
struct Policy : Token {};
struct ChainCounters : Token {};
// ChainLine    <- ':' Blank* (ChainName (Blank+ Policy (Blank+ ChainCounters)?)?)? .*
struct ChainLine
    : seq<one<':'>, star<Blank>,
          opt<ChainName, opt<plus<Blank>, Policy, opt<plus<Blank>, ChainCounters>>>, star<any>,
          eof> {};

}  // namespace iptc::frontend::save_grammar
