// Helpers shared by the kind rows: port syntaxes and small formatting pieces. Private to
// ir/src/kinds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "iptc/ir/kinds.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir::kinds {

/// xtables_getportbyname: getaddrinfo(NULL, name): decimal with strtoul rules (truncated to
/// 16 bits as the kernel's sin_port would), else a service name of any protocol.
std::optional<uint16_t> port_by_getaddrinfo(std::string_view s);

/// XTTYPE_PORTRC ("a", "a:b", ":b", "a:", ":"), as xtopt_parse_mport parses it. On error
/// reports through c and returns nullopt. No min <= max check (the guided parser has none).
std::optional<PortRange> parse_portrc(const OptionCall& c, std::string_view ext);

/// " 0x1234" as iptables prints hex values ("0x%x").
std::string hex(uint32_t v);

}  // namespace iptc::ir::kinds
