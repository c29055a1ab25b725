// A finished run as the diagrams, plots, narration and HTML report read it: messages with
// their steps (1)-(9), every write on every connection, queue depths and the topology of the
// scenario (hosts, links, zones and MX records). It is built from the run's JSON, so that
// `mailsim run` and `mailsim render RUN.json` draw from the same data.
// Not modelled: the mailboxes' contents and the syslog lines; no picture needs them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario.hpp"
#include "sim/world.hpp"

namespace mailsim::viz {

/// One step (1)-(9) of one message; see sim::StepRecord.
struct Step {
  std::string message;  ///< id of the message it belongs to
  int step = 0;
  double start = 0, end = 0;
  std::string from, to;  ///< as the trace names them: `mail.daum.net mqueue`, `mail.naver.com (named)`
  std::string protocol;  ///< smtp, dns, local, pop3, queue
  std::string detail;
  std::string recipient;
  std::string outcome = "ok";  ///< ok, deferred, rejected, refused, timeout
};

/// One write on a connection, or one DNS datagram; see sim::TranscriptEntry.
struct Write {
  double start = 0, end = 0;
  int connection = 0;
  std::string protocol;  ///< smtp, pop3, dns
  std::string client_host, server_host, client_ip, server_ip;
  char direction = 'C';  ///< 'C' client to server, 'S' server to client
  std::string bytes;     ///< kept bytes (DNS: decoded summary lines)
  std::uint64_t size = 0;  ///< bytes on the wire

  const std::string& sender() const { return direction == 'C' ? client_host : server_host; }
  const std::string& receiver() const { return direction == 'C' ? server_host : client_host; }
};

struct Message {
  std::string id, from;
  std::vector<std::string> to;
  std::uint64_t size = 0;
  std::string status;
  double submitted = 0;
  std::optional<double> delivered, retrieved;
  std::vector<Step> steps;  ///< ordered by start time, then step number
};

struct TopologyHost {
  std::string name, address;
  std::vector<std::string> services;     ///< sendmail, dovecot, named
  std::vector<std::string> nameservers;  ///< from /etc/resolv.conf
  bool up = true;
  bool is_pc() const;
};

struct TopologyLink {
  std::string a, b;
  double latency = 0;    ///< seconds, one way
  double bandwidth = 0;  ///< bytes per second
};

struct MxRecord {
  int preference = 0;
  std::string exchange;  ///< absolute name, as the zone file makes it
};

/// A primary zone a name server loads, with the MX records of its apex.
struct TopologyZone {
  std::string server;  ///< host running named
  std::string domain;  ///< without the trailing dot
  std::vector<MxRecord> mx;
  std::string error;  ///< why the zone could not be read, empty if it could
};

struct Topology {
  std::vector<TopologyHost> hosts;
  std::vector<std::string> routers;
  std::vector<TopologyLink> links;
  std::vector<TopologyZone> zones;

  const TopologyHost* host(const std::string& name) const;
};

struct QueuePoint {
  double time = 0;
  int depth = 0;
};

struct RunData {
  std::string scenario;
  double end_time = 0;
  bool stopped_by_duration = false;
  std::vector<Message> messages;
  std::vector<Write> transcript;  ///< ordered by start time
  std::map<std::string, std::vector<QueuePoint>> queues;
  Topology topology;

  const Message* message(const std::string& id) const;
};

/// Builds the run's data from the JSON that `to_json` writes. Throws std::runtime_error naming
/// the first missing or mistyped key, e.g. for a JSON file written by an older mailsim.
RunData run_data_from_json(const nlohmann::json& run);

/// The `topology` object of the JSON: hosts, routers, links, and the zones each named loads
/// with their MX records. A zone file that cannot be parsed is listed with its error.
nlohmann::json topology_json(const sim::Scenario& scenario);

/// The `transcript` array of the JSON: one object per write, ordered by start time.
nlohmann::json transcript_json(const sim::Trace& trace);

/// Maps bytes to a JSON string losslessly: each byte becomes the code point of the same value
/// (ISO 8859-1), because JSON strings must be valid UTF-8 and mail may carry 8-bit bytes.
std::string bytes_to_json_string(const std::string& bytes);
/// The inverse of bytes_to_json_string. Throws std::runtime_error on a code point over U+00FF.
std::string bytes_from_json_string(const std::string& text);

/// The host part of a trace endpoint: `mail.naver.com (named)` -> `mail.naver.com`,
/// `mail.naver.com:/var/mail/lee` -> `mail.naver.com`.
std::string endpoint_host(const std::string& endpoint);

}  // namespace mailsim::viz
