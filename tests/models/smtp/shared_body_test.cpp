// A message handed from ClientSession::feed_write() to ServerSession::feed_message() reaches
// the server's hooks as the client's own shared text, with the same replies as the byte path.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "models/smtp/client_session.hpp"
#include "models/smtp/data_codec.hpp"
#include "models/smtp/server_session.hpp"
#include "server_fixture.hpp"

namespace mailsim::smtp {
namespace {

constexpr std::int64_t kNow = 1796397600;

// Records the shared messages the server hands over.
class SharingHooks : public testing::LabHooks {
 public:
  SharingHooks() : LabHooks(kNow) {}
  std::string accept_shared_message(const message::Envelope& envelope,
                                    const message::SharedMessage& message,
                                    const SessionInfo& session) override {
    shared.push_back(message);
    return accept_message(envelope, message.flatten(), session);
  }
  std::vector<message::SharedMessage> shared;
};

// Runs one MUA-style transaction from `text`, feeding the DATA stream by reference.
struct Exchange {
  SharingHooks hooks;
  std::string server_output;
  std::string client_output;
  bool data_by_reference = false;
};

void run_exchange(Exchange& x, const message::SharedMessage& text,
                  std::uint64_t max_message_size = 0) {
  ServerConfig config;
  config.hostname = "mail.naver.com";
  config.max_message_size = max_message_size;
  ServerSession server(config, PeerInfo{"127.0.0.1", "localhost"}, x.hooks);
  ClientSession client(ClientConfig{"lee-pc", ClientStyle::MUA},
                       {Transaction{{"lee@naver.com", {"kim@naver.com"}}, text}});
  std::string from_server = server.greeting();
  for (int round = 0; round < 20 && !client.done() && !server.closed(); ++round) {
    x.server_output += from_server;
    ClientWrite write = client.feed_write(from_server);
    x.client_output += write.bytes;
    from_server = server.feed(write.bytes);
    if (write.message) {
      x.data_by_reference = true;
      from_server += server.feed_message(*write.message);
    }
  }
  x.server_output += from_server;
}

TEST(SharedBody, ServerGetsClientObject) {
  auto text = std::make_shared<const std::string>("Subject: big\n\n.leading dot\nbody\n");
  Exchange x;
  run_exchange(x, text);
  EXPECT_TRUE(x.data_by_reference);
  ASSERT_EQ(x.hooks.shared.size(), 1u);
  EXPECT_EQ(x.hooks.shared[0].shared.get(), text.get());
  EXPECT_EQ(x.hooks.shared[0].head, "");
  EXPECT_NE(x.server_output.find("250 2.0.0 6B4F2mUe015806 Message accepted"), std::string::npos);
}

TEST(SharedBody, OversizeRejected) {
  auto text = std::make_shared<const std::string>("Subject: big\n\n0123456789\n");
  Exchange x;
  run_exchange(x, text, 10);
  EXPECT_TRUE(x.hooks.shared.empty());
  EXPECT_NE(x.server_output.find("552 5.2.3 Message exceeds maximum fixed size (10)"),
            std::string::npos);
}

// Texts whose DATA stream does not decode back unchanged take the byte path, with the
// replies that path gives.
TEST(SharedBody, FallbackMatchesBytePath) {
  struct Case {
    const char* name;
    const char* text;
  };
  const Case cases[] = {
      {"bare CR", "Subject: x\n\na\rb\n"},
      {"no final LF", "Subject: x\n\nlast line"},
  };
  for (const Case& c : cases) {
    Exchange shared;
    run_exchange(shared, std::make_shared<const std::string>(c.text));
    EXPECT_TRUE(shared.hooks.shared.empty()) << c.name;

    SharingHooks hooks;
    ServerConfig config;
    config.hostname = "mail.naver.com";
    ServerSession server(config, PeerInfo{"127.0.0.1", "localhost"}, hooks);
    std::string expected = server.greeting();
    expected += server.feed(shared.client_output.substr(0, shared.client_output.find("DATA\r\n") + 6));
    expected += server.feed(encode_data(c.text));
    EXPECT_EQ(shared.server_output.substr(0, expected.size()), expected) << c.name;
  }
}

TEST(EncodedDataSize, MatchesEncoding) {
  const char* texts[] = {"", "a", "a\n", ".\n", "..x\n.\n", "x\n\n.y", "\n\n\n", "line\r\n"};
  for (const char* text : texts) {
    EXPECT_EQ(encoded_data_size(text), encode_data(text).size()) << text;
  }
}

}  // namespace
}  // namespace mailsim::smtp
