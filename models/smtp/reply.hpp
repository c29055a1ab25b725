// SMTP replies as a client reads them (RFC 5321 section 4.2): a three-digit
// code, "-" on every line but the last, and text that starts with an enhanced
// status code (RFC 3463, RFC 2034) when the server offers ENHANCEDSTATUSCODES.
// Not modelled: replies whose lines carry different codes (the first line's
// code is used) and lines longer than RFC 5321's 512-octet limit (accepted).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mailsim::smtp {

/// One complete, possibly multi-line reply.
struct Reply {
  int code = 0;                    ///< 0 marks a line that was not a reply (see ReplyReader)
  std::string enhanced;            ///< "2.0.0" when the first line carries one, else ""
  std::string text;                ///< first line's text after the code and enhanced code
  std::vector<std::string> lines;  ///< every line's text after "ddd-" or "ddd "

  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
};

/// Returns the enhanced status code at the start of `text` ("5.7.1" in
/// "5.7.1 Relaying denied") when its class digit matches `code`'s first digit
/// (RFC 3463 section 2), else "".
std::string leading_enhanced_code(int code, std::string_view text);

/// Assembles replies from bytes that arrive in any split.
class ReplyReader {
 public:
  /// Consumes `bytes` and returns every reply completed by them. A line that
  /// does not start with three digits followed by SP, "-" or the line end is
  /// returned at once as a Reply with code 0 and the line as `text`.
  std::vector<Reply> feed(std::string_view bytes);

 private:
  std::string buffer_;
  Reply pending_;
};

}  // namespace mailsim::smtp
