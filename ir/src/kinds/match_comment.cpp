// -m comment (extensions/libxt_comment.c, guided parser): --comment TEXT, mandatory, once.
// The kernel struct holds 256 bytes (XT_MAX_COMMENT_LEN), so libxtables silently keeps the
// first 255 bytes of a longer text; the save text is xtables_save_string's quoting. The match
// never matches anything away and the kernel checks nothing. iptables-nft 1.8.9 stores it as
// an xtables match (only rules made by nft carry the comment as rule user data).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kComment };
constexpr size_t kMaxLen = 255;  // XT_MAX_COMMENT_LEN - 1

constexpr OptionDef kOptions[] = {
    {"comment", kComment, ArgKind::Required, optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  // xtopt_parse_string with XTOPT_PUT: truncated to the field, without a warning.
  std::get<CommentMatch>(d).comment = std::string(c.arg.substr(0, kMaxLen));
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  w.raw(" --comment");
  w.quoted(std::get<CommentMatch>(d).comment);
}

}  // namespace

const MatchDef kComment = {
    .kind = MatchKind::Comment,
    .name = "comment",
    .options = kOptions,
    .init = [] { return MatchData{CommentMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
