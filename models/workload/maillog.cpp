#include "models/workload/maillog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "models/common/error.hpp"
#include "models/common/timefmt.hpp"

namespace mailsim::workload {
namespace {

constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Syslog timestamp without the year.
struct Stamp {
  int month, day, hour, minute, second;
};

// A received message while the log is read.
struct Pending {
  std::string queue_id;
  double at = 0;
  std::string sender;
  std::uint64_t size = 0;
  std::unordered_set<std::string> seen;  // recipients already taken, for "first to= only"
  std::vector<std::string> recipients;
};

class LineParser {
 public:
  LineParser(const MaillogOptions& options, MaillogReplay& out) : options_(options), out_(out) {}

  void parse(std::string_view line) {
    ++line_number_;
    ++out_.lines;
    line_ = line;
    if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
    if (line_.find_first_not_of(" \t") == std::string_view::npos) {
      ++out_.skipped;
      return;
    }

    const double at = time_of(parse_stamp());
    // `host program[pid]: message`: anything else after the stamp is not a Sendmail line.
    std::size_t host_end = line_.find(' ', 16);
    if (host_end == std::string_view::npos) return skip();
    std::size_t colon = line_.find(": ", host_end + 1);
    if (colon == std::string_view::npos) return skip();
    std::string_view tag = line_.substr(host_end + 1, colon - host_end - 1);
    std::string_view program = tag.substr(0, tag.find('['));
    // Debian installs the daemon as sm-mta. Lines of sm-msp-queue are skipped, because the
    // submission queue relays each message to the MTA, which logs it again.
    if (program != "sendmail" && program != "sm-mta") return skip();

    std::size_t qid_begin = colon + 2;
    std::size_t qid_end = qid_begin;
    while (qid_end < line_.size() && std::isalnum(static_cast<unsigned char>(line_[qid_end])))
      ++qid_end;
    if (qid_end == qid_begin || line_.substr(qid_end, 2) != ": ") return skip();
    std::string queue_id(line_.substr(qid_begin, qid_end - qid_begin));
    std::size_t text = qid_end + 2;
    std::string_view rest = line_.substr(text);

    if (rest.substr(0, 5) == "from=") return parse_from(queue_id, at, text);
    if (rest.substr(0, 3) == "to=") return parse_to(queue_id, text);
    note_dsn(rest);
    skip();
  }

  void finish() {
    std::vector<Pending*> kept;
    for (auto& message : messages_) {
      if (message.recipients.empty())
        ++out_.without_recipients;
      else
        kept.push_back(&message);
    }
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Pending* a, const Pending* b) { return a->at < b->at; });
    std::uint64_t id = 0;
    for (Pending* message : kept) {
      Arrival arrival;
      arrival.at = message->at;
      arrival.id = ++id;
      arrival.sender = std::move(message->sender);
      arrival.recipients = std::move(message->recipients);
      arrival.size = message->size;
      arrival.seed = fnv1a(message->queue_id);
      out_.arrivals.push_back(std::move(arrival));
      out_.queue_ids.push_back(message->queue_id);
    }
  }

 private:
  [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
    throw InputError(SourcePos{options_.file, line_number_, static_cast<int>(offset) + 1}, message);
  }

  void skip() { ++out_.skipped; }

  // Reads `Mmm dd hh:mm:ss` at the start of the line. The day may be space or zero padded.
  Stamp parse_stamp() const {
    Stamp stamp{};
    std::string_view month = line_.substr(0, 3);
    auto it = std::find(std::begin(kMonths), std::end(kMonths), month);
    if (it == std::end(kMonths))
      fail(0, fmt::format("expected a syslog timestamp such as 'Dec  4 15:02:51', got '{}'",
                          line_.substr(0, 15)));
    stamp.month = static_cast<int>(it - std::begin(kMonths)) + 1;

    auto two_digits = [this](std::size_t offset, bool space_ok, const char* what) {
      char high = offset < line_.size() ? line_[offset] : '\0';
      char low = offset + 1 < line_.size() ? line_[offset + 1] : '\0';
      if (!(is_digit(high) || (space_ok && high == ' ')) || !is_digit(low))
        fail(offset, fmt::format("expected the {} as two digits in the syslog timestamp", what));
      return (high == ' ' ? 0 : high - '0') * 10 + (low - '0');
    };
    auto separator = [this](std::size_t offset, char expected) {
      if (offset >= line_.size() || line_[offset] != expected)
        fail(offset, fmt::format("expected '{}' in the syslog timestamp", expected));
    };

    separator(3, ' ');
    stamp.day = two_digits(4, true, "day");
    separator(6, ' ');
    stamp.hour = two_digits(7, false, "hour");
    separator(9, ':');
    stamp.minute = two_digits(10, false, "minute");
    separator(12, ':');
    stamp.second = two_digits(13, false, "second");
    separator(15, ' ');

    if (stamp.hour > 23) fail(7, fmt::format("hour {} is out of range 00-23", stamp.hour));
    if (stamp.minute > 59) fail(10, fmt::format("minute {} is out of range 00-59", stamp.minute));
    // 60 allows a leap second.
    if (stamp.second > 60) fail(13, fmt::format("second {} is out of range 00-60", stamp.second));
    return stamp;
  }

  // Seconds since the first line. The year starts at the caller's and goes up by one each time
  // the month goes back (a Dec -> Jan rollover), because syslog stamps have no year.
  // NOTE: so a line stamped a month or more before the previous one is read as next year's,
  // not as out of order.
  double time_of(const Stamp& stamp) {
    if (previous_month_ != 0 && stamp.month < previous_month_) ++year_;
    previous_month_ = stamp.month;
    if (stamp.day < 1 || stamp.day > days_in_month(year_, stamp.month))
      fail(4, fmt::format("{} {} {} is not a date (the year comes from the caller and rollovers)",
                          kMonths[stamp.month - 1], stamp.day, year_));
    auto epoch = timefmt::parse_iso8601(fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", year_,
                                                    stamp.month, stamp.day, stamp.hour,
                                                    stamp.minute, stamp.second));
    if (!epoch) fail(0, "syslog timestamp is not a valid UTC time");
    if (!started_) {
      started_ = true;
      out_.start_epoch = *epoch;
    } else if (*epoch < previous_epoch_) {
      // syslogd writes lines as the messages come in, so a line stamped earlier than the one
      // before it means the log was edited or joined from several files out of order.
      fail(0, fmt::format("timestamp '{}' is earlier than '{}' on line {}; a maillog's lines "
                          "must be in time order",
                          line_.substr(0, 15), previous_stamp_, previous_line_));
    }
    previous_epoch_ = *epoch;
    previous_stamp_ = std::string(line_.substr(0, 15));
    previous_line_ = line_number_;
    return static_cast<double>(*epoch - out_.start_epoch);
  }

  // End of the field that starts at `begin`: fields are separated by ", ".
  std::size_t field_end(std::size_t begin) const {
    std::size_t end = line_.find(", ", begin);
    return end == std::string_view::npos ? line_.size() : end;
  }

  // Strips the angle brackets of `<address>`. A bare address (a local user) is kept as is.
  std::string address_at(std::size_t begin, std::size_t end, const char* field) const {
    std::string_view value = line_.substr(begin, end - begin);
    if (value.empty()) fail(begin, fmt::format("expected an address after {}=", field));
    if (value.front() == '<') {
      if (value.size() < 2 || value.back() != '>')
        fail(begin, fmt::format("address after {}= has no closing '>'", field));
      value = value.substr(1, value.size() - 2);
    } else if (value.find_first_of("<> ") != std::string_view::npos) {
      fail(begin, fmt::format("expected <address> after {}=, got '{}'", field, value));
    }
    if (!value.empty() && value.back() == '@')
      fail(begin, fmt::format("address '{}' after {}= has no domain after '@'", value, field));
    return std::string(value);
  }

  // Finds `name=` among the fields after `from` and returns its value as a number.
  std::uint64_t number_field(std::size_t from, std::string_view name) const {
    std::size_t pos = from;
    while (pos < line_.size()) {
      std::size_t end = field_end(pos);
      std::string_view field = line_.substr(pos, end - pos);
      if (field.size() > name.size() && field.substr(0, name.size()) == name &&
          field[name.size()] == '=') {
        std::size_t value_begin = pos + name.size() + 1;
        std::string_view value = line_.substr(value_begin, end - value_begin);
        if (value.empty() || value.size() > 19 ||
            !std::all_of(value.begin(), value.end(), is_digit))
          fail(value_begin,
               fmt::format("expected a whole number after {}=, got '{}'", name, value));
        return std::stoull(std::string(value));
      }
      pos = end + 2;
    }
    fail(line_.size(), fmt::format("from= line has no {}= field", name));
  }

  void parse_from(const std::string& queue_id, double at, std::size_t text) {
    ++out_.from_lines;
    std::size_t value_begin = text + 5;
    std::size_t value_end = field_end(value_begin);
    std::string sender = address_at(value_begin, value_end, "from");
    std::uint64_t size = number_field(value_end, "size");
    number_field(value_end, "nrcpts");  // checked for form only: to= lines list the recipients

    if (dsn_queue_ids_.count(queue_id) != 0) {
      ++out_.dsn_messages;
      return;
    }
    // NOTE: a second from= line for a known queue ID (IDs repeat only across very long logs)
    // is skipped, so its to= lines join the first message.
    if (index_.count(queue_id) != 0) return skip();
    index_.emplace(queue_id, messages_.size());
    Pending message;
    message.queue_id = queue_id;
    message.at = at;
    message.sender = std::move(sender);
    message.size = size;
    messages_.push_back(std::move(message));
  }

  void parse_to(const std::string& queue_id, std::size_t text) {
    ++out_.to_lines;
    std::size_t value_begin = text + 3;
    std::size_t value_end = field_end(value_begin);
    auto it = index_.find(queue_id);
    if (it == index_.end()) {
      if (dsn_queue_ids_.count(queue_id) != 0)
        skip();
      else
        ++out_.orphan_to_lines;
      return;
    }
    Pending& message = messages_[it->second];
    // Sendmail lists the recipients of one delivery attempt as `to=<a>,<b>` without spaces.
    std::size_t begin = value_begin;
    for (;;) {
      std::size_t comma = line_.find(',', begin);
      std::size_t end = comma == std::string_view::npos || comma > value_end ? value_end : comma;
      std::string address = address_at(begin, end, "to");
      if (message.seen.insert(address).second) message.recipients.push_back(std::move(address));
      if (end == value_end) break;
      begin = end + 1;
    }
  }

  // Remembers the new queue ID of `QID: NEWQID: DSN: reason`, the line Sendmail writes when
  // it creates a bounce, so the bounce's own from= line is not replayed as an arrival.
  void note_dsn(std::string_view rest) {
    std::size_t end = 0;
    while (end < rest.size() && std::isalnum(static_cast<unsigned char>(rest[end]))) ++end;
    if (end > 0 && rest.substr(end, 7) == ": DSN: ")
      dsn_queue_ids_.insert(std::string(rest.substr(0, end)));
  }

  const MaillogOptions& options_;
  MaillogReplay& out_;
  int line_number_ = 0;
  std::string_view line_;
  int year_ = options_.year;
  int previous_month_ = 0;
  bool started_ = false;
  std::int64_t previous_epoch_ = 0;  // of the last timestamped line
  std::string previous_stamp_;
  int previous_line_ = 0;
  std::vector<Pending> messages_;
  std::unordered_map<std::string, std::size_t> index_;
  std::unordered_set<std::string> dsn_queue_ids_;
};

}  // namespace

MaillogReplay parse_maillog(std::istream& input, const MaillogOptions& options) {
  MaillogReplay replay;
  LineParser parser(options, replay);
  std::string line;
  while (std::getline(input, line)) parser.parse(line);
  parser.finish();
  return replay;
}

MaillogReplay parse_maillog(std::string_view text, const MaillogOptions& options) {
  std::istringstream input{std::string(text)};
  return parse_maillog(input, options);
}

}  // namespace mailsim::workload
