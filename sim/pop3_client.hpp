// Runs the POP3 client engine over a simulated connection, as a mail client
// checking its mailbox does: USER/PASS, STAT, LIST, RETR and DELE of every
// message, QUIT.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/net.hpp"

namespace mailsim::sim {

struct FetchedMessage {
  int number = 0;                ///< message number in the POP3 session
  std::uint64_t octets = 0;      ///< size the server announced
  message::SharedMessage content;  ///< LF line ends, byte-stuffing undone; shared with the
                                  ///< server's mbox when the RETR data arrived by reference
  std::string sender;            ///< from the Return-Path: header, for the local Inbox
  double requested = 0;          ///< when RETR was sent
  double received = 0;           ///< when the whole message had arrived
  std::string trace_id, recipient;  ///< which traced delivery it was
};

struct Pop3Fetch {
  bool logged_in = false;
  std::string failure;  ///< the -ERR line when login or a command failed
  std::vector<FetchedMessage> messages;
};

/// `known_uids` (with `keep`) are the UIDL values fetched before; the ones
/// fetched now are added to it.
Pop3Fetch run_pop3_client(Connection& conn, const std::string& user, const std::string& password, bool keep,
                          double timeout, std::set<std::string>& known_uids);

}  // namespace mailsim::sim
