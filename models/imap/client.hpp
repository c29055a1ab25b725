// IMAP client session as a webmail such as Roundcube reads a mailbox, sans-I/O: feed() takes
// server bytes and returns the next bytes to send. Sequence: greeting, LOGIN, SELECT INBOX,
// UID SEARCH ALL, UID FETCH of every message's summary header fields, UID FETCH BODY[] of one
// message, optionally UID STORE +FLAGS.SILENT (\Deleted) and EXPUNGE, LOGOUT. Standards: RFC 3501.
// Not modelled: AUTHENTICATE, STARTTLS, APPEND of sent messages, folders other than INBOX,
// untagged responses other than SEARCH and FETCH (they are skipped).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mailsim::imap {

struct ClientConfig {
  std::string user;
  std::string password;
  /// UID of the message to read; 0 reads the one with the highest UID.
  std::uint32_t read_uid = 0;
  /// When true the message read is marked \Deleted and expunged.
  bool delete_after_read = false;
};

enum class ClientState {
  GREETING,       // waiting for `* OK`
  LOGIN,          // LOGIN sent
  SELECT,         // SELECT INBOX sent
  SEARCH,         // UID SEARCH ALL sent
  FETCH_HEADERS,  // UID FETCH of the header fields sent
  FETCH_BODY,     // UID FETCH BODY[] sent
  STORE,          // UID STORE +FLAGS.SILENT (\Deleted) sent
  EXPUNGE,        // EXPUNGE sent
  LOGOUT,         // LOGOUT sent
  DONE,           // LOGOUT completed or the session failed
};

/// One message read with BODY[].
struct RetrievedMessage {
  std::uint32_t uid = 0;
  std::string content;  // LF text as the server stored it
};

class ClientSession {
 public:
  explicit ClientSession(ClientConfig config);

  /// Consumes server bytes; returns what the client sends next (possibly empty). Output does
  /// not depend on how the input is split.
  std::string feed(std::string_view bytes);

  bool done() const { return state_ == ClientState::DONE; }
  ClientState state() const { return state_; }
  /// UIDs from UID SEARCH ALL.
  const std::vector<std::uint32_t>& uids() const { return uids_; }
  /// Summary header fields per UID (LF text, as BODY[HEADER.FIELDS ...] returned them).
  const std::map<std::uint32_t, std::string>& headers() const { return headers_; }
  const std::vector<RetrievedMessage>& messages() const { return retrieved_; }
  /// The NO/BAD/BYE line that ended the session, empty if none.
  const std::string& failure() const { return failure_; }

 private:
  void set_state(ClientState state);
  std::string handle_response(const std::string& response);
  std::string send(const std::string& command);
  std::string next_after(ClientState finished);

  ClientConfig config_;
  ClientState state_ = ClientState::GREETING;
  std::string input_;
  unsigned tag_counter_ = 0;
  std::string tag_;
  std::vector<std::uint32_t> uids_;
  std::map<std::uint32_t, std::string> headers_;
  std::vector<RetrievedMessage> retrieved_;
  std::uint32_t read_uid_ = 0;
  std::string failure_;
};

}  // namespace mailsim::imap
