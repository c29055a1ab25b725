#include "models/message/shared_message.hpp"

#include <cstring>
#include <stdexcept>

namespace mailsim::message {
namespace {

const std::shared_ptr<const std::string>& empty_text() {
  static const auto empty = std::make_shared<const std::string>();
  return empty;
}

bool holds_byte(std::string_view text, char byte) {
  return !text.empty() && std::memchr(text.data(), byte, text.size()) != nullptr;
}

}  // namespace

SharedMessage::SharedMessage() : shared(empty_text()) {}

SharedMessage::SharedMessage(std::shared_ptr<const std::string> text)
    : shared(text ? std::move(text) : empty_text()) {}

SharedMessage::SharedMessage(std::string head_fields, std::shared_ptr<const std::string> text)
    : head(std::move(head_fields)), shared(text ? std::move(text) : empty_text()) {
  if (!head.empty() && head.back() != '\n') {
    throw std::invalid_argument("SharedMessage: the head must end with a line feed");
  }
}

std::string SharedMessage::flatten() const {
  std::string out;
  out.reserve(size());
  out += head;
  out += *shared;
  return out;
}

std::string SharedMessage::prefix(std::size_t limit) const {
  if (limit <= head.size()) return head.substr(0, limit);
  return head + shared->substr(0, limit - head.size());
}

bool SharedMessage::contains(char byte) const {
  return holds_byte(head, byte) || holds_byte(*shared, byte);
}

SharedMessage SharedMessage::with_head(std::string_view fields) const {
  std::string combined;
  combined.reserve(fields.size() + head.size());
  combined += fields;
  combined += head;
  return SharedMessage(std::move(combined), shared);
}

std::optional<std::string> find_header(const SharedMessage& message, std::string_view name) {
  if (auto value = find_header(message.head, name)) return value;
  return find_header(*message.shared, name);
}

bool has_header(const SharedMessage& message, std::string_view name) {
  return has_header(message.head, name) || has_header(*message.shared, name);
}

std::vector<HeaderField> parse_headers(const SharedMessage& message) {
  std::vector<HeaderField> fields = parse_headers(message.head);
  std::vector<HeaderField> rest = parse_headers(*message.shared);
  fields.insert(fields.end(), std::make_move_iterator(rest.begin()),
                std::make_move_iterator(rest.end()));
  return fields;
}

}  // namespace mailsim::message
