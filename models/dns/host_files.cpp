#include "models/dns/host_files.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "models/dns/message.hpp"

namespace mailsim::dns {
namespace {

// glibc 2.36 limits (resolv/resolv.h).
constexpr std::size_t kMaxNameservers = 3;  // MAXNS
constexpr int kMaxNdots = 15;               // RES_MAXNDOTS
constexpr int kMaxTimeout = 30;             // RES_MAXRETRANS
constexpr int kMaxAttempts = 5;             // RES_MAXRETRY
constexpr std::size_t kHostNameMax = 64;    // HOST_NAME_MAX on Linux

struct Field {
  std::string text;
  int column = 0;
};

// Splits a line into blank-separated fields, stopping at `comment` if it is not '\0'.
std::vector<Field> fields(std::string_view line, char comment) {
  std::vector<Field> out;
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (comment != '\0' && c == comment) break;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    Field f{"", static_cast<int>(i) + 1};
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
           !(comment != '\0' && line[i] == comment)) {
      f.text.push_back(line[i++]);
    }
    out.push_back(f);
  }
  return out;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool valid_address(const std::string& text) {
  std::string address = text.substr(0, text.find('%'));  // IPv6 zone index, as in fe80::1%eth0
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, address.c_str(), &v4) == 1 ||
         inet_pton(AF_INET6, address.c_str(), &v6) == 1;
}

// RFC 1123 §2.1 host name: letters, digits and hyphens, no hyphen at either end of a label.
bool valid_host_name(const std::string& name) {
  std::string body = name;
  if (!body.empty() && body.back() == '.') body.pop_back();
  if (body.empty() || body.size() > 253) return false;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('.', start);
    if (end == std::string::npos) end = body.size();
    std::string_view label(body.data() + start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

int option_value(const Field& field, std::size_t colon, const SourcePos& pos, int cap) {
  std::string digits = field.text.substr(colon + 1);
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    throw InputError(pos,
                     fmt::format("invalid value in option '{}': expected a number", field.text));
  }
  return std::min(std::stoi(digits), cap);
}

}  // namespace

ResolvConf parse_resolv_conf(std::string_view text, const std::string& file) {
  ResolvConf conf;
  int line_number = 0;
  for (std::string_view line : lines(text)) {
    ++line_number;
    if (!line.empty() && (line[0] == '#' || line[0] == ';')) continue;
    std::vector<Field> f = fields(line, '\0');
    if (f.empty()) continue;
    auto pos = [&](const Field& field) { return SourcePos{file, line_number, field.column}; };
    const std::string& keyword = f[0].text;
    auto need_value = [&]() {
      if (f.size() < 2) {
        throw InputError(SourcePos{file, line_number, static_cast<int>(line.size()) + 1},
                         fmt::format("missing value after '{}'", keyword));
      }
    };
    if (keyword == "nameserver") {
      need_value();
      if (!valid_address(f[1].text)) {
        throw InputError(pos(f[1]), fmt::format("invalid nameserver address '{}'", f[1].text));
      }
      if (conf.nameservers.size() == kMaxNameservers) {
        conf.warnings.push_back(
            Diagnostic{pos(f[0]), Severity::WARNING,
                       fmt::format("nameserver {} ignored: glibc uses at most 3", f[1].text)});
      } else {
        conf.nameservers.push_back(f[1].text);
      }
    } else if (keyword == "domain" || keyword == "search") {
      need_value();
      conf.search.clear();
      std::size_t last = keyword == "domain" ? 2 : f.size();
      for (std::size_t k = 1; k < last; ++k) {
        try {
          name_labels(f[k].text);
        } catch (const std::invalid_argument& e) {
          throw InputError(pos(f[k]), fmt::format("invalid domain '{}': {}", f[k].text, e.what()));
        }
        conf.search.push_back(f[k].text);
      }
    } else if (keyword == "options") {
      for (std::size_t k = 1; k < f.size(); ++k) {
        const std::string& option = f[k].text;
        std::size_t colon = option.find(':');
        std::string name = option.substr(0, colon);
        if (name == "ndots" && colon != std::string::npos) {
          conf.ndots = option_value(f[k], colon, pos(f[k]), kMaxNdots);
        } else if (name == "timeout" && colon != std::string::npos) {
          conf.timeout = std::max(1, option_value(f[k], colon, pos(f[k]), kMaxTimeout));
        } else if (name == "attempts" && colon != std::string::npos) {
          conf.attempts = std::max(1, option_value(f[k], colon, pos(f[k]), kMaxAttempts));
        } else if (option == "rotate") {
          conf.rotate = true;
        } else if (option == "use-vc") {
          conf.use_vc = true;
        } else if (option == "edns0") {
          conf.edns0 = true;
        } else if (option == "single-request") {
          conf.single_request = true;
        } else if (option == "single-request-reopen") {
          conf.single_request_reopen = true;
        } else if (option == "no-aaaa") {
          conf.no_aaaa = true;
        } else {
          conf.warnings.push_back(
              Diagnostic{pos(f[k]), Severity::WARNING, fmt::format("option '{}' ignored", option)});
        }
      }
    } else {
      conf.warnings.push_back(
          Diagnostic{pos(f[0]), Severity::WARNING, fmt::format("keyword '{}' ignored", keyword)});
    }
  }
  if (conf.nameservers.empty()) conf.nameservers.push_back("127.0.0.1");
  return conf;
}

std::vector<HostsEntry> parse_hosts(std::string_view text, const std::string& file) {
  std::vector<HostsEntry> entries;
  int line_number = 0;
  for (std::string_view line : lines(text)) {
    ++line_number;
    std::vector<Field> f = fields(line, '#');
    if (f.empty()) continue;
    if (!valid_address(f[0].text)) {
      throw InputError(SourcePos{file, line_number, f[0].column},
                       fmt::format("invalid address '{}'", f[0].text));
    }
    if (f.size() < 2) {
      throw InputError(SourcePos{file, line_number, static_cast<int>(line.size()) + 1},
                       fmt::format("missing host name after '{}'", f[0].text));
    }
    HostsEntry entry;
    entry.address = f[0].text;
    entry.pos = SourcePos{file, line_number, f[0].column};
    for (std::size_t k = 1; k < f.size(); ++k) {
      if (!valid_host_name(f[k].text)) {
        throw InputError(SourcePos{file, line_number, f[k].column},
                         fmt::format("invalid host name '{}'", f[k].text));
      }
      if (k == 1) {
        entry.canonical = f[k].text;
      } else {
        entry.aliases.push_back(f[k].text);
      }
    }
    entries.push_back(entry);
  }
  return entries;
}

std::vector<std::string> hosts_addresses(const std::vector<HostsEntry>& entries,
                                         const std::string& name) {
  std::vector<std::string> out;
  for (const auto& entry : entries) {
    bool match = names_equal(entry.canonical, name) ||
                 std::any_of(entry.aliases.begin(), entry.aliases.end(),
                             [&](const std::string& alias) { return names_equal(alias, name); });
    if (match) out.push_back(entry.address);
  }
  return out;
}

std::string parse_hostname(std::string_view text, const std::string& file) {
  std::string name;
  int line_number = 0;
  for (std::string_view line : lines(text)) {
    ++line_number;
    std::vector<Field> f = fields(line, '#');
    if (f.empty()) continue;
    if (!name.empty() || f.size() > 1) {
      const Field& extra = name.empty() ? f[1] : f[0];
      throw InputError(SourcePos{file, line_number, extra.column},
                       fmt::format("more than one host name: '{}'", extra.text));
    }
    if (f[0].text.size() > kHostNameMax || !valid_host_name(f[0].text)) {
      throw InputError(SourcePos{file, line_number, f[0].column},
                       fmt::format("invalid host name '{}'", f[0].text));
    }
    name = f[0].text;
  }
  if (name.empty()) throw InputError(SourcePos{file, 0, 0}, "no host name in the file");
  return name;
}

}  // namespace mailsim::dns
