// Helpers shared by the kind rows: port syntaxes and small formatting pieces. Private to
// ir/src/kinds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "iptc/ir/kinds.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir::kinds {

/// xtables_getportbyname: getaddrinfo(NULL, name): decimal with strtoul rules (truncated to
/// 16 bits as the kernel's sin_port would), else a service name of any protocol. The empty
/// string is port 0.
std::optional<uint16_t> port_by_getaddrinfo(std::string_view s);

/// XTTYPE_PORTRC ("a", "a:b", ":b", "a:", ":"), as xtopt_parse_mport parses it. On error
/// reports through c and returns nullopt. No min <= max check (the guided parser has none).
std::optional<PortRange> parse_portrc(const OptionCall& c, std::string_view ext);

/// glibc's __inet_aton_exact, which getaddrinfo uses for numeric IPv4 hosts: one to four
/// dot-separated parts in C notation (decimal, 0octal, 0xhex), the last part filling the
/// remaining bytes ("10.1" is 10.0.0.1, "10" is 0.0.0.10), nothing after. Host order.
std::optional<uint32_t> parse_inet_aton(std::string_view s);

/// strncasecmp(name, s, strlen(s)) == 0: s is a case-insensitive prefix of name (the empty
/// string is a prefix of every name), as iptables matches abbreviated keywords.
bool iprefix(std::string_view s, std::string_view name);

/// iptables-save text of a conntrack match (conntrack_dump); -m state prints through it too,
/// since the kernel holds it as conntrack with XT_CONNTRACK_STATE_ALIAS.
void save_conntrack(SaveWriter& w, const ConntrackMatch& m);

/// " 0x1234" as iptables prints hex values ("0x%x").
std::string hex(uint32_t v);

/// XTTYPE_UINT8RC..UINT64RC (xtopt_parse_mint): "a", "a:b", ":b", "a:", ":" with each number
/// in C notation up to lmax; an empty first field is 0, an empty second field is lmax. At most
/// two fields. Returns {min, max} (max == min for one field); reports through c on error, with
/// messages prefixed by the extension name ext.
std::optional<std::pair<uint64_t, uint64_t>> parse_uint_rc(const OptionCall& c, std::string_view ext,
                                                          uint64_t lmax);

/// XTTYPE_MARKMASK32 (xtables_parse_mark_mask): "value[/mask]", both 32-bit numbers in C
/// notation; the mask defaults to 0xffffffff. Reports through c on error.
bool parse_markmask(const OptionCall& c, std::string_view ext, uint32_t& value, uint32_t& mask);

/// xtables_print_mark_mask: " 0xVAL" or, with a mask other than 0xffffffff, " 0xVAL/0xMASK".
void save_markmask(SaveWriter& w, uint32_t value, uint32_t mask);

/// An integer option (XTTYPE_UINT8/16/32 through xtopt_parse_int): the whole argument with
/// xtables_strtoul's rules, within [min, max]. On error reports through c.
std::optional<uint32_t> uint_option(const OptionCall& c, uint32_t min, uint32_t max);

/// "value[/mask]" as xtables_parse_val_mask reads it without a name map (XTTYPE_MARKMASK32):
/// two 32-bit numbers, mask ~0 when absent. On error reports through c.
struct ValMask {
  uint32_t value = 0;
  uint32_t mask = ~0u;
};
std::optional<ValMask> parse_val_mask(const OptionCall& c);

/// glibc inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros, nothing else.
std::optional<uint32_t> inet_pton4(std::string_view s);

/// The SPI range of -m esp / -m ah (XTTYPE_UINT32RC, `[!] --OPT SPI[:SPI]`): parse it into
/// the match's fields, and print it as both extensions' save() do (nothing for the full range
/// 0:4294967295, even inverted; one number when both ends agree).
bool parse_spi_range(const OptionCall& c, std::string_view ext, uint32_t& min, uint32_t& max,
                     bool& invert);
void save_spi_range(SaveWriter& w, std::string_view option, uint32_t min, uint32_t max,
                    bool invert);

/// A kernel check's refusal with a hint: sets *k.hint (when given) and returns the message.
inline std::string refuse(const KernelCheckCall& k, std::string message, std::string hint) {
  if (k.hint) *k.hint = std::move(hint);
  return message;
}

/// libxt_set.h parse_dirs: the direction word after an ipset name, comma-separated items each
/// starting with "src" or "dst" (strncmp), at most IPSET_DIM_MAX (6). Adds to dim and sets bit
/// i of dir_flags when dimension i+1 is "src". Reports at the word and returns false on error;
/// ext prefixes the messages ("set", "SET").
bool parse_set_dirs(const OptionCall& c, const ExtraArg& word, std::string_view ext, uint8_t& dim,
                    uint8_t& dir_flags);

/// dscp_helper.c class_to_dscp: the DSCP value of the first DiffServ class (CS0-CS7, BE,
/// AF11-AF43, EF) that s starts with, case-insensitively.
std::optional<uint8_t> dscp_class_value(std::string_view s);

/// XTTYPE_PLEN for IPv4 (xtopt_parse_plen): a prefix length 0-32 (C notation), else a numeric
/// dotted mask (getaddrinfo AI_NUMERICHOST, inet_aton forms) whose prefix length it is, or
/// 255 (the uint8_t of -1) for a mask that is no prefix. Reports through c on error.
std::optional<uint8_t> parse_plen(const OptionCall& c, std::string_view ext);

/// xtopt_parse_plenmask's IPv4 mask for a prefix length from parse_plen: 0 is 0, 1-32 a
/// prefix, anything longer all ones.
uint32_t plen_to_mask(uint8_t hlen);

/// XTTYPE_HOSTMASK for IPv4 (xtopt_parse_hostmask): "ADDR[/MASK]", the address through
/// getaddrinfo (inet_aton forms, no DNS in iptc) kept unmasked, the mask as parse_plen.
/// tail_ones (when given) receives whether bytes 4-15 of the kernel's mask are all ones: true
/// without a mask or for a mask that is no prefix (xtopt_parse_host's memset), false for a
/// prefix (xtopt_parse_plenmask).
bool parse_hostmask(const OptionCall& c, Ipv4Net& out, bool* tail_ones = nullptr);

/// XTTYPE_HOST for IPv4 (xtopt_parse_host): one numeric address, inet_aton forms.
std::optional<uint32_t> parse_host(const OptionCall& c, std::string_view ext);

}  // namespace iptc::ir::kinds
