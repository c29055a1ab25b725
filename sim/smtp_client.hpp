// Runs the SMTP client engine over a simulated connection: one place where
// the actors that send mail (the mail client and Sendmail's esmtp mailer)
// meet the engine, so both time and record the exchange the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/message/envelope.hpp"
#include "models/message/shared_message.hpp"
#include "sim/net.hpp"

namespace mailsim::sim {

struct RecipientOutcome {
  std::string address;
  int code = 0;          ///< 0: never answered (the session broke first)
  std::string enhanced;  ///< e.g. 2.1.5
  std::string text;      ///< the reply line after code and enhanced code
};

struct SmtpOutcome {
  double greeted = -1;     ///< when the 220 banner arrived
  double mail_sent = -1;   ///< when MAIL was written (after the EHLO exchange)
  double finished = -1;    ///< when the reply to the message data arrived
  std::vector<RecipientOutcome> recipients;
  int data_code = 0;       ///< reply to the end of data (0: not reached)
  std::string data_enhanced, data_text;
  int failure_code = 0;    ///< a reply that ended the transaction early (banner, EHLO, MAIL, DATA)
  std::string failure_enhanced, failure_text;
  bool broken = false;     ///< the connection closed or timed out mid-session
  bool loops_back = false; ///< the EHLO reply named this host: "mail loops back to me"
};

enum class ClientRole { MUA, MTA };

/// Sends one message. `tag` follows the message across the hop (see net.hpp). The message
/// travels by reference: the server's session gets the same shared text.
SmtpOutcome run_smtp_client(Connection& conn, ClientRole role, const std::string& helo_name,
                            const message::Envelope& envelope,
                            message::SharedMessage message_lf, std::uint64_t size_param,
                            const std::string& tag, double timeout);

}  // namespace mailsim::sim
