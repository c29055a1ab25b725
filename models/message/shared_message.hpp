// A message as LF text held in two parts, so that a hop can put header fields in front of it
// without copying the rest: the fields this hop and earlier ones added (Received:, Return-Path:,
// Date: and the like), then the text as the first client sent it, which every hop, queue entry
// and mailbox shares by reference. The whole text is `head` followed by `*shared`.
// Not modelled: changes inside the shared text (a header field rewritten in place, a body line
// quoted); a hop that needs one copies the message with flatten().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/message/header.hpp"

namespace mailsim::message {

struct SharedMessage {
  /// Complete header field lines, each ending in LF; "" when nothing was added.
  std::string head;
  /// The rest of the message; never null.
  std::shared_ptr<const std::string> shared;

  SharedMessage();
  /// Wraps `text` unchanged with an empty head. Implicit, so that a shared string stands for
  /// a message wherever one is expected.
  SharedMessage(std::shared_ptr<const std::string> text);  // NOLINT(google-explicit-constructor)
  SharedMessage(std::string head, std::shared_ptr<const std::string> text);

  std::uint64_t size() const { return head.size() + shared->size(); }
  bool empty() const { return size() == 0; }
  /// Returns the last byte. The message must not be empty.
  char back() const { return shared->empty() ? head.back() : shared->back(); }
  /// Returns the whole text as one string: a copy of the message.
  std::string flatten() const;
  /// Returns the first `limit` bytes of the whole text.
  std::string prefix(std::size_t limit) const;
  /// Returns whether `byte` occurs anywhere in the text.
  bool contains(char byte) const;
  /// Returns a message with `fields` (complete LF lines) in front of this one, sharing the rest.
  SharedMessage with_head(std::string_view fields) const;
};

/// The header-section functions of header.hpp, applied to a shared message. The head holds
/// whole field lines only, so the header section is the head followed by the shared text's own.
std::optional<std::string> find_header(const SharedMessage& message, std::string_view name);
bool has_header(const SharedMessage& message, std::string_view name);
std::vector<HeaderField> parse_headers(const SharedMessage& message);

}  // namespace mailsim::message
