#include "models/config/aliases.hpp"

#include "models/config/text.hpp"

namespace mailsim::config {
namespace {

// A logical line: physical lines joined, with each character's source position.
struct LogicalLine {
  std::string text;
  std::vector<SourcePos> where;  // one per character of `text`

  void append(std::string_view part, const std::string& file, int line, int first_column) {
    for (size_t i = 0; i < part.size(); ++i) {
      text.push_back(part[i]);
      where.push_back(SourcePos{file, line, first_column + static_cast<int>(i)});
    }
  }
  SourcePos pos_at(size_t offset) const {
    if (where.empty()) return SourcePos{};
    return offset < where.size() ? where[offset] : where.back();
  }
};

// Splits at commas outside double quotes and angle brackets; returns offsets of pieces.
std::vector<std::pair<size_t, size_t>> split_targets(std::string_view list) {
  std::vector<std::pair<size_t, size_t>> pieces;
  bool quoted = false;
  int angle = 0;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size()) {
      char c = list[i];
      if (c == '"' && (i == 0 || list[i - 1] != '\\')) quoted = !quoted;
      if (!quoted && c == '<') ++angle;
      if (!quoted && c == '>' && angle > 0) --angle;
      if (c != ',' || quoted || angle > 0) continue;
    }
    pieces.emplace_back(start, i - start);
    start = i + 1;
  }
  return pieces;
}

bool has_space(std::string_view s) {
  for (char c : s) {
    if (text::is_space(c)) return true;
  }
  return false;
}

AliasTarget parse_target(std::string_view item, const SourcePos& pos) {
  AliasTarget target;
  target.pos = pos;
  std::string_view value = item;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  auto fail = [&](const std::string& why) -> InputError {
    return InputError(pos, "invalid alias target \"" + std::string(item) + "\": " + why);
  };

  if (!value.empty() && value.front() == '|') {
    target.kind = AliasTargetKind::PROGRAM;
    target.value = std::string(text::trim(value.substr(1)));
    if (target.value.empty()) throw fail("the program after | is missing");
    return target;
  }
  if (!value.empty() && value.front() == '/') {
    target.kind = AliasTargetKind::FILE;
    target.value = std::string(value);
    return target;
  }
  if (value.size() >= 9 && text::iequals(value.substr(0, 9), ":include:")) {
    target.kind = AliasTargetKind::INCLUDE;
    target.value = std::string(text::trim(value.substr(9)));
    if (target.value.empty()) throw fail("the file name after :include: is missing");
    return target;
  }

  // Everything else is an address, optionally with `\` and angle brackets.
  if (!value.empty() && value.front() == '\\') {
    target.no_alias = true;
    value.remove_prefix(1);
  }
  if (value.size() >= 2 && value.front() == '<' && value.back() == '>') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty()) throw fail("the address is empty");
  if (has_space(value)) throw fail("an address contains no white space outside quotes");
  size_t at = value.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view domain = value.substr(at + 1);
    bool literal = domain.size() > 2 && domain.front() == '[' && domain.back() == ']';
    if (at == 0 || (!literal && !text::is_host_name(domain))) {
      throw fail("expected user or user@domain");
    }
  }
  target.kind = AliasTargetKind::ADDRESS;
  target.value = std::string(value);
  return target;
}

std::vector<AliasTarget> parse_list(const LogicalLine& line, size_t offset) {
  std::vector<AliasTarget> targets;
  std::string_view list = std::string_view(line.text).substr(offset);
  for (auto [start, length] : split_targets(list)) {
    std::string_view piece = list.substr(start, length);
    std::string_view item = text::trim(piece);
    if (item.empty()) continue;  // "a, , b" and a trailing comma add nothing
    size_t item_offset = offset + start + static_cast<size_t>(item.data() - piece.data());
    targets.push_back(parse_target(item, line.pos_at(item_offset)));
  }
  return targets;
}

// Joins physical lines into logical ones: a line starting with space or tab
// continues the previous one, and so does a line after a trailing backslash.
std::vector<LogicalLine> join_lines(std::string_view text, const std::string& file,
                                    bool continuation_by_indent) {
  std::vector<LogicalLine> logical;
  bool backslash_pending = false;
  for (const text::Line& line : text::split_lines(text)) {
    std::string_view content = line.text;
    bool continues =
        backslash_pending || (continuation_by_indent && !content.empty() &&
                              text::is_space(content[0]) && !text::trim(content).empty());
    backslash_pending = false;
    if (!continues && (text::trim(content).empty() || content.front() == '#')) continue;
    bool ends_with_backslash = !content.empty() && content.back() == '\\';
    if (ends_with_backslash) content.remove_suffix(1);
    if (continues) {
      if (logical.empty()) {
        throw InputError(SourcePos{file, line.number, 1},
                         "continuation line before the first alias");
      }
      logical.back().append(" ", file, line.number, 1);
      logical.back().append(content, file, line.number, 1);
    } else {
      logical.emplace_back();
      logical.back().append(content, file, line.number, 1);
    }
    backslash_pending = ends_with_backslash;
  }
  return logical;
}

}  // namespace

Aliases Aliases::parse(std::string_view text, const std::string& file) {
  Aliases aliases;
  for (const LogicalLine& line : join_lines(text, file, true)) {
    size_t colon = line.text.find(':');
    SourcePos start = line.pos_at(0);
    if (colon == std::string::npos) {
      throw InputError(start, "missing colon after the alias name in \"" + line.text + "\"");
    }
    std::string_view name = text::trim(std::string_view(line.text).substr(0, colon));
    if (name.empty() || has_space(name) || name.find('@') != std::string_view::npos) {
      throw InputError(start, "invalid alias name \"" + std::string(name) +
                                  "\"; an alias name is a local part such as postmaster");
    }
    AliasEntry entry;
    entry.name = text::to_lower(name);
    entry.pos = start;
    entry.targets = parse_list(line, colon + 1);
    if (entry.targets.empty()) {
      throw InputError(line.pos_at(colon), "missing value for alias \"" + entry.name + "\"");
    }
    auto [it, inserted] = aliases.entries_.emplace(entry.name, entry);
    if (!inserted) {
      throw InputError(start, "duplicate alias name \"" + entry.name +
                                  "\"; first defined at line " +
                                  std::to_string(it->second.pos.line));
    }
  }
  return aliases;
}

std::vector<AliasTarget> Aliases::parse_target_list(std::string_view text,
                                                    const std::string& file) {
  std::vector<AliasTarget> targets;
  for (const LogicalLine& line : join_lines(text, file, false)) {
    std::vector<AliasTarget> more = parse_list(line, 0);
    targets.insert(targets.end(), more.begin(), more.end());
  }
  return targets;
}

const AliasEntry* Aliases::find(std::string_view name) const {
  auto it = entries_.find(text::to_lower(name));
  return it == entries_.end() ? nullptr : &it->second;
}

namespace {

class Expander {
 public:
  Expander(const Aliases& aliases, const std::set<std::string>& local_domains,
           const IncludeLoader& load_include, int max_depth)
      : aliases_(aliases),
        local_domains_(local_domains),
        load_include_(load_include),
        max_depth_(max_depth) {}

  AliasExpansion run(std::string_view recipient) {
    AliasTarget start;
    start.value = std::string(text::trim(recipient));
    visit(start);
    return std::move(result_);
  }

 private:
  // The local part when `address` is local (no domain, or a domain in
  // local_domains), otherwise nullopt.
  std::optional<std::string> local_part(const std::string& address) const {
    size_t at = address.rfind('@');
    if (at == std::string::npos) return address;
    std::string domain = text::to_lower(address.substr(at + 1));
    if (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (local_domains_.count(domain) == 0) return std::nullopt;
    return address.substr(0, at);
  }

  void add_final(AliasTarget target) {
    std::string key =
        std::to_string(static_cast<int>(target.kind)) + "\n" +
        (target.kind == AliasTargetKind::ADDRESS ? text::to_lower(target.value) : target.value);
    if (!seen_.insert(key).second) return;  // Sendmail suppresses duplicate recipients
    result_.targets.push_back(std::move(target));
  }

  bool visit(const AliasTarget& target) {
    switch (target.kind) {
      case AliasTargetKind::FILE:
      case AliasTargetKind::PROGRAM:
        add_final(target);
        return true;
      case AliasTargetKind::INCLUDE:
        return visit_include(target);
      case AliasTargetKind::ADDRESS:
        return visit_address(target);
    }
    return true;
  }

  bool visit_include(const AliasTarget& target) {
    if (!load_include_) {
      add_final(target);
      return true;
    }
    if (include_chain_.count(target.value) > 0) {
      result_.error = "include loop through " + target.value;
      return false;
    }
    std::optional<std::string> content = load_include_(target.value);
    if (!content) {
      result_.error = "include file " + target.value + " not found";
      return false;
    }
    include_chain_.insert(target.value);
    for (const AliasTarget& item : Aliases::parse_target_list(*content, target.value)) {
      if (!visit(item)) return false;
    }
    include_chain_.erase(target.value);
    return true;
  }

  bool visit_address(const AliasTarget& target) {
    std::optional<std::string> local = local_part(target.value);
    if (!local) {
      add_final(target);
      return true;
    }
    AliasTarget mailbox = target;
    mailbox.value = *local;
    std::string name = text::to_lower(*local);
    const AliasEntry* entry = target.no_alias ? nullptr : aliases_.find(name);
    if (entry == nullptr) {
      add_final(mailbox);
      return true;
    }

    for (const std::string& seen : chain_) {
      if (seen == name) {
        result_.loop = chain_;
        result_.loop.push_back(name);
        result_.error = "aliasing/forwarding loop broken at " + name;
        return false;
      }
    }
    if (static_cast<int>(chain_.size()) >= max_depth_) {
      result_.error = "aliasing/forwarding loop broken (" + std::to_string(chain_.size() + 1) +
                      " aliases deep; " + std::to_string(max_depth_) + " max)";
      return false;
    }

    chain_.push_back(name);
    for (const AliasTarget& item : entry->targets) {
      bool self = item.kind == AliasTargetKind::ADDRESS && !item.no_alias &&
                  local_part(item.value) && text::to_lower(*local_part(item.value)) == name;
      if (self) {
        AliasTarget own = item;
        own.value = *local_part(item.value);
        own.no_alias = true;
        add_final(own);
        continue;
      }
      if (!visit(item)) return false;
    }
    chain_.pop_back();
    return true;
  }

  const Aliases& aliases_;
  const std::set<std::string>& local_domains_;
  const IncludeLoader& load_include_;
  int max_depth_;
  AliasExpansion result_;
  std::set<std::string> seen_;
  std::vector<std::string> chain_;
  std::set<std::string> include_chain_;
};

}  // namespace

AliasExpansion Aliases::expand(std::string_view recipient,
                               const std::set<std::string>& local_domains,
                               const IncludeLoader& load_include, int max_depth) const {
  return Expander(*this, local_domains, load_include, max_depth).run(recipient);
}

}  // namespace mailsim::config
