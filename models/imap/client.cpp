// IMAP client session (webmail style); see client.hpp.
#include "models/imap/client.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/imap/parser.hpp"

namespace mailsim::imap {
namespace {

// Returns the size of a literal announced at the end of `line` (`{n}`), or -1.
long long trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return -1;
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos || line.size() - open > 12) return -1;
  long long size = 0;
  for (std::size_t i = open + 1; i + 1 < line.size(); ++i) {
    if (line[i] < '0' || line[i] > '9') return -1;
    size = size * 10 + (line[i] - '0');
  }
  return line.size() - open > 2 ? size : -1;
}

// Returns the data of the first literal in `response`, with CRLF turned into LF.
std::string first_literal(const std::string& response) {
  std::size_t lf = response.find('\n');
  while (lf != std::string::npos) {
    std::size_t end = lf > 0 && response[lf - 1] == '\r' ? lf - 1 : lf;
    std::size_t start = response.rfind('\n', lf - 1);
    start = start == std::string::npos || start >= lf ? 0 : start + 1;
    long long size = trailing_literal(std::string_view(response).substr(start, end - start));
    if (size >= 0) {
      std::string data = response.substr(lf + 1, static_cast<std::size_t>(size));
      std::string out;
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') continue;
        out += data[i];
      }
      return out;
    }
    lf = response.find('\n', lf + 1);
  }
  return "";
}

// Returns the UID of a `* n FETCH (UID u ...` response, 0 if absent.
std::uint32_t fetch_uid(const std::string& response) {
  std::size_t pos = response.find("(UID ");
  if (pos == std::string::npos) pos = response.find(" UID ");
  if (pos == std::string::npos) return 0;
  return static_cast<std::uint32_t>(std::strtoul(response.c_str() + pos + 5, nullptr, 10));
}

}  // namespace

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)) {}

void ClientSession::set_state(ClientState state) {
  state_ = state;
}

std::string ClientSession::send(const std::string& command) {
  tag_ = fmt::format("a{:03}", ++tag_counter_);
  return tag_ + " " + command + "\r\n";
}

std::string ClientSession::feed(std::string_view bytes) {
  input_.append(bytes);
  std::string out;
  // A response ends at a CRLF that does not announce a literal (RFC 3501 §7.5).
  std::size_t pos = 0;
  while (state_ != ClientState::DONE) {
    std::size_t lf = input_.find('\n', pos);
    if (lf == std::string::npos) break;
    std::size_t end = lf > pos && input_[lf - 1] == '\r' ? lf - 1 : lf;
    long long size = trailing_literal(std::string_view(input_).substr(pos, end - pos));
    if (size >= 0) {
      if (input_.size() - (lf + 1) < static_cast<std::size_t>(size)) break;
      pos = lf + 1 + static_cast<std::size_t>(size);
      continue;
    }
    std::string response = input_.substr(0, end);
    input_.erase(0, lf + 1);
    pos = 0;
    out += handle_response(response);
  }
  return out;
}

std::string ClientSession::next_after(ClientState finished) {
  switch (finished) {
    case ClientState::GREETING:
      set_state(ClientState::LOGIN);
      return send(fmt::format("LOGIN {} {}", quote_string(config_.user),
                              quote_string(config_.password)));
    case ClientState::LOGIN:
      set_state(ClientState::SELECT);
      return send("SELECT INBOX");
    case ClientState::SELECT:
      set_state(ClientState::SEARCH);
      return send("UID SEARCH ALL");
    case ClientState::SEARCH:
      if (uids_.empty()) {
        set_state(ClientState::LOGOUT);
        return send("LOGOUT");
      }
      set_state(ClientState::FETCH_HEADERS);
      return send(
          "UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM TO SUBJECT "
          "MESSAGE-ID)])");
    case ClientState::FETCH_HEADERS:
      read_uid_ = config_.read_uid != 0 ? config_.read_uid : uids_.back();
      set_state(ClientState::FETCH_BODY);
      return send(fmt::format("UID FETCH {} (UID BODY[])", read_uid_));
    case ClientState::FETCH_BODY:
      if (config_.delete_after_read) {
        set_state(ClientState::STORE);
        return send(fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", read_uid_));
      }
      set_state(ClientState::LOGOUT);
      return send("LOGOUT");
    case ClientState::STORE:
      set_state(ClientState::EXPUNGE);
      return send("EXPUNGE");
    case ClientState::EXPUNGE:
      set_state(ClientState::LOGOUT);
      return send("LOGOUT");
    default:
      set_state(ClientState::DONE);
      return "";
  }
}

std::string ClientSession::handle_response(const std::string& response) {
  if (state_ == ClientState::GREETING) {
    if (response.rfind("* OK", 0) != 0) {
      failure_ = response;
      set_state(ClientState::DONE);
      return "";
    }
    return next_after(ClientState::GREETING);
  }
  if (response.rfind("* ", 0) == 0) {
    if (response.rfind("* BYE", 0) == 0 && state_ != ClientState::LOGOUT) failure_ = response;
    if (state_ == ClientState::SEARCH && response.rfind("* SEARCH", 0) == 0) {
      std::size_t pos = 8;
      while (pos < response.size()) {
        char* end = nullptr;
        unsigned long uid = std::strtoul(response.c_str() + pos, &end, 10);
        if (end == response.c_str() + pos) break;
        uids_.push_back(static_cast<std::uint32_t>(uid));
        pos = static_cast<std::size_t>(end - response.c_str());
      }
    } else if (response.find(" FETCH (") != std::string::npos) {
      std::uint32_t uid = fetch_uid(response);
      if (state_ == ClientState::FETCH_HEADERS && uid != 0) {
        headers_[uid] = first_literal(response);
      } else if (state_ == ClientState::FETCH_BODY && uid != 0) {
        retrieved_.push_back(RetrievedMessage{uid, first_literal(response)});
      }
    }
    return "";
  }
  if (response.rfind(tag_ + " ", 0) != 0) return "";  // continuation requests and stray tags
  std::string status = response.substr(tag_.size() + 1, 3);
  if (status != "OK ") {
    failure_ = response;
    if (state_ == ClientState::LOGOUT || state_ == ClientState::LOGIN) {
      set_state(ClientState::DONE);
      return "";
    }
    set_state(ClientState::LOGOUT);
    return send("LOGOUT");
  }
  return next_after(state_);
}

}  // namespace mailsim::imap
