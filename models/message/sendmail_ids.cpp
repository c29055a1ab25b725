#include "models/message/sendmail_ids.hpp"

#include <fmt/format.h>

#include "models/common/timefmt.hpp"

namespace mailsim::message {

std::string queue_id(std::int64_t epoch, unsigned sequence, unsigned pid) {
  timefmt::Civil c = timefmt::to_civil(epoch);
  // Sendmail encodes struct tm fields, so the year counts from 1900 and the
  // month from 0; 2026 becomes (126 mod 60) = 6.
  int year = c.year - 1900;
  std::string id;
  id += kQueueIdChars[((year % 60) + 60) % 60];
  id += kQueueIdChars[c.month - 1];
  id += kQueueIdChars[c.day];
  id += kQueueIdChars[c.hour];
  id += kQueueIdChars[c.minute];
  id += kQueueIdChars[c.second % 60];
  unsigned seq = sequence % 3600;
  id += kQueueIdChars[seq / 60];
  id += kQueueIdChars[seq % 60];
  id += fmt::format("{:06}", pid);
  return id;
}

std::string message_id(std::int64_t epoch, const std::string& qid, const std::string& host) {
  return fmt::format("<{}.{}@{}>", timefmt::compact_minute(epoch), qid, host);
}

}  // namespace mailsim::message
