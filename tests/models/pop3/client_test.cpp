#include "models/pop3/client.hpp"

#include <gtest/gtest.h>

#include <set>

#include "models/pop3/server.hpp"
#include "pop3_test_support.hpp"

namespace mailsim::pop3 {
namespace {

using testing::FakeHooks;

// Runs client and server against each other in memory until both stop.
void converse(ClientSession& client, ServerSession& server, bool byte_at_a_time = false) {
  std::string to_client = server.greeting();
  for (int round = 0; round < 1000 && !client.done(); ++round) {
    std::string to_server;
    if (byte_at_a_time) {
      for (char c : to_client) to_server += client.feed(std::string_view(&c, 1));
    } else {
      to_server = client.feed(to_client);
    }
    if (server.closed()) break;
    to_client = server.feed(to_server);
    if (server.state() == ServerState::AUTH_FAILED_DELAY)
      to_client += server.release_delayed_reply();
  }
}

TEST(Pop3Client, SendsRecordedCommands) {
  testing::Transcript transcript = testing::load_transcript("ph1c-lee-pc-pop3-mail.naver.com.txt");
  ClientSession client(ClientConfig{"lee", "lee", false});
  std::string server_bytes = transcript.greeting;
  for (const testing::Exchange& exchange : transcript.exchanges) {
    EXPECT_EQ(client.feed(server_bytes), exchange.command);
    server_bytes = exchange.reply;
  }
  EXPECT_EQ(client.feed(server_bytes), "");
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.stat_count(), 1u);
  EXPECT_EQ(client.stat_size(), 666u);
  ASSERT_EQ(client.messages().size(), 1u);
  EXPECT_EQ(client.messages()[0].size, 666u);
  EXPECT_EQ(client.failure(), "");
}

TEST(Pop3Client, FetchesMailboxEndToEnd) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  std::vector<mailbox::Content> stored;
  for (std::size_t i = 0; i < 4; ++i) stored.push_back(hooks.mailboxes["lee"].message(i).content);
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"lee", "1234", false});
  converse(client, server);
  EXPECT_TRUE(client.done());
  EXPECT_TRUE(server.closed());
  ASSERT_EQ(client.messages().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(client.messages()[i].content, *stored[i]) << i;
    EXPECT_EQ(client.messages()[i].number, i + 1) << i;
  }
  EXPECT_EQ(client.messages()[1].size, 659u);
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 0u);
}

TEST(Pop3Client, KeepOnServerSendsNoDele) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"lee", "1234", true});
  converse(client, server);
  EXPECT_EQ(client.messages().size(), 4u);
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 4u);
  // RETR set \Seen on every message, written as `Status: RO` at QUIT.
  EXPECT_EQ(hooks.mailboxes["lee"].message(3).dovecot.status, "RO");
}

// A client that leaves mail on the server asks UIDL and skips what it has.
TEST(Pop3Client, KeepOnServerSkipsKnownUids) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  std::set<std::string> known;
  {
    ServerSession server(ServerConfig{}, hooks);
    ClientSession client(ClientConfig{"lee", "1234", true, {}});
    converse(client, server);
    ASSERT_EQ(client.messages().size(), 4u);
    for (const auto& m : client.messages()) {
      EXPECT_EQ(m.uid.size(), 16u) << m.number;  // Dovecot's %08Xu%08Xv
      known.insert(m.uid);
    }
  }
  EXPECT_EQ(known.size(), 4u);
  {
    ServerSession server(ServerConfig{}, hooks);
    ClientSession client(ClientConfig{"lee", "1234", true, {*known.begin()}});
    converse(client, server);
    EXPECT_EQ(client.messages().size(), 3u);
    for (const auto& m : client.messages()) EXPECT_NE(m.uid, *known.begin());
  }
}

TEST(Pop3Client, ByteAtATimeEqualsAllAtOnce) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"lee", "1234", true});
  converse(client, server, true);
  FakeHooks whole_hooks;
  whole_hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession whole_server(ServerConfig{}, whole_hooks);
  ClientSession whole_client(ClientConfig{"lee", "1234", true});
  converse(whole_client, whole_server);
  ASSERT_EQ(client.messages().size(), whole_client.messages().size());
  for (std::size_t i = 0; i < client.messages().size(); ++i) {
    EXPECT_EQ(client.messages()[i].content, whole_client.messages()[i].content) << i;
  }
}

TEST(Pop3Client, LoginFailureEndsWithQuit) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"lee", "wrong", false});
  converse(client, server);
  EXPECT_TRUE(client.done());
  EXPECT_EQ(client.failure(), "-ERR [AUTH] Authentication failed.");
  EXPECT_EQ(client.messages().size(), 0u);
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 4u);
}

TEST(Pop3Client, RejectsGarbageReply) {
  ClientSession client(ClientConfig{"lee", "1234", false});
  EXPECT_THROW(client.feed("220 mail.naver.com ESMTP\r\n"), std::runtime_error);
}

}  // namespace
}  // namespace mailsim::pop3
