#include "models/imap/client.hpp"

#include <gtest/gtest.h>

#include "imap_test_support.hpp"
#include "models/imap/server.hpp"

namespace mailsim::imap {
namespace {

using testing::FakeHooks;

// Runs a client against a server in memory; with `byte_by_byte` each side gets one byte at a
// time. Returns the server's output seen by the client.
std::string run(ClientSession& client, ServerSession& server, bool byte_by_byte) {
  std::string to_client = server.greeting();
  std::string transcript = to_client;
  for (int round = 0; round < 100 && !client.done(); ++round) {
    std::string to_server;
    if (byte_by_byte) {
      for (char c : to_client) to_server += client.feed(std::string(1, c));
    } else {
      to_server = client.feed(to_client);
    }
    to_client.clear();
    if (byte_by_byte) {
      for (char c : to_server) to_client += server.feed(std::string(1, c));
    } else {
      to_client = server.feed(to_server);
    }
    if (server.state() == ServerState::AUTH_FAILED_DELAY) {
      to_client += server.release_delayed_reply();
    }
    transcript += to_client;
  }
  return transcript;
}

TEST(ImapClient, ReadsNewestMessage) {
  for (bool byte_by_byte : {false, true}) {
    FakeHooks hooks;
    hooks.inboxes["kim"] = testing::kim_mailbox();
    std::string stored = hooks.inboxes["kim"].message(6).content.flatten();
    ServerSession server(ServerConfig{}, hooks);
    ClientSession client(ClientConfig{"kim", "1234", 0, false});
    run(client, server, byte_by_byte);
    EXPECT_TRUE(client.done());
    EXPECT_EQ(client.failure(), "");
    EXPECT_EQ(client.uids(), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, 7}));
    ASSERT_EQ(client.headers().count(4), 1u);
    EXPECT_EQ(client.headers().at(4),
              "Date: Fri, 4 Dec 2026 15:09:20 GMT\n"
              "Message-Id: <202612041509.6B4F9Kbh016900@mail.naver.com>\n"
              "From: root@naver.com\nTo: lee@naver.com, kim@naver.com\nSubject: to both\n\n");
    ASSERT_EQ(client.messages().size(), 1u);
    EXPECT_EQ(client.messages()[0].uid, 7u);
    EXPECT_EQ(client.messages()[0].content, stored);
    EXPECT_TRUE(server.closed());
  }
}

TEST(ImapClient, DeletesReadMessage) {
  FakeHooks hooks;
  hooks.inboxes["kim"] = testing::kim_mailbox();
  std::string stored = hooks.inboxes["kim"].message(0).content.flatten();
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"kim", "1234", 1, true});
  run(client, server, false);
  ASSERT_EQ(client.messages().size(), 1u);
  EXPECT_EQ(client.messages()[0].content, stored);
  EXPECT_EQ(hooks.inboxes["kim"].count(), 6u);
  EXPECT_EQ(hooks.inboxes["kim"].message(0).dovecot.uid, 2u);
}

TEST(ImapClient, ReportsLoginFailure) {
  FakeHooks hooks;
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"kim", "wrong", 0, false});
  run(client, server, false);
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.failure(), "a001 NO [AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_TRUE(client.messages().empty());
}

TEST(ImapClient, ReportsBadGreeting) {
  ClientSession client(ClientConfig{"kim", "1234", 0, false});
  EXPECT_EQ(client.feed("* BYE Server shutting down\r\n"), "");
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.failure(), "* BYE Server shutting down");
}

}  // namespace
}  // namespace mailsim::imap
