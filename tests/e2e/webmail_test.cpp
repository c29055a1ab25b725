// The lab's webmail part: Roundcube refuses an attachment over PHP's
// upload_max_filesize, sends it once the limit is raised, and reports
// Sendmail's MaxMessageSize refusal as an SMTP error.
#include <gtest/gtest.h>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

std::string webmail() { return std::string(MAILSIM_SOURCE_DIR) + "/scenarios/naver-daum-webmail.yaml"; }

std::string reply_of(const nlohmann::json& run, const std::string& id) {
  const auto* m = find_message(run, id);
  return m ? (*m)["recipients"][0]["last_reply"].get<std::string>() : "<none>";
}

TEST(Webmail, DefaultUploadLimitRefusesPhoto) {
  Outcome r = run_mailsim({"run", webmail()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "lee-reply");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "rejected");
  EXPECT_EQ(reply_of(r.json, "lee-reply"), "The uploaded file exceeds the maximum size of 2 MB.");
  const auto* step1 = find_step(r.json, "lee-reply", 1);
  ASSERT_NE(step1, nullptr);
  EXPECT_EQ((*step1)["protocol"], "http");
  EXPECT_EQ((*step1)["outcome"], "rejected");
}

TEST(Webmail, RaisedLimitSendsPhoto) {
  Outcome r = run_mailsim({"run", webmail(), "--set", "hosts.mail.naver.com.services.roundcube.upload_max_filesize=500M"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto* m = find_message(r.json, "lee-reply");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ((*m)["status"], "delivered");
  EXPECT_TRUE((*m)["retrieved"].is_number());
  // Roundcube submits from the server itself, so the relay hop still runs.
  const auto* step5 = find_step(r.json, "lee-reply", 5);
  ASSERT_NE(step5, nullptr);
  EXPECT_EQ((*step5)["to"], "mail.daum.net");
}

TEST(Webmail, MaxMessageSizeStillApplies) {
  std::string path = write_variant(webmail(), {{"size: 3MB", "size: 12MB"}});
  ASSERT_FALSE(path.empty());
  Outcome r = run_mailsim({"run", path, "--set", "hosts.mail.naver.com.services.roundcube.upload_max_filesize=500M"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(reply_of(r.json, "lee-reply").rfind("SMTP Error (552): ", 0), 0u) << reply_of(r.json, "lee-reply");
  EXPECT_EQ((*find_message(r.json, "lee-reply"))["status"], "rejected");
}

}  // namespace
}  // namespace mailsim::e2e
