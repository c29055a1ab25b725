// Connections and datagrams between simulated hosts, over S4U mailboxes.
//
// TCP is modelled at the level an application sees it: connect() to
// ip:port costs one round trip (SYN, SYN-ACK) and fails the two ways TCP
// fails: "connection refused" when nothing listens on that address and port
// (the RST costs a round trip too), and "timed out" when the host is switched
// off or the address belongs to no host. Each write is one transfer whose
// simulated size is the exact byte count (no IP/TCP header overhead, no
// slow start, no segmentation); writes in one direction arrive in order.
// A daemon bound to 127.0.0.1 accepts only connections from its own host.
//
// UDP datagrams (DNS) cost one one-way transfer; one sent to a port where
// nothing listens, or to a switched-off host, is lost, so the sender only
// notices by its own timeout.
//
// A write may carry message text by reference (a WirePayload) after its plain bytes. The peer
// gets the same shared text, and the transfer costs the size of the text's encoding on the wire.
// That size is found by scanning the text, so a large message is neither encoded nor copied.
//
// Every segment may carry a tag: a simulation-only annotation that does not
// travel in the bytes nor count in the size (as ns-3's packet tags), used to
// follow one message across hops for the report.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/message/shared_message.hpp"

namespace simgrid::s4u {
class Host;
class Mailbox;
}  // namespace simgrid::s4u

namespace mailsim::sim {

class Trace;

/// ECONNREFUSED: the host replied with a reset.
class ConnectionRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// ETIMEDOUT: no reply at all (host down, no such address, or an idle peer).
class ConnectionTimedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Message text sent by reference, and the encoding that gives its bytes on the wire.
struct WirePayload {
  enum class Encoding {
    RAW,          ///< the text as it is (an HTTP body)
    DOT_STUFFED,  ///< smtp::encode_data(): CRLF line ends, dot-stuffing and ".\r\n" (RFC 5321
                  ///< section 4.5.2, and RFC 1939 section 3 for a POP3 multi-line response)
  };
  message::SharedMessage text;
  Encoding encoding = Encoding::RAW;

  /// Returns the number of bytes the encoding takes on the wire.
  std::uint64_t wire_size() const;
  /// Returns the first `limit` bytes of the encoding (all of it by default): a copy.
  std::string render(std::size_t limit = std::string::npos) const;
};

/// One direction of one write, as handed to the mailbox: `bytes`, then the payload's encoding.
struct Segment {
  std::string bytes;
  std::shared_ptr<const WirePayload> payload;  ///< null for a write of plain bytes
  std::string tag;
  bool fin = false;
  /// The connection it belongs to. A reused mailbox may still hold a write
  /// of an earlier connection, which the reader drops.
  int connection = 0;
};

/// The state both ends of a connection share: writes still travelling each way.
struct ConnectionState {
  int in_flight_to_client = 0;
  int in_flight_to_server = 0;
  /// Writes sent but not yet read, each way: on the wire or arrived and waiting in the mailbox.
  int unread_to_client = 0;
  int unread_to_server = 0;
  /// A FIN was sent each way. It is a flag, not a transfer: a transfer no one
  /// receives would stay in SimGrid's mailbox until the end of the run.
  bool fin_to_client = false;
  bool fin_to_server = false;
  /// When each FIN reaches the other end: one link latency after close().
  double fin_at_client = 0;
  double fin_at_server = 0;
  /// The end is blocked in recv(), so a FIN must wake it with a transfer.
  bool client_reading = false;
  bool server_reading = false;
  int slot = 0;                 ///< names the pair of mailboxes the two ends use
  bool server_exists = false;   ///< accept() has made the server end
  bool client_gone = false;     ///< the client end has been destroyed
  bool server_gone = false;     ///< the server end has been destroyed
  bool released = false;        ///< the pair of mailboxes went back to the network
};

/// The tag a message carries over SMTP: the traced message's id, then for
/// each recipient whose address differs from the one the trace follows
/// (after alias expansion) a TAB and `address=original`.
std::string make_message_tag(const std::string& trace_id,
                             const std::vector<std::pair<std::string, std::string>>& renamed);
/// Splits a message tag into the id and the address -> original map.
std::string parse_message_tag(const std::string& tag, std::map<std::string, std::string>& renamed);

/// An established TCP connection, seen from one end.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  /// Stops receiving on this end's mailbox, so that SimGrid can free the
  /// actor that read it.
  ~Connection();

  /// Writes bytes; returns when they have arrived at the peer's host.
  /// `wire_size`, when larger than the bytes, is what the transfer costs:
  /// the rest of a body that is generated from its size, never built.
  /// The bytes are taken by value, so that a caller can move a large write in without a copy.
  void send(std::string bytes, const std::string& tag = "", std::uint64_t wire_size = 0);
  /// Writes `bytes` followed by the encoding of `payload`, in one transfer of the encoded size.
  void send(std::string bytes, std::shared_ptr<const WirePayload> payload, const std::string& tag = "");
  /// Reads the next write of the peer into `out`. Returns false at end of
  /// stream. Throws ConnectionTimedOut after `timeout` seconds without data
  /// (< 0: never); a write still arriving counts as data, as TCP shows
  /// progress byte by byte while a simulated write arrives whole.
  /// A write that carried a payload arrives rendered in full, which copies its text.
  bool recv(std::string& out, double timeout = -1);
  /// Same, but a write's payload arrives by reference in `payload` (null when the write had
  /// none), after the write's plain bytes in `out`.
  bool recv(std::string& out, std::shared_ptr<const WirePayload>& payload, double timeout = -1);
  /// Sends FIN. Further sends are errors; pending reads still work.
  void close();
  /// Makes the calling actor the receiver of this end's incoming data.
  void attach();

  const std::string& last_tag() const { return last_tag_; }
  bool peer_closed() const { return peer_closed_; }
  int id() const { return id_; }
  const std::string& local_ip() const { return local_ip_; }
  const std::string& peer_ip() const { return peer_ip_; }
  int local_port() const { return local_port_; }
  int peer_port() const { return peer_port_; }
  const std::string& local_host() const { return local_host_; }
  const std::string& peer_host() const { return peer_host_; }
  void set_protocol(const std::string& protocol) { protocol_ = protocol; }
  const std::string& protocol() const { return protocol_; }
  bool is_client() const { return client_side_; }

 private:
  friend class Network;
  friend class Listener;
  void transmit(std::string bytes, std::shared_ptr<const WirePayload> payload, const std::string& tag,
                std::uint64_t wire_size);
  int id_ = 0;
  bool client_side_ = false;
  std::string protocol_;
  std::string local_ip_, peer_ip_, local_host_, peer_host_;
  int local_port_ = 0, peer_port_ = 0;
  simgrid::s4u::Mailbox* in_ = nullptr;
  simgrid::s4u::Mailbox* out_ = nullptr;
  std::string last_tag_;
  std::shared_ptr<ConnectionState> state_;
  bool peer_closed_ = false;
  bool closed_ = false;
  Trace* trace_ = nullptr;
  class Network* net_ = nullptr;
  bool peer_gone() const { return client_side_ ? state_->server_gone : state_->client_gone; }
  void send_syn_ack();
};

/// A listening TCP socket.
class Listener {
 public:
  ~Listener();
  /// Waits for the next connection. The new connection's incoming data goes
  /// to the caller until another actor calls Connection::attach().
  std::unique_ptr<Connection> accept();
  /// Same, but gives up after `timeout` seconds and returns nullptr.
  std::unique_ptr<Connection> accept(double timeout);

 private:
  friend class Network;
  class Network* net_ = nullptr;
  std::string host_, bind_ip_, protocol_;
  int port_ = 0;
  simgrid::s4u::Mailbox* mailbox_ = nullptr;
  bool attached_ = false;  // the accepting actor receives the SYNs eagerly
  std::string key_;        // this socket's entry in Network::listeners_
  std::unique_ptr<Connection> server_end(int id, const std::string& client_host, const std::string& client_ip,
                                         int client_port, std::shared_ptr<ConnectionState> state) const;
};

/// A received datagram.
struct Datagram {
  std::string src_ip;
  int src_port = 0;
  std::string bytes;
};

/// A bound UDP socket.
class UdpSocket {
 public:
  ~UdpSocket();
  /// Sends a datagram. Returns false when the destination host is up but
  /// nothing listens on the port: the sender's kernel then gets an ICMP port
  /// unreachable one round trip later, which this call waits for.
  bool send_to(const std::string& ip, int port, const std::string& bytes);
  /// Throws ConnectionTimedOut after `timeout` seconds (< 0: never).
  Datagram recv(double timeout = -1);
  int port() const { return port_; }
  const std::string& ip() const { return ip_; }

 private:
  friend class Network;
  class Network* net_ = nullptr;
  std::string host_, ip_;
  int port_ = 0;
  simgrid::s4u::Mailbox* mailbox_ = nullptr;
  bool attached_ = false;  // the receiving actor gets datagrams eagerly
  std::string key_;        // this socket's entry in Network::udp_
};

/// The address book and socket tables of every simulated host.
class Network {
 public:
  explicit Network(Trace* trace) : trace_(trace) {}

  void add_host(const std::string& name, const std::string& ip, simgrid::s4u::Host* host);
  /// Switches a host on or off. Nothing on a switched-off host replies, so
  /// connections to it time out and datagrams to it are lost.
  void set_up(const std::string& name, bool up);
  const std::string& ip_of(const std::string& host_name) const;
  /// The host name owning `ip`, or "" when no host has it.
  std::string host_of_ip(const std::string& ip) const;

  /// `bind_ip` is an address of the host, "127.0.0.1" or "0.0.0.0" (any).
  /// May be called before the simulation starts, so that daemons listen
  /// from time 0 whatever order the actors run in.
  std::unique_ptr<Listener> listen(const std::string& host, const std::string& bind_ip, int port,
                                   const std::string& protocol);
  /// Connects from `host` (the calling actor's host). `timeout` bounds the
  /// wait for an unreachable host (the kernel's SYN retries).
  std::unique_ptr<Connection> connect(const std::string& host, const std::string& ip, int port,
                                      double timeout, const std::string& source_ip = "");

  std::unique_ptr<UdpSocket> udp_bind(const std::string& host, const std::string& ip, int port);

 private:
  friend class Connection;
  friend class Listener;
  friend class UdpSocket;
  struct HostEntry {
    std::string ip;
    simgrid::s4u::Host* host = nullptr;
    int next_port = 32768;
    bool up = true;
  };
  std::string key(const std::string& ip, int port) const;
  const Listener* find_listener(const std::string& from_host, const std::string& ip, int port) const;
  std::string resolve_loopback(const std::string& host, const std::string& ip) const;

  int take_slot();
  /// One-way latency of the route between two hosts, by name.
  double latency(const std::string& from, const std::string& to) const;
  /// Gives a connection's pair of mailboxes back once both ends are gone and nothing is left in them.
  /// The caller passes the two mailboxes (`client`, `server`), because looking them up again is a
  /// simcall, which an actor being killed at the end of the run may not make.
  void release_slot(ConnectionState& state, simgrid::s4u::Mailbox* client,
                    simgrid::s4u::Mailbox* server);
  static int next_ephemeral_port(HostEntry& entry);

  Trace* trace_;
  std::map<std::string, HostEntry> hosts_;     // by name
  std::map<std::string, std::string> by_ip_;   // ip -> host name
  std::map<std::string, Listener*> listeners_;  // "ip:port" -> listener
  std::map<std::string, UdpSocket*> udp_;       // "ip:port" -> socket
  int next_connection_ = 1;
  /// The pair of mailboxes of each connection slot, by slot number.
  struct Slot {
    simgrid::s4u::Mailbox* client = nullptr;
    simgrid::s4u::Mailbox* server = nullptr;
  };
  std::vector<Slot> slots_;
  std::vector<int> free_slots_;
};

}  // namespace mailsim::sim
