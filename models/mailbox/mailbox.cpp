// Mailbox: procmail delivery and Dovecot's mbox rewrite; see mailbox.hpp for the rules.
#include "models/mailbox/mailbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "models/common/timefmt.hpp"

namespace mailsim::mailbox {
namespace {

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Dovecot writes the pseudo-message body text exactly as UW c-client did.
constexpr const char* kPseudoBody =
    "This text is part of the internal format of your mail folder, and is not\n"
    "a real message.  It is created automatically by the mail system software.\n"
    "If deleted, important folder data will be lost, and it will be re-created\n"
    "with the data reset to initial values.\n";

std::string imap_base_value(std::uint32_t uid_validity, std::uint32_t last_uid) {
  return fmt::format("{} {:010}", uid_validity, last_uid);
}

std::size_t decimal_digits(std::uint32_t value) {
  return fmt::formatted_size("{}", value);
}

// Length of one Dovecot field line without its padding.
std::size_t field_size(const DovecotFields& fields, DovecotHeader header,
                       std::uint32_t uid_validity) {
  switch (header) {
    case DovecotHeader::X_IMAPBASE:
      return 12 + decimal_digits(uid_validity) + 1 + 10 + 1;
    case DovecotHeader::X_UID:
      return 7 + decimal_digits(fields.uid) + 1;
    case DovecotHeader::STATUS:
      return 8 + fields.status.size() + 1;
    case DovecotHeader::X_STATUS:
      return 9 + fields.x_status.size() + 1;
    case DovecotHeader::X_KEYWORDS:
      return 11 + fields.x_keywords.size() + 1;
    case DovecotHeader::CONTENT_LENGTH:
      return 15 + fields.content_length.size() + 1;
  }
  return 0;
}

std::size_t fields_size(const DovecotFields& fields, std::uint32_t uid_validity) {
  std::size_t total = 0;
  for (DovecotHeader header : fields.order) total += field_size(fields, header, uid_validity);
  return total;
}

void erase_field(DovecotFields& fields, DovecotHeader header) {
  fields.order.erase(std::remove(fields.order.begin(), fields.order.end(), header),
                     fields.order.end());
}

// Dovecot puts X-IMAPbase right before X-UID in the first message; an X-UID already present
// is moved after it.
void add_imap_base(DovecotFields& fields) {
  erase_field(fields, DovecotHeader::X_IMAPBASE);
  erase_field(fields, DovecotHeader::X_UID);
  fields.order.push_back(DovecotHeader::X_IMAPBASE);
  fields.order.push_back(DovecotHeader::X_UID);
}

// Appends one Dovecot field line as Dovecot writes it into the header.
void append_field(std::string& out, const DovecotFields& fields, DovecotHeader header,
                  std::uint32_t uid_validity, std::uint32_t last_uid) {
  switch (header) {
    case DovecotHeader::X_IMAPBASE:
      out += "X-IMAPbase: " + imap_base_value(uid_validity, last_uid) + "\n";
      break;
    case DovecotHeader::X_UID:
      out += fmt::format("X-UID: {}{}\n", fields.uid, std::string(fields.uid_padding, ' '));
      break;
    case DovecotHeader::STATUS:
      out += "Status: " + fields.status + "\n";
      break;
    case DovecotHeader::X_STATUS:
      out += "X-Status:" + fields.x_status + "\n";
      break;
    case DovecotHeader::X_KEYWORDS:
      out += "X-Keywords:" + fields.x_keywords + "\n";
      break;
    case DovecotHeader::CONTENT_LENGTH:
      out += "Content-Length:" + fields.content_length + "\n";
      break;
  }
}

}  // namespace

std::uint64_t crlf_size(std::string_view content) {
  return content.size() +
         static_cast<std::uint64_t>(std::count(content.begin(), content.end(), '\n'));
}

std::uint64_t crlf_size(const Content& content) {
  return crlf_size(content.head) + crlf_size(*content.shared);
}

std::string pseudo_message(std::int64_t now, std::string_view hostname, std::uint32_t uid_validity,
                           std::uint32_t last_uid) {
  timefmt::Civil t = timefmt::to_civil(now);
  const char* weekday = kWeekdays[t.weekday];
  const char* month = kMonths[t.month - 1];
  std::string out = fmt::format("From MAILER_DAEMON  {} {} {:02} {:02}:{:02}:{:02} {}\n", weekday,
                                month, t.day, t.hour, t.minute, t.second, t.year);
  out += fmt::format("Date: {}, {:02} {} {} {:02}:{:02}:{:02} +0000\n", weekday, t.day, month,
                     t.year, t.hour, t.minute, t.second);
  out += fmt::format("From: Mail System Internal Data <MAILER-DAEMON@{}>\n", hostname);
  out += "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n";
  out += fmt::format("Message-ID: <{}@{}>\n", now, hostname);
  out += fmt::format("X-IMAP: {}\n", imap_base_value(uid_validity, last_uid));
  out += "Status: RO\n\n";
  out += kPseudoBody;
  out += '\n';
  return out;
}

Mailbox Mailbox::from_mbox(std::string_view text, const std::string& file_name) {
  MboxFile file = parse_mbox(text, file_name);
  Mailbox mailbox;
  mailbox.uid_validity_ = file.uid_validity;
  mailbox.last_uid_ = file.last_uid;
  mailbox.pseudo_message_ = std::move(file.pseudo_message);
  for (MboxMessage& parsed : file.messages) {
    Message message;
    message.envelope_sender = std::move(parsed.envelope_sender);
    message.date = std::move(parsed.date);
    message.size = crlf_size(*parsed.content);
    message.content = std::move(parsed.content);
    message.dovecot = std::move(parsed.dovecot);
    mailbox.last_uid_ = std::max(mailbox.last_uid_, message.dovecot.uid);
    mailbox.messages_.push_back(std::move(message));
  }
  return mailbox;
}

void Mailbox::deliver(std::string_view envelope_sender, std::int64_t delivery_time,
                      Content content) {
  Message message;
  message.envelope_sender =
      envelope_sender.empty() ? "MAILER-DAEMON" : std::string(envelope_sender);
  message.date = timefmt::asctime(delivery_time);
  message.content = quote_from_lines(content);
  // procmail ends every message with a newline before the separating empty line.
  if (!message.content.empty() && message.content.back() != '\n') {
    auto terminated = std::make_shared<const std::string>(message.content.flatten() + "\n");
    message.content = Content(std::move(terminated));
  }
  message.size = crlf_size(message.content);
  messages_.push_back(std::move(message));
}

void Mailbox::open(std::uint32_t uid_validity) {
  if (uid_validity_ == 0) uid_validity_ = uid_validity;
  bool grow_to_end = false;  // Dovecot rewrites every later message once one lacks space
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    Message& message = messages_[i];
    DovecotFields updated = message.dovecot;
    bool first = pseudo_message_.empty() && i == 0;
    if (updated.uid == 0) updated.uid = ++last_uid_;
    if (first && !updated.has(DovecotHeader::X_IMAPBASE)) {
      add_imap_base(updated);
    } else if (!updated.has(DovecotHeader::X_UID)) {
      updated.order.push_back(DovecotHeader::X_UID);
    }
    bool changed = updated.order != message.dovecot.order || updated.uid != message.dovecot.uid;
    if (changed) {
      std::size_t old_size =
          fields_size(message.dovecot, uid_validity_) + message.dovecot.uid_padding;
      if (fields_size(updated, uid_validity_) > old_size) grow_to_end = true;
      rewrite_fields(message, updated, false);
    }
    if (grow_to_end && message.dovecot.has(DovecotHeader::X_UID)) {
      message.dovecot.uid_padding = kHeaderPadding;
    }
  }
}

std::size_t Mailbox::index_of(std::uint32_t uid) const {
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (messages_[i].dovecot.uid == uid) return i;
  }
  throw std::out_of_range(fmt::format("no message with UID {} in the mailbox", uid));
}

void Mailbox::set_deleted(std::uint32_t uid, bool deleted) {
  messages_[index_of(uid)].deleted = deleted;
}

void Mailbox::set_seen(std::uint32_t uid, bool seen) {
  messages_[index_of(uid)].seen = seen;
}

void Mailbox::rollback() {
  for (Message& message : messages_) {
    message.deleted = false;
    message.seen = false;
  }
}

void Mailbox::rewrite_fields(Message& message, const DovecotFields& updated, bool moved) {
  std::size_t old_size = fields_size(message.dovecot, uid_validity_);
  std::size_t new_size = fields_size(updated, uid_validity_);
  std::size_t padding = message.dovecot.uid_padding;
  message.dovecot = updated;
  if (new_size <= old_size + padding) {
    message.dovecot.uid_padding = old_size + padding - new_size;
  } else if (moved) {
    // A message moved backwards over deleted ones takes the missing bytes from their space.
    message.dovecot.uid_padding = 0;
  } else {
    // NOTE: Dovecot grows the file here and spreads the new space over all later messages;
    // only this message's padding is modelled.
    message.dovecot.uid_padding = kHeaderPadding;
  }
}

std::size_t Mailbox::commit(std::int64_t now, std::string_view hostname) {
  bool any_change = std::any_of(messages_.begin(), messages_.end(),
                                [](const Message& m) { return m.deleted || m.seen; });
  if (!any_change) return 0;

  std::size_t first_deleted = messages_.size();
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (messages_[i].deleted) {
      first_deleted = i;
      break;
    }
  }

  bool has_pseudo = !pseudo_message_.empty();
  std::vector<Message> remaining;
  remaining.reserve(messages_.size());
  std::size_t removed = 0;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    Message& message = messages_[i];
    if (message.deleted) {
      ++removed;
      continue;
    }
    bool becomes_first = !has_pseudo && remaining.empty();
    bool moved = i > first_deleted;
    if (i == 0 || message.seen || moved) {
      DovecotFields updated = message.dovecot;
      bool seen = message.seen || updated.status.find('R') != std::string::npos;
      updated.status = seen ? "RO" : "O";
      if (becomes_first && !updated.has(DovecotHeader::X_IMAPBASE)) add_imap_base(updated);
      if (!updated.has(DovecotHeader::STATUS)) updated.order.push_back(DovecotHeader::STATUS);
      rewrite_fields(message, updated, moved);
    }
    message.deleted = false;
    message.seen = false;
    remaining.push_back(std::move(message));
  }
  messages_ = std::move(remaining);

  if (messages_.empty() && removed > 0 && !has_pseudo) {
    pseudo_message_ = pseudo_message(now, hostname, uid_validity_, last_uid_);
  }
  return removed;
}

std::string Mailbox::render() const {
  std::string out;
  write([&out](std::string_view piece) { out += piece; });
  return out;
}

void Mailbox::write(const std::function<void(std::string_view)>& sink) const {
  if (!pseudo_message_.empty()) {
    // Dovecot updates the pseudo-message's X-IMAP value in place as UIDs are assigned.
    std::string_view pseudo = pseudo_message_;
    std::size_t field = pseudo.find("\nX-IMAP: ");
    std::size_t end = field == std::string::npos ? field : pseudo.find('\n', field + 1);
    if (end == std::string::npos) {
      sink(pseudo);
    } else {
      sink(pseudo.substr(0, field + 9));
      sink(imap_base_value(uid_validity_, last_uid_));
      sink(pseudo.substr(end));
    }
  }
  for (const Message& message : messages_) {
    sink(fmt::format("From {}  {}\n", message.envelope_sender, message.date));
    // Dovecot's fields go at the end of the header, which ends in the shared text unless
    // the message has no empty line.
    std::string_view head = message.content.head;
    std::string_view text = *message.content.shared;
    std::size_t end = header_end(text);
    std::size_t split = end == std::string::npos ? text.size() : end;
    sink(head);
    sink(text.substr(0, split));
    bool header_before = !head.empty() || split > 0;
    char last = split > 0 ? text[split - 1] : (head.empty() ? '\n' : head.back());
    if (header_before && last != '\n') sink("\n");
    std::string fields;
    for (DovecotHeader header : message.dovecot.order) {
      append_field(fields, message.dovecot, header, uid_validity_, last_uid_);
    }
    sink(fields);
    sink(text.substr(split));
    sink("\n");
  }
}

}  // namespace mailsim::mailbox
