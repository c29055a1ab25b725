#include "models/dns/message.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace mailsim::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxNameWire = 255;
constexpr std::size_t kMaxPointerOffset = 0x3fff;

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::size_t wire_length(const std::vector<std::string>& labels) {
  std::size_t length = 1;  // the root label
  for (const auto& label : labels) length += label.size() + 1;
  return length;
}

// ---------------------------------------------------------------------------------------------
// Writing

class Writer {
 public:
  std::string out;

  void u8(std::uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v & 0xff));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v & 0xffff));
  }
  void put_u16_at(std::size_t at, std::uint16_t v) {
    out[at] = static_cast<char>(v >> 8);
    out[at + 1] = static_cast<char>(v & 0xff);
  }

  // RFC 1035 §4.1.4: a name is a sequence of labels ending in a zero octet or a pointer to an
  // earlier occurrence of the same suffix. Suffixes are keyed by their exact wire bytes.
  // NOTE: BIND 9.18 was seen writing the SOA owner in full in NXDOMAIN answers for names three
  // or more labels below the zone (mail.naver.com.daum.net: 89 octets where this gives 81).
  // This encoder always uses the pointer.
  void name(std::string_view text, bool compress) {
    std::vector<std::string> labels;
    try {
      labels = name_labels(text);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("cannot encode name '{}': {}", text, e.what()));
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string key = suffix_key(labels, i);
      if (compress) {
        auto found = suffixes_.find(key);
        if (found != suffixes_.end()) {
          u16(static_cast<std::uint16_t>(0xc000 | found->second));
          return;
        }
      }
      if (out.size() <= kMaxPointerOffset) suffixes_.emplace(key, out.size());
      u8(static_cast<std::uint8_t>(labels[i].size()));
      out += labels[i];
    }
    u8(0);
  }

  struct Mark {
    std::size_t size;
    std::map<std::string, std::size_t> suffixes;
  };
  Mark mark() const { return {out.size(), suffixes_}; }
  void rewind(const Mark& m) {
    out.resize(m.size);
    suffixes_ = m.suffixes;
  }

 private:
  static std::string suffix_key(const std::vector<std::string>& labels, std::size_t from) {
    std::string key;
    for (std::size_t i = from; i < labels.size(); ++i) {
      key.push_back(static_cast<char>(labels[i].size()));
      key += labels[i];
    }
    return key;
  }

  std::map<std::string, std::size_t> suffixes_;
};

std::string ipv4_to_wire(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) {
    throw std::invalid_argument(fmt::format("invalid IPv4 address '{}'", text));
  }
  return std::string(reinterpret_cast<const char*>(&addr), 4);
}

std::string ipv6_to_wire(const std::string& text) {
  in6_addr addr{};
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) {
    throw std::invalid_argument(fmt::format("invalid IPv6 address '{}'", text));
  }
  return std::string(reinterpret_cast<const char*>(&addr), 16);
}

template <typename T>
const T& rdata_as(const ResourceRecord& rr) {
  const T* data = std::get_if<T>(&rr.rdata);
  if (data == nullptr) {
    throw std::invalid_argument(
        fmt::format("record {} {}: rdata does not match the type", rr.name, type_name(rr.type)));
  }
  return *data;
}

// RFC 3597 §4: only the RFC 1035 types may have names compressed inside their RDATA.
void write_rdata(Writer& w, const ResourceRecord& rr) {
  if (std::holds_alternative<RawData>(rr.rdata)) {
    w.out += std::get<RawData>(rr.rdata).bytes;
    return;
  }
  switch (rr.type) {
    case RecordType::A:
      w.out += ipv4_to_wire(rdata_as<AData>(rr).address);
      return;
    case RecordType::AAAA:
      w.out += ipv6_to_wire(rdata_as<AaaaData>(rr).address);
      return;
    case RecordType::NS:
    case RecordType::CNAME:
    case RecordType::PTR:
      w.name(rdata_as<NameData>(rr).name, true);
      return;
    case RecordType::MX: {
      const auto& mx = rdata_as<MxData>(rr);
      w.u16(mx.preference);
      w.name(mx.exchange, true);
      return;
    }
    case RecordType::SOA: {
      const auto& soa = rdata_as<SoaData>(rr);
      w.name(soa.mname, true);
      w.name(soa.rname, true);
      w.u32(soa.serial);
      w.u32(soa.refresh);
      w.u32(soa.retry);
      w.u32(soa.expire);
      w.u32(soa.minimum);
      return;
    }
    case RecordType::TXT:
      for (const auto& s : rdata_as<TxtData>(rr).strings) {
        if (s.size() > 255) {
          throw std::invalid_argument(
              fmt::format("record {} TXT: string of {} octets exceeds 255", rr.name, s.size()));
        }
        w.u8(static_cast<std::uint8_t>(s.size()));
        w.out += s;
      }
      return;
    default:
      throw std::invalid_argument(
          fmt::format("record {} {}: only raw rdata is supported", rr.name, type_name(rr.type)));
  }
}

void write_record(Writer& w, const ResourceRecord& rr) {
  w.name(rr.name, true);
  w.u16(static_cast<std::uint16_t>(rr.type));
  w.u16(static_cast<std::uint16_t>(rr.klass));
  w.u32(rr.ttl);
  std::size_t length_at = w.out.size();
  w.u16(0);
  write_rdata(w, rr);
  std::size_t length = w.out.size() - length_at - 2;
  if (length > 0xffff) {
    throw std::invalid_argument(fmt::format("record {}: rdata exceeds 65535 octets", rr.name));
  }
  w.put_u16_at(length_at, static_cast<std::uint16_t>(length));
}

bool same_rrset(const ResourceRecord& a, const ResourceRecord& b) {
  return a.type == b.type && a.klass == b.klass && names_equal(a.name, b.name);
}

enum class SectionResult { COMPLETE, STOPPED };

// Writes whole RRsets while they fit below `limit` (0 = no limit) and returns how many
// records were written.
std::size_t write_section(Writer& w, const std::vector<const ResourceRecord*>& records,
                          std::size_t limit, SectionResult& result) {
  result = SectionResult::COMPLETE;
  std::size_t written = 0;
  std::size_t i = 0;
  while (i < records.size()) {
    std::size_t end = i + 1;
    while (end < records.size() && same_rrset(*records[i], *records[end])) ++end;
    Writer::Mark before = w.mark();
    for (std::size_t k = i; k < end; ++k) write_record(w, *records[k]);
    if (limit != 0 && w.out.size() > limit) {
      w.rewind(before);
      result = SectionResult::STOPPED;
      return written;
    }
    written += end - i;
    i = end;
  }
  return written;
}

std::vector<const ResourceRecord*> pointers(const std::vector<ResourceRecord>& records) {
  std::vector<const ResourceRecord*> out;
  for (const auto& rr : records) out.push_back(&rr);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
 public:
  explicit Reader(std::string_view wire) : wire_(wire) {}

  std::size_t pos = 0;

  bool at_end() const { return pos == wire_.size(); }
  std::size_t size() const { return wire_.size(); }

  void need(std::size_t n, const char* what) const {
    if (wire_.size() - pos < n) {
      throw DecodeError(DecodeFailure::TRUNCATED, pos,
                        fmt::format("message truncated in {} at offset {}", what, pos));
    }
  }
  std::uint8_t u8(const char* what) {
    need(1, what);
    return static_cast<std::uint8_t>(wire_[pos++]);
  }
  std::uint16_t u16(const char* what) {
    need(2, what);
    auto v = static_cast<std::uint16_t>((static_cast<std::uint8_t>(wire_[pos]) << 8) |
                                        static_cast<std::uint8_t>(wire_[pos + 1]));
    pos += 2;
    return v;
  }
  std::uint32_t u32(const char* what) {
    std::uint32_t high = u16(what);
    return (high << 16) | u16(what);
  }
  std::string bytes(std::size_t n, const char* what) {
    need(n, what);
    std::string out(wire_.substr(pos, n));
    pos += n;
    return out;
  }

  // RFC 1035 §4.1.4. Reading continues after the first pointer; `pos` ends after it.
  std::string name() {
    std::vector<std::string> labels;
    std::set<std::size_t> visited;
    std::size_t cursor = pos;
    std::size_t resume = 0;
    bool jumped = false;
    std::size_t length = 1;
    for (;;) {
      if (cursor >= wire_.size()) {
        throw DecodeError(DecodeFailure::TRUNCATED, cursor,
                          fmt::format("message truncated in a name at offset {}", cursor));
      }
      auto octet = static_cast<std::uint8_t>(wire_[cursor]);
      if ((octet & 0xc0) == 0xc0) {
        if (cursor + 1 >= wire_.size()) {
          throw DecodeError(DecodeFailure::TRUNCATED, cursor,
                            fmt::format("message truncated in a pointer at offset {}", cursor));
        }
        std::size_t target = ((octet & 0x3fu) << 8) | static_cast<std::uint8_t>(wire_[cursor + 1]);
        if (!jumped) resume = cursor + 2;
        jumped = true;
        if (target >= wire_.size()) {
          throw DecodeError(DecodeFailure::BAD_POINTER, cursor,
                            fmt::format("compression pointer at offset {} aims at offset {}, "
                                        "past the end of the {}-octet message",
                                        cursor, target, wire_.size()));
        }
        if (!visited.insert(target).second) {
          throw DecodeError(DecodeFailure::POINTER_LOOP, cursor,
                            fmt::format("compression pointer at offset {} loops back to "
                                        "offset {}",
                                        cursor, target));
        }
        cursor = target;
        continue;
      }
      if (octet > kMaxLabel) {
        throw DecodeError(DecodeFailure::LABEL_TOO_LONG, cursor,
                          fmt::format("label length {} at offset {} exceeds 63", octet, cursor));
      }
      if (octet == 0) {
        pos = jumped ? resume : cursor + 1;
        return labels_to_name(labels);
      }
      length += octet + 1u;
      if (length > kMaxNameWire) {
        throw DecodeError(DecodeFailure::NAME_TOO_LONG, cursor,
                          fmt::format("name at offset {} exceeds 255 octets", pos));
      }
      if (cursor + 1 + octet > wire_.size()) {
        throw DecodeError(DecodeFailure::TRUNCATED, cursor,
                          fmt::format("message truncated in a label at offset {}", cursor));
      }
      labels.emplace_back(wire_.substr(cursor + 1, octet));
      cursor += 1 + octet;
    }
  }

 private:
  std::string_view wire_;
};

DecodeError bad_rdata(std::size_t offset, const std::string& owner, RecordType type,
                      const std::string& detail) {
  return DecodeError(DecodeFailure::BAD_RDATA, offset,
                     fmt::format("invalid {} rdata for {} at offset {}: {}", type_name(type), owner,
                                 offset, detail));
}

Rdata read_rdata(Reader& r, const std::string& owner, RecordType type, std::size_t length) {
  std::size_t start = r.pos;
  r.need(length, "rdata");
  std::size_t end = start + length;
  auto check_end = [&] {
    if (r.pos != end) {
      throw bad_rdata(start, owner, type,
                      fmt::format("RDLENGTH is {} but the data uses {}", length, r.pos - start));
    }
  };
  switch (type) {
    case RecordType::A: {
      if (length != 4) throw bad_rdata(start, owner, type, fmt::format("length {} != 4", length));
      std::string raw = r.bytes(4, "rdata");
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, raw.data(), text, sizeof text);
      return AData{text};
    }
    case RecordType::AAAA: {
      if (length != 16) {
        throw bad_rdata(start, owner, type, fmt::format("length {} != 16", length));
      }
      std::string raw = r.bytes(16, "rdata");
      char text[INET6_ADDRSTRLEN];
      inet_ntop(AF_INET6, raw.data(), text, sizeof text);
      return AaaaData{text};
    }
    case RecordType::NS:
    case RecordType::CNAME:
    case RecordType::PTR: {
      NameData data{r.name()};
      check_end();
      return data;
    }
    case RecordType::MX: {
      MxData mx;
      mx.preference = r.u16("MX preference");
      mx.exchange = r.name();
      check_end();
      return mx;
    }
    case RecordType::SOA: {
      SoaData soa;
      soa.mname = r.name();
      soa.rname = r.name();
      soa.serial = r.u32("SOA");
      soa.refresh = r.u32("SOA");
      soa.retry = r.u32("SOA");
      soa.expire = r.u32("SOA");
      soa.minimum = r.u32("SOA");
      check_end();
      return soa;
    }
    case RecordType::TXT: {
      TxtData txt;
      while (r.pos < end) {
        std::size_t n = r.u8("TXT");
        if (r.pos + n > end) {
          throw bad_rdata(start, owner, type, "character-string runs past RDLENGTH");
        }
        txt.strings.push_back(r.bytes(n, "TXT"));
      }
      return txt;
    }
    default:
      return RawData{r.bytes(length, "rdata")};
  }
}

ResourceRecord read_record(Reader& r) {
  ResourceRecord rr;
  rr.name = r.name();
  rr.type = static_cast<RecordType>(r.u16("record type"));
  rr.klass = static_cast<RecordClass>(r.u16("record class"));
  rr.ttl = r.u32("record TTL");
  std::size_t length = r.u16("RDLENGTH");
  rr.rdata = read_rdata(r, rr.name, rr.type, length);
  return rr;
}

}  // namespace

DecodeError::DecodeError(DecodeFailure failure, std::size_t offset, const std::string& message)
    : std::runtime_error(message), failure_(failure), offset_(offset) {}

std::string type_name(RecordType type) {
  switch (type) {
    case RecordType::A:
      return "A";
    case RecordType::NS:
      return "NS";
    case RecordType::CNAME:
      return "CNAME";
    case RecordType::SOA:
      return "SOA";
    case RecordType::PTR:
      return "PTR";
    case RecordType::MX:
      return "MX";
    case RecordType::TXT:
      return "TXT";
    case RecordType::AAAA:
      return "AAAA";
    case RecordType::OPT:
      return "OPT";
    case RecordType::IXFR:
      return "IXFR";
    case RecordType::AXFR:
      return "AXFR";
    case RecordType::ANY:
      return "ANY";
  }
  return fmt::format("TYPE{}", static_cast<unsigned>(type));
}

std::string class_name(RecordClass klass) {
  switch (klass) {
    case RecordClass::IN:
      return "IN";
    case RecordClass::CH:
      return "CH";
    case RecordClass::HS:
      return "HS";
    case RecordClass::NONE:
      return "NONE";
    case RecordClass::ANY:
      return "ANY";
  }
  return fmt::format("CLASS{}", static_cast<unsigned>(klass));
}

std::string rcode_name(Rcode rcode) {
  switch (rcode) {
    case Rcode::NOERROR:
      return "NOERROR";
    case Rcode::FORMERR:
      return "FORMERR";
    case Rcode::SERVFAIL:
      return "SERVFAIL";
    case Rcode::NXDOMAIN:
      return "NXDOMAIN";
    case Rcode::NOTIMP:
      return "NOTIMP";
    case Rcode::REFUSED:
      return "REFUSED";
  }
  return fmt::format("RCODE{}", static_cast<unsigned>(rcode));
}

std::vector<std::string> name_labels(std::string_view name) {
  std::vector<std::string> labels;
  if (name == "." || name.empty()) return labels;
  std::string label;
  bool label_started = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      if (!label_started) throw std::invalid_argument("empty label");
      labels.push_back(label);
      label.clear();
      label_started = false;
      continue;
    }
    label_started = true;
    if (c != '\\') {
      label.push_back(c);
    } else if (i + 1 >= name.size()) {
      throw std::invalid_argument("backslash at the end of the name");
    } else if (std::isdigit(static_cast<unsigned char>(name[i + 1]))) {
      // RFC 1035 §5.1: \DDD is exactly three decimal digits.
      int value = 0;
      for (std::size_t k = 1; k <= 3; ++k) {
        if (i + k >= name.size() || !std::isdigit(static_cast<unsigned char>(name[i + k]))) {
          throw std::invalid_argument("\\DDD escape needs three digits");
        }
        value = value * 10 + (name[i + k] - '0');
      }
      if (value > 255) throw std::invalid_argument("\\DDD escape exceeds 255");
      label.push_back(static_cast<char>(value));
      i += 3;
    } else {
      label.push_back(name[++i]);
    }
    if (label.size() > kMaxLabel) {
      throw std::invalid_argument("label exceeds 63 octets");
    }
  }
  if (label_started) labels.push_back(label);
  if (wire_length(labels) > kMaxNameWire) throw std::invalid_argument("name exceeds 255 octets");
  return labels;
}

std::string labels_to_name(const std::vector<std::string>& labels) {
  if (labels.empty()) return ".";
  std::string out;
  for (const auto& label : labels) {
    for (char c : label) {
      auto octet = static_cast<unsigned char>(c);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
          c == '$') {
        out.push_back('\\');
        out.push_back(c);
      } else if (octet <= 0x20 || octet >= 0x7f) {
        out += fmt::format("\\{:03}", octet);
      } else {
        out.push_back(c);
      }
    }
    out.push_back('.');
  }
  return out;
}

std::string absolute_name(std::string_view name) {
  if (name.empty()) return ".";
  std::string out(name);
  // A trailing "\." is an escaped dot inside the last label, not the root.
  std::size_t backslashes = 0;
  for (std::size_t i = out.size() - 1; i > 0 && out[i - 1] == '\\'; --i) ++backslashes;
  if (out.back() != '.' || backslashes % 2 == 1) out.push_back('.');
  return out;
}

std::string canonical_name(std::string_view name) {
  std::string out = absolute_name(name);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool names_equal(std::string_view a, std::string_view b) {
  return canonical_name(a) == canonical_name(b);
}

bool is_subdomain(std::string_view name, std::string_view ancestor) {
  std::vector<std::string> n = name_labels(canonical_name(name));
  std::vector<std::string> a = name_labels(canonical_name(ancestor));
  if (a.size() > n.size()) return false;
  return std::equal(a.rbegin(), a.rend(), n.rbegin());
}

Message decode(std::string_view wire) {
  Reader r(wire);
  Message m;
  m.id = r.u16("header");
  std::uint16_t flags = r.u16("header");
  m.qr = (flags & 0x8000) != 0;
  m.opcode = static_cast<Opcode>((flags >> 11) & 0x0f);
  m.aa = (flags & 0x0400) != 0;
  m.tc = (flags & 0x0200) != 0;
  m.rd = (flags & 0x0100) != 0;
  m.ra = (flags & 0x0080) != 0;
  m.z = (flags & 0x0040) != 0;
  m.ad = (flags & 0x0020) != 0;
  m.cd = (flags & 0x0010) != 0;
  m.rcode = static_cast<Rcode>(flags & 0x000f);
  std::uint16_t qdcount = r.u16("header");
  std::uint16_t ancount = r.u16("header");
  std::uint16_t nscount = r.u16("header");
  std::uint16_t arcount = r.u16("header");
  for (unsigned i = 0; i < qdcount; ++i) {
    Question q;
    q.name = r.name();
    q.type = static_cast<RecordType>(r.u16("question"));
    q.klass = static_cast<RecordClass>(r.u16("question"));
    m.questions.push_back(q);
  }
  for (unsigned i = 0; i < ancount; ++i) m.answers.push_back(read_record(r));
  for (unsigned i = 0; i < nscount; ++i) m.authority.push_back(read_record(r));
  for (unsigned i = 0; i < arcount; ++i) m.additional.push_back(read_record(r));
  if (!r.at_end()) {
    throw DecodeError(DecodeFailure::TRAILING_DATA, r.pos,
                      fmt::format("{} octets after the last record", r.size() - r.pos));
  }
  return m;
}

std::string encode(const Message& m, const EncodeOptions& options) {
  Writer w;
  w.u16(m.id);
  w.u16(0);  // flags, written once TC is known
  for (int i = 0; i < 4; ++i) w.u16(0);

  for (const auto& q : m.questions) {
    w.name(q.name, true);
    w.u16(static_cast<std::uint16_t>(q.type));
    w.u16(static_cast<std::uint16_t>(q.klass));
  }

  // RFC 6891 §6.1.1: the OPT record is written last, and space for it is reserved up front
  // so that truncation never removes it.
  std::vector<const ResourceRecord*> additional;
  std::vector<const ResourceRecord*> opt;
  for (const auto& rr : m.additional) {
    (rr.type == RecordType::OPT ? opt : additional).push_back(&rr);
  }
  std::size_t limit = options.max_size;
  if (limit != 0) {
    Writer probe;
    for (const auto* rr : opt) write_record(probe, *rr);
    if (w.out.size() + probe.out.size() > limit) {
      throw std::invalid_argument(
          fmt::format("question and OPT record need {} octets, more than the limit of {}",
                      w.out.size() + probe.out.size(), limit));
    }
    limit -= probe.out.size();
  }

  bool tc = m.tc;
  SectionResult result = SectionResult::COMPLETE;
  std::size_t ancount = write_section(w, pointers(m.answers), limit, result);
  std::size_t nscount = 0;
  std::size_t arcount = 0;
  if (result == SectionResult::STOPPED) {
    tc = true;
  } else {
    nscount = write_section(w, pointers(m.authority), limit, result);
    if (result == SectionResult::STOPPED) {
      tc = true;
    } else {
      // RFC 2181 §9: records missing from the additional section do not set TC.
      arcount = write_section(w, additional, limit, result);
    }
  }
  for (const auto* rr : opt) write_record(w, *rr);
  arcount += opt.size();

  std::uint16_t flags = 0;
  if (m.qr) flags |= 0x8000;
  flags |= static_cast<std::uint16_t>((static_cast<unsigned>(m.opcode) & 0x0f) << 11);
  if (m.aa) flags |= 0x0400;
  if (tc) flags |= 0x0200;
  if (m.rd) flags |= 0x0100;
  if (m.ra) flags |= 0x0080;
  if (m.z) flags |= 0x0040;
  if (m.ad) flags |= 0x0020;
  if (m.cd) flags |= 0x0010;
  flags |= static_cast<std::uint16_t>(static_cast<unsigned>(m.rcode) & 0x0f);
  w.put_u16_at(2, flags);
  auto count = [](std::size_t n, const char* section) {
    if (n > 0xffff) {
      throw std::invalid_argument(fmt::format("{} section has more than 65535 entries", section));
    }
    return static_cast<std::uint16_t>(n);
  };
  w.put_u16_at(4, count(m.questions.size(), "question"));
  w.put_u16_at(6, count(ancount, "answer"));
  w.put_u16_at(8, count(nscount, "authority"));
  w.put_u16_at(10, count(arcount, "additional"));
  static_assert(kHeaderSize == 12);
  return std::move(w.out);
}

Message make_query(std::uint16_t id, const std::string& name, RecordType type, bool rd) {
  Message m;
  m.id = id;
  m.rd = rd;
  m.questions.push_back(Question{absolute_name(name), type, RecordClass::IN});
  return m;
}

}  // namespace mailsim::dns
