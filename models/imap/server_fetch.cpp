// Dovecot 2.3.19 IMAP server session: FETCH, STORE and SEARCH (RFC 3501 §6.4.4-§6.4.8); see
// server.hpp for scope.
#include <fmt/format.h>

#include <functional>
#include <stdexcept>

#include "models/imap/fetch_data.hpp"
#include "models/imap/server.hpp"
#include "models/message/header.hpp"

namespace mailsim::imap {
namespace {

// One requested FETCH data item (RFC 3501 §6.4.5).
struct FetchItem {
  enum class Kind { FLAGS, UID, RFC822_SIZE, INTERNALDATE, ENVELOPE, BODY, BODYSTRUCTURE, SECTION };
  Kind kind = Kind::FLAGS;
  std::string section;              // "", HEADER, TEXT, HEADER.FIELDS, HEADER.FIELDS.NOT
  std::vector<std::string> fields;  // upper-case names for HEADER.FIELDS
  std::string response_name;        // BODY[...] without PEEK, or RFC822, RFC822.HEADER...
  bool sets_seen = false;
  bool partial = false;
  std::uint64_t offset = 0;
  std::uint64_t count = 0;
};

bool parse_number(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

// Parses `BODY[section]<partial>` or `BODY.PEEK[...]`; `error` names the problem.
bool parse_section_item(const std::string& item, FetchItem& out, std::string& error) {
  std::string upper = to_upper(item);
  bool peek = upper.rfind("BODY.PEEK[", 0) == 0;
  std::size_t open = upper.find('[');
  std::size_t close = upper.find(']', open);
  if (close == std::string::npos) {
    error = "Invalid BODY[..] parameter: Missing ']'";
    return false;
  }
  std::string section = upper.substr(open + 1, close - open - 1);
  out.kind = FetchItem::Kind::SECTION;
  out.sets_seen = !peek;
  std::string name = section;
  if (section.rfind("HEADER.FIELDS", 0) == 0) {
    bool exclude = section.rfind("HEADER.FIELDS.NOT", 0) == 0;
    out.section = exclude ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS";
    std::size_t list_open = section.find(" (");
    std::size_t list_close = section.rfind(')');
    if (list_open != out.section.size() || list_close != section.size() - 1) {
      error = "Invalid BODY[..] parameter: Missing '('";
      return false;
    }
    std::string list = section.substr(list_open + 2, list_close - list_open - 2);
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t space = list.find(' ', start);
      std::string field =
          list.substr(start, space == std::string::npos ? std::string::npos : space - start);
      if (!field.empty()) out.fields.push_back(field);
      if (space == std::string::npos) break;
      start = space + 1;
    }
    if (out.fields.empty()) {
      error = "Invalid BODY[..] parameter: Empty header list";
      return false;
    }
  } else if (section.empty() || section == "HEADER" || section == "TEXT") {
    out.section = section;
  } else if (!section.empty() && section[0] >= '0' && section[0] <= '9') {
    throw std::logic_error("FETCH of MIME part sections (BODY[" + section + "]) is not modelled");
  } else {
    error = "Invalid BODY[..] parameter: Unknown section name " + section;
    return false;
  }
  out.response_name = "BODY[" + name + "]";
  std::string rest = upper.substr(close + 1);
  if (!rest.empty()) {
    // RFC 3501 §6.4.5: <origin.octets>; the response shows only the origin.
    std::size_t dot = rest.find('.');
    if (rest.front() != '<' || rest.back() != '>' || dot == std::string::npos ||
        !parse_number(rest.substr(1, dot - 1), out.offset) ||
        !parse_number(rest.substr(dot + 1, rest.size() - dot - 2), out.count) || out.count == 0) {
      error = "Invalid BODY[..] parameter: Invalid partial";
      return false;
    }
    out.partial = true;
    out.response_name += fmt::format("<{}>", out.offset);
  }
  return true;
}

bool parse_fetch_item(const std::string& item, std::vector<FetchItem>& items,
                      std::string& error) {
  std::string upper = to_upper(item);
  FetchItem out;
  using Kind = FetchItem::Kind;
  if (upper == "FLAGS") {
    out.kind = Kind::FLAGS;
  } else if (upper == "UID") {
    out.kind = Kind::UID;
  } else if (upper == "RFC822.SIZE") {
    out.kind = Kind::RFC822_SIZE;
  } else if (upper == "INTERNALDATE") {
    out.kind = Kind::INTERNALDATE;
  } else if (upper == "ENVELOPE") {
    out.kind = Kind::ENVELOPE;
  } else if (upper == "BODY") {
    out.kind = Kind::BODY;
  } else if (upper == "BODYSTRUCTURE") {
    out.kind = Kind::BODYSTRUCTURE;
  } else if (upper == "RFC822" || upper == "RFC822.HEADER" || upper == "RFC822.TEXT") {
    // RFC 3501 §6.4.5: RFC822 is BODY[], RFC822.HEADER is BODY.PEEK[HEADER], RFC822.TEXT is
    // BODY[TEXT], each returned under its own name.
    out.kind = Kind::SECTION;
    out.section = upper == "RFC822" ? "" : upper.substr(7);
    out.sets_seen = upper != "RFC822.HEADER";
    out.response_name = upper;
  } else if (upper.rfind("BODY[", 0) == 0 || upper.rfind("BODY.PEEK[", 0) == 0) {
    if (!parse_section_item(item, out, error)) return false;
  } else if (upper == "ALL" || upper == "FAST" || upper == "FULL") {
    // RFC 3501 §6.4.5 macros; they are only valid alone, which the caller checks.
    for (const char* name : {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}) {
      std::string macro_item = name;
      if (upper == "FAST" && (macro_item == "ENVELOPE" || macro_item == "BODY")) continue;
      if (upper == "ALL" && macro_item == "BODY") continue;
      parse_fetch_item(macro_item, items, error);
    }
    return true;
  } else {
    error = "Unknown parameter: " + upper;
    return false;
  }
  items.push_back(std::move(out));
  return true;
}

std::string literal(const std::string& data) {
  return fmt::format("{{{}}}\r\n{}", data.size(), data);
}

}  // namespace

std::string ServerSession::fetch(const Command& command, ArgumentReader& args) {
  std::optional<SequenceSet> set = args.sequence_set();
  if (!set) return bad_arguments(command, "Invalid messageset");
  if (!args.space()) return bad_arguments(command, "Invalid arguments");
  std::vector<FetchItem> items;
  std::string error;
  if (args.consume('(')) {
    while (!args.at_end() && args.peek() != ')') {
      std::string item = args.fetch_item();
      if (item.empty() || !parse_fetch_item(item, items, error)) {
        return bad_arguments(command, error.empty() ? "Invalid arguments" : error);
      }
      if (!args.space()) break;
    }
    if (!args.consume(')')) return bad_arguments(command, "Missing ')'");
  } else {
    std::string item = args.fetch_item();
    if (item.empty()) return bad_arguments(command, "Invalid arguments");
    if (!parse_fetch_item(item, items, error)) return bad_arguments(command, error);
  }
  if (!args.at_end() || items.empty()) return bad_arguments(command, "Invalid arguments");
  std::vector<std::size_t> indexes = resolve(*set, command.uid);
  // Dovecot rejects sequence numbers beyond the mailbox; UID FETCH ignores unknown UIDs.
  if (!command.uid) {
    for (const SequenceRange& range : set->ranges) {
      if ((range.first != 0 && range.first > messages_.size()) ||
          (range.last != 0 && range.last > messages_.size())) {
        return bad_arguments(command, "Invalid messageset");
      }
    }
  }
  bool flags_requested = false;
  bool uid_requested = false;
  for (const FetchItem& item : items) {
    flags_requested |= item.kind == FetchItem::Kind::FLAGS;
    uid_requested |= item.kind == FetchItem::Kind::UID;
  }
  std::string out;
  for (std::size_t index : indexes) {
    SessionMessage& message = messages_[index];
    bool set_seen = false;
    for (const FetchItem& item : items) {
      // RFC 3501 §6.4.5: BODY[...] sets \Seen, BODY.PEEK[...] does not.
      if (item.sets_seen && !read_only_ && (message.flags & SEEN) == 0) {
        message.flags |= SEEN;
        set_seen = true;
      }
    }
    std::vector<std::string> parts;
    // RFC 3501 §6.4.8: UID FETCH always returns the UID; a \Seen change adds FLAGS.
    if (command.uid && !uid_requested) parts.push_back(fmt::format("UID {}", message.uid));
    if (set_seen && !flags_requested) parts.push_back("FLAGS " + flag_list(message.flags));
    std::uint64_t bytes = 0;
    for (const FetchItem& item : items) {
      std::string_view content = message.text();
      switch (item.kind) {
        case FetchItem::Kind::FLAGS:
          parts.push_back("FLAGS " + flag_list(message.flags));
          break;
        case FetchItem::Kind::UID:
          parts.push_back(fmt::format("UID {}", message.uid));
          break;
        case FetchItem::Kind::RFC822_SIZE:
          parts.push_back(fmt::format("RFC822.SIZE {}", message.size));
          break;
        case FetchItem::Kind::INTERNALDATE:
          parts.push_back(fmt::format("INTERNALDATE \"{}\"", message.internal_date));
          break;
        case FetchItem::Kind::ENVELOPE:
          parts.push_back("ENVELOPE " + envelope(content));
          break;
        case FetchItem::Kind::BODY:
          parts.push_back("BODY " + body_structure(content, false));
          break;
        case FetchItem::Kind::BODYSTRUCTURE:
          parts.push_back("BODYSTRUCTURE " + body_structure(content, true));
          break;
        case FetchItem::Kind::SECTION: {
          std::string data;
          bool header_only = item.section.rfind("HEADER", 0) == 0;
          if (item.section.empty()) {
            data = to_crlf(content);
          } else if (item.section == "HEADER") {
            data = to_crlf(header_section(content));
          } else if (item.section == "TEXT") {
            data = to_crlf(text_section(content));
          } else {
            data = to_crlf(
                header_fields(content, item.fields, item.section == "HEADER.FIELDS.NOT"));
          }
          if (item.partial) {
            data = item.offset >= data.size() ? "" : data.substr(item.offset, item.count);
          }
          if (header_only) {
            ++counters_.hdr_count;
            counters_.hdr_bytes += data.size();
          } else {
            ++counters_.body_count;
            counters_.body_bytes += data.size();
          }
          bytes += data.size();
          std::string name = item.response_name;
          if (!item.fields.empty()) {
            std::string list;
            for (const std::string& field : item.fields) list += (list.empty() ? "" : " ") + field;
            name = fmt::format("BODY[{} ({})]", item.section, list);
            if (item.partial) name += fmt::format("<{}>", item.offset);
          }
          parts.push_back(name + " " + literal(data));
          break;
        }
      }
    }
    std::string joined;
    for (const std::string& part : parts) joined += (joined.empty() ? "" : " ") + part;
    out += fmt::format("* {} FETCH ({})\r\n", index + 1, joined);
    ServerEvent event;
    event.type = ServerEventType::FETCH;
    event.user = user_;
    event.uid = message.uid;
    event.bytes = bytes;
    event.set_seen = set_seen;
    events_.push_back(std::move(event));
  }
  return out + tagged(command.tag, "OK Fetch completed.");
}

std::string ServerSession::store(const Command& command, ArgumentReader& args) {
  std::optional<SequenceSet> set = args.sequence_set();
  if (!set || !args.space()) return bad_arguments(command, "Invalid messageset");
  std::optional<std::string> operation = args.atom();
  if (!operation || !args.space()) return bad_arguments(command, "Invalid arguments");
  std::string op = to_upper(*operation);
  bool silent = false;
  if (op.size() > 7 && op.compare(op.size() - 7, 7, ".SILENT") == 0) {
    silent = true;
    op.resize(op.size() - 7);
  }
  if (op != "FLAGS" && op != "+FLAGS" && op != "-FLAGS") {
    return bad_arguments(command, "Invalid arguments");
  }
  // RFC 3501 §9: the flags come as a parenthesized list or as flags separated by SP.
  bool parenthesized = args.consume('(');
  unsigned flags = 0;
  while (std::optional<std::string> flag = args.flag()) {
    if ((*flag)[0] != '\\') {
      throw std::logic_error("IMAP keywords (STORE " + *flag + ") are not modelled");
    }
    unsigned bit = flag_bit(*flag);
    if (bit == 0) return bad_arguments(command, "Invalid system flag " + to_upper(*flag));
    flags |= bit;
    if (!args.space()) break;
  }
  if (parenthesized && !args.consume(')')) return bad_arguments(command, "Missing ')'");
  if (!args.at_end()) return bad_arguments(command, "Invalid arguments");
  if (!command.uid) {
    for (const SequenceRange& range : set->ranges) {
      if ((range.first != 0 && range.first > messages_.size()) ||
          (range.last != 0 && range.last > messages_.size())) {
        return bad_arguments(command, "Invalid messageset");
      }
    }
  }
  if (read_only_) return tagged(command.tag, "OK Store ignored with read-only mailbox.");
  std::string out;
  for (std::size_t index : resolve(*set, command.uid)) {
    SessionMessage& message = messages_[index];
    unsigned before = message.flags;
    if (op == "FLAGS") {
      message.flags = flags;
    } else if (op == "+FLAGS") {
      message.flags |= flags;
    } else {
      message.flags &= ~flags;
    }
    if ((message.flags & DELETED) && !(before & DELETED)) ++counters_.deleted;
    if (!silent) {
      std::string uid = command.uid ? fmt::format("UID {} ", message.uid) : "";
      out += fmt::format("* {} FETCH ({}FLAGS {})\r\n", index + 1, uid, flag_list(message.flags));
    }
    ServerEvent event;
    event.type = ServerEventType::STORE;
    event.user = user_;
    event.uid = message.uid;
    event.flags = flag_list(message.flags);
    events_.push_back(std::move(event));
  }
  return out + tagged(command.tag, "OK Store completed.");
}

std::string ServerSession::search(const Command& command, ArgumentReader& args) {
  using Predicate = std::function<bool(std::size_t)>;
  std::string error;
  std::function<Predicate()> parse_key;
  auto header_contains = [this](const char* field, std::string needle) -> Predicate {
    return [this, field, needle](std::size_t index) {
      std::string_view headers = message::split_message(messages_[index].text()).headers;
      for (const message::HeaderField& header : message::parse_headers(headers)) {
        if (to_upper(header.name) == field &&
            to_upper(header.value).find(to_upper(needle)) != std::string::npos) {
          return true;
        }
      }
      return false;
    };
  };
  auto flag_test = [this](unsigned bit, bool set) -> Predicate {
    return [this, bit, set](std::size_t index) {
      return ((messages_[index].flags & bit) != 0) == set;
    };
  };
  parse_key = [&]() -> Predicate {
    if (args.consume('(')) {
      std::vector<Predicate> all;
      while (!args.consume(')')) {
        Predicate key = parse_key();
        if (!key) return nullptr;
        all.push_back(key);
        args.space();
      }
      return [all](std::size_t index) {
        for (const Predicate& key : all) {
          if (!key(index)) return false;
        }
        return true;
      };
    }
    if (args.peek() == '*' || (args.peek() >= '0' && args.peek() <= '9')) {
      std::optional<SequenceSet> set = args.sequence_set();
      if (!set) {
        error = "Invalid messageset";
        return nullptr;
      }
      return [this, set = *set](std::size_t index) {
        return set.contains(static_cast<std::uint32_t>(index + 1),
                            static_cast<std::uint32_t>(messages_.size()));
      };
    }
    std::optional<std::string> atom = args.atom();
    if (!atom) {
      error = "Missing search parameters";
      return nullptr;
    }
    std::string key = to_upper(*atom);
    if (key == "ALL") return [](std::size_t) { return true; };
    if (key == "SEEN") return flag_test(SEEN, true);
    if (key == "UNSEEN") return flag_test(SEEN, false);
    if (key == "DELETED") return flag_test(DELETED, true);
    if (key == "UNDELETED") return flag_test(DELETED, false);
    if (key == "ANSWERED") return flag_test(ANSWERED, true);
    if (key == "UNANSWERED") return flag_test(ANSWERED, false);
    if (key == "FLAGGED") return flag_test(FLAGGED, true);
    if (key == "UNFLAGGED") return flag_test(FLAGGED, false);
    if (key == "DRAFT") return flag_test(DRAFT, true);
    if (key == "UNDRAFT") return flag_test(DRAFT, false);
    if (key == "NOT" || key == "OR") {
      if (!args.space()) return nullptr;
      Predicate first = parse_key();
      if (!first) return nullptr;
      if (key == "NOT") return [first](std::size_t index) { return !first(index); };
      if (!args.space()) return nullptr;
      Predicate second = parse_key();
      if (!second) return nullptr;
      return [first, second](std::size_t index) { return first(index) || second(index); };
    }
    if (key == "UID") {
      std::optional<SequenceSet> set = args.space() ? args.sequence_set() : std::nullopt;
      if (!set) {
        error = "Invalid UID messageset";
        return nullptr;
      }
      return [this, set = *set](std::size_t index) {
        return set.contains(messages_[index].uid, messages_.back().uid);
      };
    }
    if (key == "FROM" || key == "TO" || key == "CC" || key == "BCC" || key == "SUBJECT") {
      std::optional<std::string> value = args.space() ? args.astring() : std::nullopt;
      if (!value) {
        error = "Missing parameter for argument " + key;
        return nullptr;
      }
      static const char* const kFields[] = {"FROM", "TO", "CC", "BCC", "SUBJECT"};
      for (const char* field : kFields) {
        if (key == field) return header_contains(field, *value);
      }
    }
    if (key == "BODY" || key == "TEXT") {
      std::optional<std::string> value = args.space() ? args.astring() : std::nullopt;
      if (!value) {
        error = "Missing parameter for argument " + key;
        return nullptr;
      }
      bool whole = key == "TEXT";
      return [this, whole, needle = to_upper(*value)](std::size_t index) {
        std::string_view content = messages_[index].text();
        std::string text = whole ? std::string(content) : text_section(content);
        return to_upper(text).find(needle) != std::string::npos;
      };
    }
    // NOTE: date, size, HEADER, KEYWORD, NEW, OLD and RECENT keys are not modelled and get
    // the reply Dovecot gives for unknown keys.
    error = "Unknown argument " + key;
    return nullptr;
  };

  // RFC 3501 §6.4.4: an optional CHARSET comes first; US-ASCII and UTF-8 cover ASCII text.
  std::vector<Predicate> keys;
  {
    ArgumentReader probe = args;
    std::optional<std::string> first = probe.atom();
    if (first && to_upper(*first) == "CHARSET") {
      args = probe;
      std::optional<std::string> charset = args.space() ? args.astring() : std::nullopt;
      if (!charset || !args.space()) return bad_arguments(command, "Invalid arguments");
      std::string upper = to_upper(*charset);
      if (upper != "US-ASCII" && upper != "UTF-8") {
        return tagged(command.tag, "NO [BADCHARSET (UTF-8)] Unknown charset: " + *charset + ".");
      }
    }
  }
  while (!args.at_end()) {
    Predicate key = parse_key();
    if (!key) {
      return bad_arguments(command, error.empty() ? "Invalid arguments" : error);
    }
    keys.push_back(key);
    if (!args.at_end() && !args.space()) return bad_arguments(command, "Invalid arguments");
  }
  if (keys.empty()) return bad_arguments(command, "Missing search parameters");
  std::string found;
  for (std::size_t index = 0; index < messages_.size(); ++index) {
    bool match = true;
    for (const Predicate& key : keys) match = match && key(index);
    if (!match) continue;
    found += fmt::format(" {}", command.uid ? messages_[index].uid : index + 1);
  }
  return "* SEARCH" + found + "\r\n" + tagged(command.tag, "OK Search completed.");
}

}  // namespace mailsim::imap
