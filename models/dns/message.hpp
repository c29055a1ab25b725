// DNS messages in wire format: the header, question and resource-record sections, domain
// names with compression, and the record data of the types the lab's zones use.
// Follows RFC 1035 §3-§4 (format, compression in §4.1.4), RFC 3596 (AAAA), RFC 2181 §9
// (TC only for data that must be present) and RFC 3597 §4 (which types compress rdata names).
// Not modelled: DNSSEC record types, EDNS options beyond carrying the OPT record as raw bytes,
// TSIG, and extended RCODEs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mailsim::dns {

/// Resource record TYPE and QTYPE values (RFC 1035 §3.2.2-§3.2.3, RFC 3596, RFC 6891).
/// Values without a name here are still carried, as `static_cast<RecordType>(n)`.
enum class RecordType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  OPT = 41,
  IXFR = 251,
  AXFR = 252,
  ANY = 255,
};

/// CLASS and QCLASS values (RFC 1035 §3.2.4-§3.2.5). In an OPT record the field is the
/// requester's UDP payload size instead (RFC 6891 §6.1.2).
enum class RecordClass : std::uint16_t {
  IN = 1,
  CH = 3,
  HS = 4,
  NONE = 254,
  ANY = 255,
};

enum class Opcode : std::uint8_t { QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5 };

enum class Rcode : std::uint8_t {
  NOERROR = 0,
  FORMERR = 1,
  SERVFAIL = 2,
  NXDOMAIN = 3,
  NOTIMP = 4,
  REFUSED = 5,
};

/// Mnemonic of a type (`MX`), or RFC 3597's `TYPE99` for types without one.
std::string type_name(RecordType type);
/// Mnemonic of a class (`IN`), or `CLASS7`.
std::string class_name(RecordClass klass);
/// Mnemonic of an RCODE as dig prints it (`NXDOMAIN`), or `RCODE11`.
std::string rcode_name(Rcode rcode);

struct Question {
  std::string name;  // absolute, presentation form: "naver.com."
  RecordType type = RecordType::A;
  RecordClass klass = RecordClass::IN;
};

/// A record data: the address in dotted-quad form.
struct AData {
  std::string address;
};
/// AAAA record data: the address in RFC 5952 text form.
struct AaaaData {
  std::string address;
};
/// NS, CNAME or PTR record data: one domain name.
struct NameData {
  std::string name;
};
struct MxData {
  std::uint16_t preference = 0;
  std::string exchange;
};
struct SoaData {
  std::string mname;
  std::string rname;
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;
};
/// TXT record data: the <character-string>s, each at most 255 bytes.
struct TxtData {
  std::vector<std::string> strings;
};
/// Record data of any other type (OPT included), kept as the raw RDATA bytes.
struct RawData {
  std::string bytes;
};

using Rdata = std::variant<AData, AaaaData, NameData, MxData, SoaData, TxtData, RawData>;

struct ResourceRecord {
  std::string name;  // owner, absolute presentation form
  RecordType type = RecordType::A;
  RecordClass klass = RecordClass::IN;
  std::uint32_t ttl = 0;
  Rdata rdata;
};

struct Message {
  std::uint16_t id = 0;
  bool qr = false;
  Opcode opcode = Opcode::QUERY;
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  bool z = false;   // reserved bit, kept so that decode/encode round-trips
  bool ad = false;  // RFC 4035 §3.2.3; dig sets it in queries by default
  bool cd = false;  // RFC 4035 §3.2.2
  Rcode rcode = Rcode::NOERROR;
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
};

/// Reason for a DecodeError.
enum class DecodeFailure {
  TRUNCATED,       // a field runs past the end of the message
  BAD_POINTER,     // a compression pointer aims outside the message
  POINTER_LOOP,    // following pointers revisits an offset
  LABEL_TOO_LONG,  // length byte 64-191: label types 01 and 10 (RFC 1035 §4.1.4, RFC 6891)
  NAME_TOO_LONG,   // more than 255 octets in wire form (RFC 1035 §2.3.4)
  BAD_RDATA,       // RDLENGTH does not match the record data of a known type
  TRAILING_DATA,   // bytes after the last record counted in the header
};

/// A message that cannot be parsed. offset() is where the parser stopped.
class DecodeError : public std::runtime_error {
 public:
  DecodeError(DecodeFailure failure, std::size_t offset, const std::string& message);
  DecodeFailure failure() const { return failure_; }
  std::size_t offset() const { return offset_; }

 private:
  DecodeFailure failure_;
  std::size_t offset_;
};

/// Parses a wire-format message (UDP payload or TCP message without its length prefix).
/// Throws DecodeError.
Message decode(std::string_view wire);

struct EncodeOptions {
  /// Maximum message size in bytes, 0 for none. A UDP answer without EDNS is limited to 512
  /// bytes (RFC 1035 §4.2.1), and with EDNS to the requester's payload size (RFC 6891 §6.2.5).
  std::size_t max_size = 0;
};

/// Serialises a message with name compression (RFC 1035 §4.1.4). Names are compressed only
/// against an identical (case-sensitive) earlier suffix, so every name keeps its case on the
/// wire. When max_size is set and the message does not fit, whole RRsets are dropped the way
/// BIND 9.18 renders a UDP answer: an RRset that does not fit in the answer or authority
/// section sets TC and ends the message there, while one that does not fit in the additional
/// section ends that section without setting TC (RFC 2181 §9). The question section and an
/// OPT record are always kept.
/// Throws std::invalid_argument for a name or record that cannot be written (label over 63
/// octets, name over 255, rdata that does not match the type, TXT string over 255 octets).
std::string encode(const Message& message, const EncodeOptions& options = {});

/// Builds a standard query with one question, class IN, RD as given.
Message make_query(std::uint16_t id, const std::string& name, RecordType type, bool rd = true);

// Domain-name helpers. Names are in presentation form with `\.`, `\\` and `\DDD` escapes
// (RFC 1035 §5.1). A name without a trailing dot is taken as absolute.

/// Returns the name with a trailing dot added if missing ("naver.com" -> "naver.com.").
std::string absolute_name(std::string_view name);
/// Returns the name lower-cased (ASCII only, RFC 4343) and absolute, for comparisons.
std::string canonical_name(std::string_view name);
/// Compares two names case-insensitively (RFC 4343 §3).
bool names_equal(std::string_view a, std::string_view b);
/// Tells whether `name` equals `ancestor` or lies below it.
bool is_subdomain(std::string_view name, std::string_view ancestor);
/// Splits a presentation-form name into raw label bytes (escapes resolved, root omitted).
/// Throws std::invalid_argument for an empty label, a bad escape, a label over 63 octets or a
/// name over 255 octets.
std::vector<std::string> name_labels(std::string_view name);
/// Joins raw labels into an absolute presentation-form name, escaping as RFC 1035 §5.1 does.
std::string labels_to_name(const std::vector<std::string>& labels);

}  // namespace mailsim::dns
