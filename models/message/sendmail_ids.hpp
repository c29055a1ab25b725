// Identifiers Sendmail 8.17 gives a message: the queue id that names its qf/df
// files and appears in every log line, and the Message-Id it adds when the
// client sent none (sendmail.cf: `H?M?Message-Id: <$t.$i@$j>`).
// Not modelled: the random start of Sendmail's per-process sequence counter
// (the caller passes `sequence`).
#pragma once

#include <cstdint>
#include <string>

namespace mailsim::message {

/// The 60 characters Sendmail encodes queue-id fields with (`QueueIdChars`).
inline constexpr char kQueueIdChars[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";

/// Returns Sendmail's 14-character queue id, e.g. `6B4H87qM031312` for
/// 2026-12-04 17:08:07 UTC, sequence 3142, pid 31312. Each of (year - 1900)
/// mod 60, month 0-11, day, hour, minute and second is one base-60 character,
/// then `sequence` mod 3600 as two base-60 characters, then the pid as at least
/// six decimal digits.
std::string queue_id(std::int64_t epoch, unsigned sequence, unsigned pid);

/// Returns the Message-Id Sendmail adds: `<YYYYMMDDhhmm.QID@host>`, where the
/// minute stamp (`$t`) is `epoch` in UTC and `host` is `$j`.
std::string message_id(std::int64_t epoch, const std::string& qid, const std::string& host);

}  // namespace mailsim::message
