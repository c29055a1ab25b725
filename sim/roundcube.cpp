// The lab's webmail: Roundcube on Apache and PHP, on a mail server. A
// browser posts the composed message over HTTP (port 80). Roundcube checks
// each attachment against PHP's upload_max_filesize, submits the message
// to the host's own Sendmail over SMTP (127.0.0.1:25), and replies to the
// browser with the result.
//
// The HTTP exchange is reduced to one POST carrying the message and one
// response whose JSON body says whether it was sent.
// NOTE: Roundcube's error texts ("The uploaded file exceeds the maximum
// size of 2 MB.", "SMTP Error (552): ...") follow its English localization
// as remembered, not a recorded session.
//
// Not modelled: the browser's HTML and JavaScript traffic, sessions and
// logins over HTTP, reading mail through the web page (IMAP).
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>

#include "models/message/compose.hpp"
#include "models/message/header.hpp"
#include "models/common/units.hpp"
#include "sim/actors.hpp"
#include "sim/context.hpp"
#include "sim/maillog.hpp"
#include "sim/smtp_client.hpp"

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr double kRequestTimeout = 300;  // Apache's default Timeout, seconds

// PHP's shorthand: 2M is 2 MiB (K, M and G are powers of 1024).
std::uint64_t php_bytes(const std::string& text) {
  if (!text.empty() && std::string("KkMmGg").find(text.back()) != std::string::npos) {
    std::uint64_t n = std::strtoull(text.c_str(), nullptr, 10);
    char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    int shift = 30;
    if (unit == 'K') shift = 10;
    if (unit == 'M') shift = 20;
    return n << shift;
  }
  return units::parse_size(text).value_or(2u << 20);
}


std::string http_response(int code, const char* reason, bool ok, const std::string& message) {
  std::string body = nlohmann::json{{"ok", ok}, {"message", message}}.dump();
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}", code, reason,
                     body.size(), body);
}

void run_webmail_session(HostState& host, std::shared_ptr<Connection> conn, std::uint64_t upload_limit,
                         const std::string& limit_text) {
  conn->attach();
  World& w = world();

  // The request: headers, then Content-Length bytes of message.
  std::string request, chunk;
  std::size_t header_end = std::string::npos, length = 0;
  std::shared_ptr<const WirePayload> payload;
  std::optional<message::SharedMessage> shared_body;  // the body when it came by reference
  while (true) {
    bool open = false;
    try {
      open = conn->recv(chunk, payload, kRequestTimeout);
    } catch (const ConnectionTimedOut&) {
      open = false;
    }
    if (!open) {
      conn->close();
      return;
    }
    request += chunk;
    if (header_end == std::string::npos) {
      header_end = request.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto at = request.find("Content-Length: ");
        if (at != std::string::npos && at < header_end) length = std::strtoull(request.c_str() + at + 16, nullptr, 10);
      }
    }
    if (payload) {
      bool whole_body = payload->encoding == WirePayload::Encoding::RAW && header_end != std::string::npos &&
                        request.size() == header_end + 4 && payload->text.size() == length;
      if (whole_body) {
        shared_body = payload->text;
        break;
      }
      request += payload->render();
    }
    if (header_end != std::string::npos && request.size() >= header_end + 4 + length) break;
  }
  std::string tag = conn->last_tag();
  message::SharedMessage message =
      shared_body ? *shared_body
                  : message::SharedMessage(std::make_shared<const std::string>(request.substr(header_end + 4, length)));

  // PHP drops an upload over upload_max_filesize before Roundcube gets it.
  std::string flat = message.head.empty() ? std::string() : message.flatten();
  for (const auto& [name, size] : message::attachment_sizes(message.head.empty() ? *message.shared : flat)) {
    if (size > upload_limit) {
      conn->send(http_response(200, "OK", false,
                               fmt::format("The uploaded file exceeds the maximum size of {}.", limit_text)),
                 tag);
      conn->close();
      return;
    }
  }

  // Roundcube submits to the local Sendmail as any mail client does.
  std::string from = message::find_header(message, "From").value_or("");
  std::string to = message::find_header(message, "To").value_or("");
  message::Envelope envelope{from, {}};
  std::size_t start = 0;
  while (start < to.size()) {
    std::size_t comma = to.find(',', start);
    std::string address = to.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    address.erase(0, address.find_first_not_of(' '));
    address.erase(address.find_last_not_of(' ') + 1);
    if (!address.empty()) envelope.rcpt_to.push_back(address);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string result;
  bool sent = false;
  try {
    auto smtp = w.net.connect(host.name, "127.0.0.1", 25, 127);
    SmtpOutcome out = run_smtp_client(*smtp, ClientRole::MUA, host.name, envelope, message, 0, tag, 300);
    smtp->close();
    sent = out.data_code >= 200 && out.data_code < 300;
    int code = out.failure_code ? out.failure_code : out.data_code;
    std::string text = out.failure_code ? out.failure_text : out.data_text;
    for (const auto& r : out.recipients) {
      if (r.code >= 400) {
        code = r.code;
        text = fmt::format("Failed to add recipient \"{}\" ({})", r.address, r.text);
        break;
      }
    }
    result = sent ? "Message sent successfully." : fmt::format("SMTP Error ({}): {}", code, text);
  } catch (const std::runtime_error& e) {
    result = fmt::format("SMTP Error: Connection to server failed ({})", e.what());
  }
  conn->send(http_response(200, "OK", sent, result), tag);
  conn->close();
}

}  // namespace

void start_roundcube(HostState& host) {
  const ServiceSpec& service = host.spec->services.at("roundcube");
  auto option = service.options.find("upload_max_filesize");
  std::string limit_text = option == service.options.end() ? "2M" : option->second;
  std::uint64_t limit = php_bytes(limit_text);
  // Roundcube writes the limit in MB.
  std::string limit_in_mb = fmt::format("{} MB", static_cast<double>(limit) / (1 << 20));
  HostState* h = &host;
  auto initial = std::make_shared<std::shared_ptr<Listener>>();
  *initial = world().net.listen(host.name, "0.0.0.0", 80, "http");
  sg4::Actor::create("httpd", world().platform.hosts.at(host.name), [h, initial, limit, limit_in_mb] {
    sg4::Actor::self()->daemonize();
    std::shared_ptr<Listener> listener = std::move(*initial);
    while (true) {
      std::shared_ptr<Connection> conn(listener->accept().release());
      spawn_session("httpd", h->name, std::move(conn), [h, limit, limit_in_mb](std::shared_ptr<Connection> c) {
        run_webmail_session(*h, c, limit, limit_in_mb);
      });
    }
  });
}

}  // namespace mailsim::sim
