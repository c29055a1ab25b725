// POP3 fetching client; see client.hpp for the command sequence.
#include "models/pop3/client.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "models/pop3/multiline.hpp"

namespace mailsim::pop3 {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)) {}

void ClientSession::set_state(ClientState state) {
  state_ = state;
}

std::string ClientSession::feed(std::string_view bytes) {
  input_.append(bytes);
  std::string out;
  std::size_t pos = 0;
  while (state_ != ClientState::DONE) {
    std::size_t lf = input_.find('\n', pos);
    if (lf == std::string::npos) break;
    std::string line = input_.substr(pos, lf - pos);
    pos = lf + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out += handle_line(line);
  }
  input_.erase(0, pos);
  return out;
}

std::string ClientSession::feed_message(const message::SharedMessage& message) {
  // Undoing the stuffing gives the text back exactly when every line ends in LF: a CR before
  // an LF is part of the line, and the client strips only the CR of the CRLF.
  bool reading_retr = state_ == ClientState::RETR && in_multiline_ && current_.empty();
  bool lines_complete = message.empty() || message.back() == '\n';
  if (!reading_retr || !input_.empty() || !lines_complete) return feed(encode_multiline(message));
  in_multiline_ = false;
  return finish_retr(message);
}

std::string ClientSession::finish_retr(message::SharedMessage content) {
  retrieved_.push_back(RetrievedMessage{listing_[next_].first, listing_[next_].second,
                                        std::move(content), ""});
  auto uid = uids_.find(listing_[next_].first);
  if (uid != uids_.end()) retrieved_.back().uid = uid->second;
  if (config_.keep_on_server) {
    ++next_;
    return next_message_command();
  }
  set_state(ClientState::DELE);
  return fmt::format("DELE {}\r\n", listing_[next_].first);
}

std::string ClientSession::next_message_command() {
  if (next_ < listing_.size()) {
    set_state(ClientState::RETR);
    return fmt::format("RETR {}\r\n", listing_[next_].first);
  }
  set_state(ClientState::QUIT);
  return "QUIT\r\n";
}

std::string ClientSession::handle_line(const std::string& line) {
  if (in_multiline_) {
    // RFC 1939 §3: a lone dot ends the response, and a leading dot is removed.
    if (line == ".") {
      in_multiline_ = false;
      if (state_ == ClientState::LIST && config_.keep_on_server) {
        set_state(ClientState::UIDL);
        return "UIDL\r\n";
      }
      if (state_ == ClientState::UIDL) {
        // Leave out what an earlier session already fetched.
        std::vector<std::pair<unsigned, std::uint64_t>> wanted;
        for (const auto& entry : listing_) {
          auto uid = uids_.find(entry.first);
          if (uid == uids_.end() || !config_.known_uids.count(uid->second)) wanted.push_back(entry);
        }
        listing_ = std::move(wanted);
      }
      if (state_ == ClientState::LIST || state_ == ClientState::UIDL) return next_message_command();
      auto text = std::make_shared<const std::string>(std::move(current_));
      current_.clear();
      return finish_retr(message::SharedMessage(std::move(text)));
    }
    std::string_view text = line;
    if (starts_with(text, ".")) text.remove_prefix(1);
    if (state_ == ClientState::UIDL) {
      unsigned number = 0;
      char uid[71] = {0};  // RFC 1939 §7: a unique-id is 1 to 70 characters
      if (std::sscanf(line.c_str(), "%u %70s", &number, uid) != 2) {
        throw std::runtime_error("POP3 client: invalid UIDL line: " + line);
      }
      uids_[number] = uid;
      return "";
    }
    if (state_ == ClientState::LIST) {
      unsigned number = 0;
      unsigned long long size = 0;
      if (std::sscanf(line.c_str(), "%u %llu", &number, &size) != 2) {
        throw std::runtime_error("POP3 client: invalid LIST line: " + line);
      }
      listing_.emplace_back(number, size);
    } else {
      current_.append(text);
      current_ += '\n';
    }
    return "";
  }

  bool ok = starts_with(line, "+OK");
  if (!ok && !starts_with(line, "-ERR")) {
    throw std::runtime_error("POP3 client: expected +OK or -ERR, got: " + line);
  }
  switch (state_) {
    case ClientState::GREETING:
    case ClientState::USER:
    case ClientState::PASS:
      if (!ok) {
        failure_ = line;
        set_state(ClientState::QUIT);
        return "QUIT\r\n";
      }
      if (state_ == ClientState::GREETING) {
        set_state(ClientState::USER);
        return "USER " + config_.user + "\r\n";
      }
      if (state_ == ClientState::USER) {
        set_state(ClientState::PASS);
        return "PASS " + config_.password + "\r\n";
      }
      set_state(ClientState::STAT);
      return "STAT\r\n";
    case ClientState::STAT:
      if (ok) {
        unsigned long long size = 0;
        std::sscanf(line.c_str(), "+OK %u %llu", &stat_count_, &size);
        stat_size_ = size;
      }
      set_state(ClientState::LIST);
      return "LIST\r\n";
    case ClientState::LIST:
    case ClientState::UIDL:
    case ClientState::RETR:
      if (!ok) {
        // A message that cannot be listed or read is skipped.
        if (state_ != ClientState::RETR) return next_message_command();
        ++next_;
        return next_message_command();
      }
      in_multiline_ = true;
      return "";
    case ClientState::DELE:
      ++next_;
      return next_message_command();
    case ClientState::QUIT:
      set_state(ClientState::DONE);
      return "";
    case ClientState::DONE:
      return "";
  }
  return "";
}

}  // namespace mailsim::pop3
