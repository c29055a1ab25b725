// Composes the message a mail client submits: RFC 5322 header fields and a
// body, with MIME (RFC 2045/2046) multipart/mixed and base64 attachments
// when there are any. Attachment bytes are generated from a seed, so a run
// can carry a large attachment without reading files, and a test can
// regenerate the same bytes to compare with what arrived.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::message {

struct Attachment {
  std::string filename;
  std::string content_type = "application/octet-stream";
  std::uint64_t size = 0;  ///< bytes before encoding
  std::uint64_t seed = 0;  ///< picks the bytes, see attachment_bytes()
};

struct Draft {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;  ///< LF line ends
  std::vector<Attachment> attachments;
  /// Optional header fields the client adds itself (Date, Message-ID, ...),
  /// written after To and Subject. Lab clients leave Date and Message-ID to
  /// the first MTA.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

/// The bytes of an attachment: a deterministic pseudo-random stream from
/// its seed (xorshift64*), `size` bytes long.
std::string attachment_bytes(std::uint64_t size, std::uint64_t seed);

/// The seed of attachment `attachment_index` of workload item `item_index`
/// in a run with `scenario_seed`, so that every attachment differs.
std::uint64_t attachment_seed(std::uint64_t scenario_seed, std::size_t item_index,
                              std::size_t attachment_index);

/// RFC 4648 base64, cut into lines of `line_length` characters (76 as
/// MIME requires, RFC 2045 §6.8) with LF ends; 0 means one line, no LF.
std::string base64_encode(std::string_view data, std::size_t line_length = 76);

/// Decodes base64, skipping line breaks. Returns false on any other
/// character outside the alphabet or on bad padding.
bool base64_decode(std::string_view text, std::string& out);

/// Decodes base64 written on one line, as SASL responses are (RFC 4648 §4):
/// no line breaks, at most two `=` at the end. With `padding_required` the
/// length must be a multiple of 4; without it only a lone trailing
/// character (a length of 1 modulo 4) is invalid.
bool base64_decode_line(std::string_view text, std::string& out, bool padding_required);

/// The whole message, LF line ends, as the client hands it to SMTP.
std::string compose(const Draft& draft);

/// The decoded attachments found in a composed message (for checks that the
/// bytes arrived intact); filename and bytes, in order.
std::vector<std::pair<std::string, std::string>> extract_attachments(std::string_view message_lf);

/// Returns the file name and decoded size of each attachment that extract_attachments() would
/// return, found without decoding into a copy.
std::vector<std::pair<std::string, std::uint64_t>> attachment_sizes(std::string_view message_lf);

}  // namespace mailsim::message
