#include "models/pop3/client.hpp"

#include <gtest/gtest.h>

#include <set>

#include "models/pop3/multiline.hpp"
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

// Same, but each RETR response's message goes from the server to the client by reference.
void converse_by_reference(ClientSession& client, ServerSession& server) {
  std::vector<ServerWrite> writes{ServerWrite{server.greeting(), std::nullopt}};
  for (int round = 0; round < 1000 && !client.done(); ++round) {
    std::string to_server;
    for (const ServerWrite& write : writes) {
      to_server += client.feed(write.bytes);
      if (write.message) to_server += client.feed_message(*write.message);
    }
    if (server.closed()) break;
    writes = server.feed_writes(to_server);
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
    EXPECT_EQ(client.messages()[i].content.flatten(), stored[i].flatten()) << i;
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
    EXPECT_EQ(client.messages()[i].content.flatten(), whole_client.messages()[i].content.flatten())
        << i;
  }
}

// The stored message and the fetched one are the same text object: no hop copied it.
TEST(Pop3Client, RetrByReferenceSharesText) {
  FakeHooks hooks;
  hooks.mailboxes["lee"] = testing::lee_mailbox();
  std::vector<mailbox::Content> stored;
  for (std::size_t i = 0; i < 4; ++i) stored.push_back(hooks.mailboxes["lee"].message(i).content);
  ServerSession server(ServerConfig{}, hooks);
  ClientSession client(ClientConfig{"lee", "1234", false});
  converse_by_reference(client, server);
  EXPECT_TRUE(client.done());
  EXPECT_EQ(hooks.mailboxes["lee"].count(), 0u);
  ASSERT_EQ(client.messages().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(client.messages()[i].content.shared.get(), stored[i].shared.get()) << i;
    EXPECT_EQ(client.messages()[i].content.head, stored[i].head) << i;
  }
}

// Brings a client to the point where it reads a RETR response, after `status` (the +OK line
// and anything after it in the same write).
std::string start_retr(ClientSession& client, const std::string& status) {
  std::string sent;
  for (const char* reply : {"+OK ready\r\n", "+OK\r\n", "+OK\r\n", "+OK 1 10\r\n",
                            "+OK 1 messages:\r\n1 10\r\n.\r\n"}) {
    sent = client.feed(reply);
  }
  EXPECT_EQ(sent, "RETR 1\r\n");
  return client.feed(status);
}

// feed_message() gives what feed(encode_multiline()) gives, and keeps the text by reference
// exactly when that decoding would return it unchanged.
TEST(Pop3Client, FeedMessageTable) {
  struct Case {
    const char* name;
    const char* status;  // the RETR response's bytes before the message
    const char* head;
    const char* text;
    bool shared;
  };
  const Case cases[] = {
      {"plain", "+OK 10 octets\r\n", "", "Subject: a\n\nbody\n", true},
      {"head", "+OK 10 octets\r\n", "Return-Path: <kim@daum.net>\n", "Subject: a\n\nb\n", true},
      {"dot lines", "+OK 10 octets\r\n", "", "Subject: a\n\n.\n..two\n", true},
      {"cr before lf", "+OK 10 octets\r\n", "", "Subject: a\n\ncr\r\n", true},
      {"empty", "+OK 0 octets\r\n", "", "", true},
      {"no final lf", "+OK 10 octets\r\n", "", "Subject: a\n\nlast", false},
      {"unread input", "+OK 10 octets\r\nX", "", "Subject: a\n\nbody\n", false},
  };
  for (const Case& c : cases) {
    message::SharedMessage text(c.head, std::make_shared<const std::string>(c.text));
    ClientSession by_reference(ClientConfig{"lee", "1234", false});
    EXPECT_EQ(start_retr(by_reference, c.status), "") << c.name;
    EXPECT_EQ(by_reference.feed_message(text), "DELE 1\r\n") << c.name;
    ClientSession by_bytes(ClientConfig{"lee", "1234", false});
    start_retr(by_bytes, c.status);
    EXPECT_EQ(by_bytes.feed(encode_multiline(text)), "DELE 1\r\n") << c.name;
    ASSERT_EQ(by_reference.messages().size(), 1u) << c.name;
    ASSERT_EQ(by_bytes.messages().size(), 1u) << c.name;
    const message::SharedMessage& got = by_reference.messages()[0].content;
    EXPECT_EQ(got.flatten(), by_bytes.messages()[0].content.flatten()) << c.name;
    EXPECT_EQ(got.shared.get() == text.shared.get(), c.shared) << c.name;
  }
}

// Outside a RETR response the payload is read as bytes, e.g. as a LIST listing.
TEST(Pop3Client, FeedMessageOutsideRetrIsBytes) {
  ClientSession client(ClientConfig{"lee", "1234", false});
  client.feed("+OK ready\r\n");
  client.feed("+OK\r\n");
  client.feed("+OK\r\n");
  EXPECT_EQ(client.feed("+OK 1 10\r\n"), "LIST\r\n");
  EXPECT_EQ(client.feed("+OK 1 messages:\r\n"), "");
  EXPECT_EQ(client.feed_message(std::make_shared<const std::string>("1 10\n")), "RETR 1\r\n");
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
