#include <gtest/gtest.h>

#include "models/smtp/client_session.hpp"
#include "models/smtp/server_session.hpp"
#include "server_fixture.hpp"

namespace mailsim::smtp::testing {
namespace {

// Pumps bytes between a client and a server engine until both stop.
void converse(ClientSession& client, ServerSession& server) {
  std::string to_client = server.greeting();
  for (int round = 0; round < 1000 && !client.done(); ++round) {
    std::string to_server = client.feed(to_client);
    to_client = server.feed(to_server);
    if (server.closed() && to_client.empty()) {
      client.connection_closed();
      break;
    }
  }
}

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(EndToEnd, DotStuffingRoundTrip) {
  const std::string bodies[] = {
      "Subject: dots\n\n.\n..\n...x\n.leading\n",
      "Subject: last line without LF\n\nno newline",
      "Subject: empty body\n\n",
      "Subject: From line\n\nFrom the desk of kim\n>From quoted\n",
      "Subject: blank lines\n\n\n\n\nend\n",
  };
  for (ClientStyle style : {ClientStyle::MTA, ClientStyle::MUA}) {
    for (const std::string& body : bodies) {
      LabHooks hooks(1796396568, {"6B4F2mUe015806"});
      ServerSession server(debian_capture(), {"127.0.0.1", "localhost"}, hooks);
      ClientSession client({"pc1.naver.com", style},
                           {{{"kim@naver.com", {"lee@naver.com"}}, text(body), 0}});
      converse(client, server);
      EXPECT_TRUE(client.done()) << body;
      EXPECT_TRUE(server.closed()) << body;
      ASSERT_EQ(hooks.messages.size(), 1u) << body;
      std::string expected = body.back() == '\n' ? body : body + "\n";
      EXPECT_EQ(hooks.messages[0], expected) << body;
      EXPECT_TRUE(client.results()[0].delivered()) << body;
      EXPECT_EQ(client.results()[0].data_reply.text,
                "6B4F2mUe015806 Message accepted for delivery");
    }
  }
}

TEST(EndToEnd, PartialAndTotalRejection) {
  LabHooks hooks(1796396568, {"Q1", "Q2"});
  ServerSession server(debian_capture(), {"127.0.0.2", ""}, hooks);
  ClientSession client(
      {"mail.daum.net", ClientStyle::MTA},
      {{{"kim@daum.net", {"lee@naver.com", "nobody@naver.com", "x@kakao.com"}}, text("m\n"), 2},
       {{"kim@daum.net", {"y@kakao.com"}}, text("n\n"), 2},
       {{"kim@daum.net", {"kim@naver.com"}}, text("o\n"), 2}});
  converse(client, server);
  ASSERT_TRUE(client.done());
  const auto& results = client.results();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].delivered());
  EXPECT_TRUE(results[0].recipients[0].accepted());
  EXPECT_EQ(results[0].recipients[1].reply.text, "<nobody@naver.com>... User unknown");
  EXPECT_EQ(results[0].recipients[2].reply.text,
            "<x@kakao.com>... Relaying denied. IP name lookup failed [127.0.0.2]");
  EXPECT_EQ(results[1].failed_stage, ClientStage::RCPT);
  EXPECT_TRUE(results[1].permanent_failure());
  EXPECT_TRUE(results[2].delivered());
  ASSERT_EQ(hooks.envelopes.size(), 2u);
  EXPECT_EQ(hooks.envelopes[0].rcpt_to, std::vector<std::string>{"lee@naver.com"});
  EXPECT_EQ(hooks.envelopes[1].rcpt_to, std::vector<std::string>{"kim@naver.com"});
  EXPECT_EQ(hooks.sessions[0].size_param, 2u);
}

TEST(EndToEnd, OversizedMessageBounces) {
  LabHooks hooks(1796396568);
  ServerSession server(debian_capture(), {"127.0.0.1", "localhost"}, hooks);
  // SIZE= states the small LF size, so only the end of DATA catches it.
  ClientSession client(
      {"mail.daum.net", ClientStyle::MTA},
      {{{"kim@daum.net", {"lee@naver.com"}}, text(std::string(12000, 'a') + "\n"), 10}});
  converse(client, server);
  const TransactionResult& r = client.results()[0];
  EXPECT_TRUE(r.has_data_reply);
  EXPECT_EQ(r.data_reply.code, 552);
  EXPECT_TRUE(r.permanent_failure());
  EXPECT_TRUE(hooks.messages.empty());
}

}  // namespace
}  // namespace mailsim::smtp::testing
