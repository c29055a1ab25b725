// Human units, parsed only at the scenario and command-line boundary.
// Inside mailsim: time in seconds (double), sizes in bytes, rates in bytes/s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailsim::units {

/// Parses a duration: a number with an optional unit `us`, `ms`, `s`, `m`,
/// `h`, `d`, `w` (BIND's `3H`, `1D`, `1W` forms are accepted, any case).
/// A bare number is seconds. Returns nullopt on any other text.
std::optional<double> parse_duration(std::string_view text);

/// Parses a size in bytes: `10MB`, `2MiB`, `512KB`, `100` (bytes). SI
/// prefixes are powers of 1000 and IEC ones (`KiB`, `MiB`, `GiB`) of 1024.
std::optional<std::uint64_t> parse_size(std::string_view text);

/// Parses a rate into bytes per second: `100Mbps`, `1Gbps`, `8kbps`, `1MBps`,
/// `125000Bps`, or a bare number (bytes per second).
std::optional<double> parse_bandwidth(std::string_view text);

/// Formats seconds for people: `0.0123 s` as `12.3ms`, `90` as `1m30s`.
std::string format_duration(double seconds);

}  // namespace mailsim::units
