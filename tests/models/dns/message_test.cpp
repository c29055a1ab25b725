#include "models/dns/message.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mailsim::dns {
namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// `dig @127.0.0.1 naver.com MX` against BIND 9.18.49 serving the lab's naver.com zone,
// captured on lo with tshark: the query (with EDNS and a client cookie) and the answer.
const std::string kMxQueryHex =
    "ae0801200001000000000001056e6176657203636f6d00000f000100002904d000000000000c000a0008cc6e"
    "3535a470be99";
const std::string kMxResponseHex =
    "ae0885000001000100000002056e6176657203636f6d00000f0001c00c000f000100002a300009000a046d61"
    "696cc00cc0290001000100002a3000047f00000100002904d000000000001c000a0018cc6e3535a470be9901"
    "0000006b12d55d03e303e381defc02";

TEST(Decode, RealMxQuery) {
  Message m = decode(from_hex(kMxQueryHex));
  EXPECT_EQ(m.id, 0xae08);
  EXPECT_FALSE(m.qr);
  EXPECT_EQ(m.opcode, Opcode::QUERY);
  EXPECT_TRUE(m.rd);
  EXPECT_TRUE(m.ad);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "naver.com.");
  EXPECT_EQ(m.questions[0].type, RecordType::MX);
  EXPECT_EQ(m.questions[0].klass, RecordClass::IN);
  ASSERT_EQ(m.additional.size(), 1u);
  EXPECT_EQ(m.additional[0].type, RecordType::OPT);
  EXPECT_EQ(static_cast<unsigned>(m.additional[0].klass), 1232u);  // UDP payload size
}

TEST(Decode, RealMxResponse) {
  Message m = decode(from_hex(kMxResponseHex));
  EXPECT_EQ(m.id, 0xae08);
  EXPECT_TRUE(m.qr);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.rd);
  EXPECT_FALSE(m.ra);
  EXPECT_FALSE(m.tc);
  EXPECT_FALSE(m.ad);
  EXPECT_EQ(m.rcode, Rcode::NOERROR);
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].name, "naver.com.");
  EXPECT_EQ(m.answers[0].type, RecordType::MX);
  EXPECT_EQ(m.answers[0].ttl, 10800u);
  const auto& mx = std::get<MxData>(m.answers[0].rdata);
  EXPECT_EQ(mx.preference, 10);
  EXPECT_EQ(mx.exchange, "mail.naver.com.");
  EXPECT_TRUE(m.authority.empty());
  ASSERT_EQ(m.additional.size(), 2u);
  EXPECT_EQ(m.additional[0].name, "mail.naver.com.");
  EXPECT_EQ(std::get<AData>(m.additional[0].rdata).address, "127.0.0.1");
  EXPECT_EQ(m.additional[1].type, RecordType::OPT);
}

TEST(Encode, RealPacketsRoundTrip) {
  for (const auto& hex : {kMxQueryHex, kMxResponseHex}) {
    std::string wire = from_hex(hex);
    EXPECT_EQ(encode(decode(wire)), wire);
  }
}

TEST(Encode, CompressesSuffixesAndKeepsCase) {
  Message m;
  m.questions.push_back({"Naver.COM.", RecordType::MX, RecordClass::IN});
  m.answers.push_back(
      {"Naver.COM.", RecordType::MX, RecordClass::IN, 60, MxData{10, "mail.naver.com."}});
  std::string wire = encode(m);
  // Header 12 + question 15; the owner matches the question exactly (pointer to 12), but
  // "mail.naver.com." differs in case, so it is written in full: 4 mail 5 naver 3 com 0.
  std::string answer = wire.substr(27);
  EXPECT_EQ(answer.substr(0, 2), std::string("\xc0\x0c", 2));
  EXPECT_EQ(answer.substr(12, 2), std::string("\x00\x0a", 2));
  EXPECT_EQ(answer.substr(14), std::string("\x04mail\x05naver\x03"
                                           "com\x00",
                                           16));
  Message back = decode(wire);
  EXPECT_EQ(back.questions[0].name, "Naver.COM.");
  EXPECT_EQ(std::get<MxData>(back.answers[0].rdata).exchange, "mail.naver.com.");
}

TEST(Encode, AllRdataTypesRoundTrip) {
  Message m;
  m.qr = true;
  m.answers = {
      {"a.test.", RecordType::A, RecordClass::IN, 1, AData{"10.0.2.100"}},
      {"a.test.", RecordType::AAAA, RecordClass::IN, 2, AaaaData{"2001:db8::1"}},
      {"a.test.", RecordType::NS, RecordClass::IN, 3, NameData{"ns.a.test."}},
      {"b.a.test.", RecordType::CNAME, RecordClass::IN, 4, NameData{"a.test."}},
      {"1.2.0.10.in-addr.arpa.", RecordType::PTR, RecordClass::IN, 5, NameData{"a.test."}},
      {"a.test.", RecordType::SOA, RecordClass::IN, 6,
       SoaData{"a.test.", "root.", 2, 86400, 3600, 604800, 3600}},
      {"a.test.", RecordType::TXT, RecordClass::IN, 7, TxtData{{"v=spf1 -all", ""}}},
      {"a.test.", static_cast<RecordType>(99), RecordClass::IN, 8, RawData{"\x01\x02"}},
  };
  Message back = decode(encode(m));
  ASSERT_EQ(back.answers.size(), m.answers.size());
  EXPECT_EQ(std::get<AData>(back.answers[0].rdata).address, "10.0.2.100");
  EXPECT_EQ(std::get<AaaaData>(back.answers[1].rdata).address, "2001:db8::1");
  EXPECT_EQ(std::get<NameData>(back.answers[2].rdata).name, "ns.a.test.");
  EXPECT_EQ(std::get<NameData>(back.answers[3].rdata).name, "a.test.");
  EXPECT_EQ(back.answers[4].name, "1.2.0.10.in-addr.arpa.");
  const auto& soa = std::get<SoaData>(back.answers[5].rdata);
  EXPECT_EQ(soa.rname, "root.");
  EXPECT_EQ(soa.serial, 2u);
  EXPECT_EQ(soa.minimum, 3600u);
  const auto& txt = std::get<TxtData>(back.answers[6].rdata).strings;
  ASSERT_EQ(txt.size(), 2u);
  EXPECT_EQ(txt[0], "v=spf1 -all");
  EXPECT_EQ(txt[1], "");
  EXPECT_EQ(std::get<RawData>(back.answers[7].rdata).bytes, "\x01\x02");
  EXPECT_EQ(back.answers[7].ttl, 8u);
}

TEST(Encode, RejectsInvalidInput) {
  struct Case {
    const char* what;
    ResourceRecord record;
  };
  const Case cases[] = {
      {"label of 64",
       {std::string(64, 'a') + ".test.", RecordType::A, RecordClass::IN, 0, AData{"1.2.3.4"}}},
      {"empty label", {"a..test.", RecordType::A, RecordClass::IN, 0, AData{"1.2.3.4"}}},
      {"bad address", {"a.test.", RecordType::A, RecordClass::IN, 0, AData{"1.2.3"}}},
      {"type mismatch", {"a.test.", RecordType::MX, RecordClass::IN, 0, AData{"1.2.3.4"}}},
      {"TXT over 255",
       {"a.test.", RecordType::TXT, RecordClass::IN, 0, TxtData{{std::string(256, 'x')}}}},
  };
  for (const auto& c : cases) {
    Message m;
    m.answers.push_back(c.record);
    EXPECT_THROW(encode(m), std::invalid_argument) << c.what;
  }
}

TEST(Encode, NameOver255Rejected) {
  std::string name;
  for (int i = 0; i < 5; ++i) name += std::string(50, 'a') + ".";  // 5 * 51 + 1 = 256 octets
  EXPECT_THROW(encode(make_query(1, name, RecordType::A)), std::invalid_argument);
  std::string fits;
  for (int i = 0; i < 5; ++i) fits += std::string(i == 0 ? 49 : 50, 'a') + ".";  // 255 octets
  EXPECT_NO_THROW(encode(make_query(1, fits, RecordType::A)));
}

TEST(Encode, TruncatesAnswerAndSetsTc) {
  Message m;
  m.qr = true;
  m.questions.push_back({"big.test.", RecordType::TXT, RecordClass::IN});
  // Two TXT RRsets of ~300 octets each; together they exceed 512.
  m.answers.push_back(
      {"big.test.", RecordType::TXT, RecordClass::IN, 1, TxtData{{std::string(250, 'a')}}});
  m.answers.push_back(
      {"big.test.", RecordType::TXT, RecordClass::IN, 1, TxtData{{std::string(250, 'b')}}});
  m.answers.push_back({"other.test.", RecordType::A, RecordClass::IN, 1, AData{"1.2.3.4"}});
  m.authority.push_back({"test.", RecordType::NS, RecordClass::IN, 1, NameData{"ns.test."}});
  std::string wire = encode(m, EncodeOptions{512});
  EXPECT_LE(wire.size(), 512u);
  Message back = decode(wire);
  EXPECT_TRUE(back.tc);
  // Both TXT records form one RRset, which does not fit: the whole RRset goes, and so does
  // everything after it.
  EXPECT_TRUE(back.answers.empty());
  EXPECT_TRUE(back.authority.empty());
  ASSERT_EQ(back.questions.size(), 1u);
}

TEST(Encode, DropsAdditionalWithoutTc) {
  Message m;
  m.qr = true;
  m.questions.push_back({"naver.com.", RecordType::MX, RecordClass::IN});
  m.answers.push_back({"naver.com.", RecordType::MX, RecordClass::IN, 1, MxData{10, "m.x."}});
  m.additional.push_back({"m.x.", RecordType::TXT, RecordClass::IN, 1,
                          TxtData{{std::string(255, 'a'), std::string(255, 'b')}}});
  std::string opt_rdata;
  m.additional.push_back(
      {".", RecordType::OPT, static_cast<RecordClass>(1232), 0, RawData{opt_rdata}});
  Message back = decode(encode(m, EncodeOptions{512}));
  EXPECT_FALSE(back.tc);
  EXPECT_EQ(back.answers.size(), 1u);
  ASSERT_EQ(back.additional.size(), 1u);
  EXPECT_EQ(back.additional[0].type, RecordType::OPT);
}

TEST(Encode, NoTruncationWhenItFits) {
  std::string wire = from_hex(kMxResponseHex);
  EXPECT_EQ(encode(decode(wire), EncodeOptions{512}), wire);
}

TEST(MakeQuery, BuildsStandardQuery) {
  Message q = make_query(0x1234, "mail.naver.com", RecordType::AAAA);
  EXPECT_EQ(q.id, 0x1234);
  EXPECT_FALSE(q.qr);
  EXPECT_TRUE(q.rd);
  ASSERT_EQ(q.questions.size(), 1u);
  EXPECT_EQ(q.questions[0].name, "mail.naver.com.");
  // RFC 1035 §4.1: 12-octet header + 16-octet name + type + class.
  EXPECT_EQ(encode(q).size(), 12u + 16u + 4u);
  EXPECT_FALSE(make_query(1, "x.", RecordType::A, false).rd);
}

struct DecodeErrorCase {
  const char* what;
  std::string wire;
  DecodeFailure failure;
};

std::string header(unsigned qd, unsigned an = 0) {
  std::string h = std::string("\x00\x01\x00\x00", 4);
  h += static_cast<char>(0);
  h += static_cast<char>(qd);
  h += static_cast<char>(0);
  h += static_cast<char>(an);
  h += std::string(4, '\0');
  return h;
}

TEST(Decode, RejectsMalformedMessages) {
  const std::string qtail("\x00\x01\x00\x01", 4);
  const DecodeErrorCase cases[] = {
      {"short header", std::string("\x00\x01\x00", 3), DecodeFailure::TRUNCATED},
      {"missing question", header(1), DecodeFailure::TRUNCATED},
      {"label past end", header(1) + "\x05nav", DecodeFailure::TRUNCATED},
      {"no type/class", header(1) + std::string("\x01x\x00", 3), DecodeFailure::TRUNCATED},
      {"pointer past end", header(1) + std::string("\xc0\x40", 2) + qtail,
       DecodeFailure::BAD_POINTER},
      {"pointer to itself", header(1) + std::string("\xc0\x0c", 2) + qtail,
       DecodeFailure::POINTER_LOOP},
      {"two-pointer loop",
       header(1) + std::string("\xc0\x0e\xc0\x0c", 4) + qtail,  // 12 -> 14 -> 12
       DecodeFailure::POINTER_LOOP},
      {"label of 64", header(1) + std::string("\x40", 1) + std::string(64, 'a') + '\0' + qtail,
       DecodeFailure::LABEL_TOO_LONG},
      {"label type 10", header(1) + std::string("\x80\x00", 2) + qtail,
       DecodeFailure::LABEL_TOO_LONG},
      {"trailing bytes", header(1) + std::string("\x00", 1) + qtail + "xx",
       DecodeFailure::TRAILING_DATA},
      {"A with 3 octets",
       header(0, 1) + std::string("\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x03\x01\x02\x03", 14),
       DecodeFailure::BAD_RDATA},
      {"rdlength past end",
       header(0, 1) + std::string("\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x09\x01", 12),
       DecodeFailure::TRUNCATED},
  };
  for (const auto& c : cases) {
    try {
      decode(c.wire);
      ADD_FAILURE() << c.what << ": no exception";
    } catch (const DecodeError& e) {
      EXPECT_EQ(e.failure(), c.failure) << c.what << ": " << e.what();
    }
  }
}

TEST(Decode, RejectsNameOver255) {
  // 4 labels of 63 plus one of 2: 4*64 + 3 + 1 = 260 octets.
  std::string name;
  for (int i = 0; i < 4; ++i) name += static_cast<char>(63) + std::string(63, 'a');
  name += std::string(
              "\x02"
              "bb",
              3) +
          '\0';
  try {
    decode(header(1) + name + std::string("\x00\x01\x00\x01", 4));
    ADD_FAILURE() << "no exception";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.failure(), DecodeFailure::NAME_TOO_LONG);
  }
}

TEST(Decode, EveryTruncationOfRealResponseThrows) {
  std::string wire = from_hex(kMxResponseHex);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_THROW(decode(wire.substr(0, n)), DecodeError) << n;
  }
}

TEST(Names, CompareCaseInsensitively) {
  EXPECT_TRUE(names_equal("Mail.Naver.COM", "mail.naver.com."));
  EXPECT_FALSE(names_equal("mail.naver.com", "naver.com"));
  EXPECT_TRUE(is_subdomain("mail.NAVER.com.", "naver.com"));
  EXPECT_TRUE(is_subdomain("naver.com.", "naver.com."));
  EXPECT_FALSE(is_subdomain("mailnaver.com.", "naver.com."));
  EXPECT_TRUE(is_subdomain("anything.", "."));
  EXPECT_EQ(canonical_name("Naver.Com"), "naver.com.");
}

TEST(Names, EscapesRoundTrip) {
  std::vector<std::string> labels = name_labels("a\\.b.c\\\\d.\\065x");
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[0], "a.b");
  EXPECT_EQ(labels[1], "c\\d");
  EXPECT_EQ(labels[2], "Ax");
  EXPECT_EQ(labels_to_name({"a.b", std::string("sp ace", 6)}), "a\\.b.sp\\032ace.");
  EXPECT_EQ(absolute_name("a\\."), "a\\..");
  EXPECT_THROW(name_labels("a\\25"), std::invalid_argument);
  EXPECT_THROW(name_labels("a\\256"), std::invalid_argument);
}

}  // namespace
}  // namespace mailsim::dns
