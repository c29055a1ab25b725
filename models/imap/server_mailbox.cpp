// Dovecot 2.3.19 IMAP server session: mailbox commands (RFC 3501 §6.3 and §6.4); see
// server.hpp for scope.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <stdexcept>

#include "models/imap/fetch_data.hpp"
#include "models/imap/server.hpp"
#include "models/message/header.hpp"

namespace mailsim::imap {
namespace {

constexpr std::string_view kAllFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

const std::pair<unsigned, const char*> kFlagNames[] = {
    {ServerSession::ANSWERED, "\\Answered"}, {ServerSession::FLAGGED, "\\Flagged"},
    {ServerSession::DELETED, "\\Deleted"},   {ServerSession::SEEN, "\\Seen"},
    {ServerSession::DRAFT, "\\Draft"}};

// The flags Dovecot reads from an mbox message's Status and X-Status fields.
unsigned stored_flags(const mailbox::Message& message) {
  unsigned flags = 0;
  if (message.dovecot.status.find('R') != std::string::npos) flags |= ServerSession::SEEN;
  const std::string& x_status = message.dovecot.x_status;
  if (x_status.find('A') != std::string::npos) flags |= ServerSession::ANSWERED;
  if (x_status.find('F') != std::string::npos) flags |= ServerSession::FLAGGED;
  if (x_status.find('D') != std::string::npos) flags |= ServerSession::DELETED;
  if (x_status.find('T') != std::string::npos) flags |= ServerSession::DRAFT;
  return flags;
}

bool is_inbox(const std::string& name) {
  return to_upper(name) == "INBOX";
}

// RFC 3501 §5.1: INBOX is case-insensitive; other names are kept as given.
std::string canonical_name(const std::string& name) {
  return is_inbox(name) ? "INBOX" : name;
}

std::string mailbox_name_token(const std::string& name) {
  bool atom = !name.empty();
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' ||
        c == '\\' || c == '%' || c == '*') {
      atom = false;
    }
  }
  return atom ? name : quote_string(name);
}

// LIST wildcards (RFC 3501 §6.3.8): `*` matches anything, `%` anything but the delimiter.
bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  if (pattern[0] == '*' || pattern[0] == '%') {
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (wildcard_match(pattern.substr(1), name.substr(i))) return true;
      if (i < name.size() && pattern[0] == '%' && name[i] == '/') return false;
    }
    return false;
  }
  return !name.empty() && pattern[0] == name[0] && wildcard_match(pattern.substr(1), name.substr(1));
}

std::string from_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

}  // namespace

unsigned ServerSession::flag_bit(const std::string& name) {
  std::string upper = to_upper(name);
  for (const auto& [bit, flag] : kFlagNames) {
    if (upper == to_upper(flag)) return bit;
  }
  return 0;
}

std::string ServerSession::flag_list(unsigned flags) const {
  std::string out;
  for (const auto& [bit, name] : kFlagNames) {
    if ((flags & bit) == 0) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return "(" + out + ")";
}

std::vector<std::size_t> ServerSession::resolve(const SequenceSet& set, bool uid) const {
  std::vector<std::size_t> indexes;
  if (messages_.empty()) return indexes;
  std::uint32_t largest = uid ? messages_.back().uid : static_cast<std::uint32_t>(messages_.size());
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    std::uint32_t number = uid ? messages_[i].uid : static_cast<std::uint32_t>(i + 1);
    if (set.contains(number, largest)) indexes.push_back(i);
  }
  return indexes;
}

const std::string& ServerSession::SessionMessage::text() const {
  if (content.head.empty()) return *content.shared;
  if (!flat) flat = std::make_shared<const std::string>(content.flatten());
  return *flat;
}

std::string ServerSession::select(const Command& command, ArgumentReader& args, bool read_only) {
  std::string out;
  if (mailbox_ != nullptr) {
    // Dovecot closes the selected mailbox first, even when the new SELECT fails.
    close_mailbox(false);
    out += "* OK [CLOSED] Previous mailbox closed.\r\n";
  }
  std::optional<std::string> name = args.astring();
  if (!name || !args.at_end()) return out + bad_arguments(command, "Invalid arguments");
  mailbox::Mailbox* mailbox = hooks_.open_mailbox(user_, canonical_name(*name));
  if (mailbox == nullptr) {
    return out + tagged(command.tag, "NO Mailbox doesn't exist: " + *name + ".");
  }
  mailbox->open(static_cast<std::uint32_t>(hooks_.now()));
  mailbox_ = mailbox;
  read_only_ = read_only;
  messages_.clear();
  std::size_t first_unseen = 0;
  for (std::size_t i = 0; i < mailbox->count(); ++i) {
    const mailbox::Message& stored = mailbox->message(i);
    SessionMessage message;
    message.uid = stored.dovecot.uid;
    message.content = stored.content;
    message.size = stored.size;
    message.internal_date = internal_date(stored.date);
    message.flags = stored_flags(stored) | (stored.seen ? SEEN : 0u);
    message.stored_flags = message.flags;
    if (first_unseen == 0 && (message.flags & SEEN) == 0) first_unseen = i + 1;
    messages_.push_back(std::move(message));
  }
  set_state(ServerState::SELECTED);
  out += fmt::format("* FLAGS ({})\r\n", kAllFlags);
  if (read_only) {
    out += "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n";
  } else {
    out += fmt::format("* OK [PERMANENTFLAGS ({} \\*)] Flags permitted.\r\n", kAllFlags);
  }
  out += fmt::format("* {} EXISTS\r\n", messages_.size());
  // NOTE: Dovecot gives \Recent to the first session that opens the mailbox after a message
  // arrives. The mailbox does not record which session that was, so RECENT is always 0 here.
  out += "* 0 RECENT\r\n";
  if (first_unseen != 0) out += fmt::format("* OK [UNSEEN {}] First unseen.\r\n", first_unseen);
  out += fmt::format("* OK [UIDVALIDITY {}] UIDs valid\r\n", mailbox->uid_validity());
  out += fmt::format("* OK [UIDNEXT {}] Predicted next UID\r\n", mailbox->last_uid() + 1);
  out += tagged(command.tag, read_only ? "OK [READ-ONLY] Examine completed."
                                       : "OK [READ-WRITE] Select completed.");
  return out;
}

void ServerSession::close_mailbox(bool expunge_deleted) {
  if (expunge_deleted) {
    expunge(false);
  } else {
    commit_flags();
  }
  mailbox_ = nullptr;
  messages_.clear();
  set_state(ServerState::AUTHENTICATED);
}

void ServerSession::commit_flags() {
  if (mailbox_ == nullptr || read_only_) return;
  bool changed = false;
  for (SessionMessage& message : messages_) {
    bool seen = (message.flags & SEEN) != 0;
    // NOTE: the mailbox keeps only \Seen and deletions; \Answered, \Flagged and \Draft
    // (Dovecot's X-Status field) last only for this session.
    if (seen && (message.stored_flags & SEEN) == 0) {
      mailbox_->set_seen(message.uid, true);
      changed = true;
    }
    message.stored_flags = message.flags;
  }
  if (changed) mailbox_->commit(hooks_.now(), config_.hostname);
}

std::string ServerSession::expunge(bool send_responses) {
  if (read_only_) return "";
  std::string out;
  std::vector<SessionMessage> remaining;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    SessionMessage& message = messages_[i];
    if ((message.flags & DELETED) == 0) {
      remaining.push_back(std::move(message));
      continue;
    }
    // RFC 3501 §7.4.1: each EXPUNGE renumbers the messages after it at once.
    if (send_responses) out += fmt::format("* {} EXPUNGE\r\n", remaining.size() + 1);
    mailbox_->set_deleted(message.uid, true);
    ++counters_.expunged;
    ServerEvent event;
    event.type = ServerEventType::EXPUNGE;
    event.user = user_;
    event.uid = message.uid;
    events_.push_back(std::move(event));
  }
  bool any = remaining.size() != messages_.size();
  messages_ = std::move(remaining);
  // The \Seen flags go to the file in the same rewrite as the removals.
  for (SessionMessage& message : messages_) {
    if ((message.flags & SEEN) != 0 && (message.stored_flags & SEEN) == 0) {
      mailbox_->set_seen(message.uid, true);
      any = true;
    }
    message.stored_flags = message.flags;
  }
  if (any) mailbox_->commit(hooks_.now(), config_.hostname);
  return out;
}

std::string ServerSession::list(const Command& command, ArgumentReader& args) {
  std::optional<std::string> reference = args.astring();
  std::optional<std::string> pattern =
      reference && args.space() ? args.list_pattern() : std::optional<std::string>();
  if (!pattern || !args.at_end()) return bad_arguments(command, "Invalid arguments");
  std::string out;
  bool lsub = command.name == "LSUB";
  if (!lsub && pattern->empty()) {
    // RFC 3501 §6.3.8: an empty pattern requests the hierarchy delimiter.
    out += "* LIST (\\Noselect) \"/\" \"\"\r\n";
  } else if (!lsub) {
    std::string full = *reference + *pattern;
    for (const std::string& name : hooks_.list_mailboxes(user_)) {
      bool match = is_inbox(name) ? wildcard_match(to_upper(full), "INBOX")
                                  : wildcard_match(full, name);
      if (match) {
        out += fmt::format("* LIST (\\HasNoChildren) \"/\" {}\r\n", mailbox_name_token(name));
      }
    }
  }
  // NOTE: subscriptions are not modelled; Dovecot lists none until a client subscribes.
  return out + tagged(command.tag, lsub ? "OK Lsub completed." : "OK List completed.");
}

std::string ServerSession::status(const Command& command, ArgumentReader& args) {
  std::optional<std::string> name = args.astring();
  if (!name || !args.space() || !args.consume('(')) {
    return bad_arguments(command, "Invalid arguments");
  }
  std::vector<std::string> items;
  while (std::optional<std::string> item = args.atom()) {
    items.push_back(to_upper(*item));
    if (!args.space()) break;
  }
  if (items.empty() || !args.consume(')') || !args.at_end()) {
    return bad_arguments(command, "Invalid arguments");
  }
  mailbox::Mailbox* mailbox = hooks_.open_mailbox(user_, canonical_name(*name));
  if (mailbox == nullptr) {
    return tagged(command.tag, "NO Mailbox doesn't exist: " + *name + ".");
  }
  mailbox->open(static_cast<std::uint32_t>(hooks_.now()));
  std::size_t unseen = 0;
  if (mailbox == mailbox_) {
    for (const SessionMessage& message : messages_) unseen += (message.flags & SEEN) ? 0 : 1;
  } else {
    for (std::size_t i = 0; i < mailbox->count(); ++i) {
      const mailbox::Message& message = mailbox->message(i);
      unseen += ((stored_flags(message) & SEEN) || message.seen) ? 0 : 1;
    }
  }
  std::size_t count = mailbox == mailbox_ ? messages_.size() : mailbox->count();
  std::string values;
  for (const std::string& item : items) {
    std::uint64_t value = 0;
    if (item == "MESSAGES") {
      value = count;
    } else if (item == "RECENT") {
      value = 0;
    } else if (item == "UIDNEXT") {
      value = mailbox->last_uid() + 1u;
    } else if (item == "UIDVALIDITY") {
      value = mailbox->uid_validity();
    } else if (item == "UNSEEN") {
      value = unseen;
    } else {
      return bad_arguments(command, "Invalid status item " + item);
    }
    if (!values.empty()) values += ' ';
    values += fmt::format("{} {}", item, value);
  }
  return fmt::format("* STATUS {} ({})\r\n", mailbox_name_token(canonical_name(*name)), values) +
         tagged(command.tag, "OK Status completed.");
}

std::string ServerSession::append(const Command& command, ArgumentReader& args) {
  std::optional<std::string> name = args.astring();
  if (!name || !args.space()) return bad_arguments(command, "Invalid arguments");
  unsigned flags = 0;
  if (args.consume('(')) {
    while (std::optional<std::string> flag = args.flag()) {
      unsigned bit = flag_bit(*flag);
      if (bit == 0) return bad_arguments(command, "Invalid system flag " + to_upper(*flag));
      flags |= bit;
      if (!args.space()) break;
    }
    if (!args.consume(')') || !args.space()) return bad_arguments(command, "Invalid arguments");
  }
  if (args.peek() == '"') {
    // NOTE: the date-time argument is checked for syntax only; INTERNALDATE comes from the
    // `From ` line, which carries the time of the APPEND.
    if (!args.string() || !args.space()) return bad_arguments(command, "Invalid arguments");
  }
  std::optional<std::string> literal = args.peek() == '{' ? args.string() : std::nullopt;
  if (!literal || !args.at_end()) return bad_arguments(command, "Invalid arguments");
  mailbox::Mailbox* mailbox = hooks_.open_mailbox(user_, canonical_name(*name));
  if (mailbox == nullptr) {
    // RFC 3501 §6.3.11: TRYCREATE means a CREATE could make the APPEND succeed.
    return tagged(command.tag, "NO [TRYCREATE] Mailbox doesn't exist: " + *name + ".");
  }
  std::int64_t now = hooks_.now();
  mailbox->open(static_cast<std::uint32_t>(now));
  // NOTE: Dovecot writes `From user@host` with a zero-padded day and its own X-UID, Status,
  // X-Keywords and Content-Length fields; the mailbox stores the message as procmail would.
  mailbox->deliver(user_ + "@" + config_.hostname, now,
                   std::make_shared<const std::string>(from_crlf(*literal)));
  mailbox->open(mailbox->uid_validity());
  const mailbox::Message& stored = mailbox->message(mailbox->count() - 1);
  ServerEvent event;
  event.type = ServerEventType::APPEND;
  event.user = user_;
  event.uid = stored.dovecot.uid;
  event.bytes = literal->size();
  events_.push_back(std::move(event));
  std::string out;
  if (mailbox == mailbox_) {
    SessionMessage message;
    message.uid = stored.dovecot.uid;
    message.content = stored.content;
    message.size = stored.size;
    message.internal_date = internal_date(stored.date);
    message.flags = flags;
    messages_.push_back(std::move(message));
    out += fmt::format("* {} EXISTS\r\n", messages_.size());
  } else if (flags & SEEN) {
    mailbox->set_seen(stored.dovecot.uid, true);
  }
  // RFC 4315 §3: APPENDUID gives the UIDVALIDITY and the new UID.
  return out + tagged(command.tag, fmt::format("OK [APPENDUID {} {}] Append completed.",
                                               mailbox->uid_validity(), stored.dovecot.uid));
}

}  // namespace mailsim::imap
