#include "models/message/compose.hpp"

#include <gtest/gtest.h>

namespace mailsim::message {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(plain, 0), encoded) << plain;
    std::string back;
    ASSERT_TRUE(base64_decode(encoded, back)) << encoded;
    EXPECT_EQ(back, plain);
  }
}

TEST(Base64, RejectsBadText) {
  std::string out;
  EXPECT_FALSE(base64_decode("Zm9v!", out));
  EXPECT_FALSE(base64_decode("Zg==Zg", out));
  EXPECT_FALSE(base64_decode("Zg===", out));
}

TEST(Base64, OneLineForms) {
  std::string out;
  EXPECT_TRUE(base64_decode_line("Zm9vYg==", out, true));
  EXPECT_EQ(out, "foob");
  EXPECT_FALSE(base64_decode_line("Zm9vYg", out, true));  // unpadded
  EXPECT_TRUE(base64_decode_line("Zm9vYg", out, false));
  EXPECT_EQ(out, "foob");
  EXPECT_FALSE(base64_decode_line("Zm9vY", out, false));   // a lone trailing character
  EXPECT_FALSE(base64_decode_line("Zm9v\nYg==", out, false));  // a line break
  EXPECT_FALSE(base64_decode_line("Zg=a", out, false));
}

TEST(Base64, LinesOf76) {
  std::string data = attachment_bytes(1000, 7);
  std::string text = base64_encode(data);
  size_t start = 0, lines = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    size_t length = nl - start;
    if (nl + 1 < text.size()) {
      EXPECT_EQ(length, 76u);
    }
    start = nl + 1;
    ++lines;
  }
  // 1000 bytes -> 1336 characters (4 per 3 bytes, padded) -> 18 lines.
  EXPECT_EQ(lines, (1336 + 75) / 76);
}

TEST(AttachmentBytes, DeterministicPerSeed) {
  EXPECT_EQ(attachment_bytes(4096, 1), attachment_bytes(4096, 1));
  EXPECT_NE(attachment_bytes(4096, 1), attachment_bytes(4096, 2));
  EXPECT_EQ(attachment_bytes(13, 5).size(), 13u);
}

TEST(Compose, PlainMessageHasNoMime) {
  Draft d{"kim@daum.net", {"lee@naver.com"}, "hello", "Hi lee,\n", {}, {}};
  EXPECT_EQ(compose(d), "From: kim@daum.net\nTo: lee@naver.com\nSubject: hello\n\nHi lee,\n");
}

TEST(Compose, AttachmentSurvivesRoundTrip) {
  Draft d{"lee@naver.com", {"kim@daum.net"}, "photo", "see attached\n", {}, {}};
  d.attachments.push_back({"photo.jpg", "image/jpeg", 100000, 42});
  std::string text = compose(d);
  EXPECT_NE(text.find("MIME-Version: 1.0\n"), std::string::npos);
  auto found = extract_attachments(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "photo.jpg");
  EXPECT_EQ(found[0].second, attachment_bytes(100000, 42));
}

}  // namespace
}  // namespace mailsim::message
