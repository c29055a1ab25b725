#include "sim/net.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include "models/smtp/data_codec.hpp"
#include "sim/trace.hpp"

namespace sg4 = simgrid::s4u;

XBT_LOG_NEW_DEFAULT_SUBCATEGORY(net, mailsim, "connections and datagrams");

namespace mailsim::sim {
namespace {

// The SYN a client puts in a listener's mailbox.
struct ConnectRequest {
  int id;
  std::string client_host, client_ip;
  int client_port;
  std::shared_ptr<ConnectionState> state;
};

// The SYN-ACK that completes connect().
struct Accepted {
  std::string server_host;
};

Segment* take_segment(sg4::Mailbox* mailbox, double timeout) {
  Segment* segment = nullptr;
  auto comm = mailbox->get_async<Segment>(&segment);
  if (timeout < 0) {
    comm->wait();
    return segment;
  }
  try {
    comm->wait_for(timeout);
  } catch (const simgrid::TimeoutException&) {
    comm->cancel();
    throw ConnectionTimedOut("timed out");
  }
  return segment;
}

// Takes the next item from a socket's mailbox, making the caller its eager
// receiver on first use. Returns nullptr after `timeout` seconds (< 0: never).
// Only for detached senders (SYNs, datagrams): a timeout fails a transfer
// still on its way, which such a sender never notices.
template <typename T>
T* receive(sg4::Mailbox* mailbox, bool& attached, double timeout) {
  if (!attached) {
    mailbox->set_receiver(sg4::Actor::self());
    attached = true;
  }
  T* item = nullptr;
  auto comm = mailbox->get_async<T>(&item);
  if (timeout < 0) {
    comm->wait();
    return item;
  }
  try {
    comm->wait_for(timeout);
  } catch (const simgrid::TimeoutException&) {
    comm->cancel();
    return nullptr;
  }
  return item;
}

}  // namespace

std::string make_message_tag(const std::string& trace_id,
                             const std::vector<std::pair<std::string, std::string>>& renamed) {
  std::string tag = trace_id;
  for (const auto& [address, original] : renamed) tag += "\t" + address + "=" + original;
  return tag;
}

std::string parse_message_tag(const std::string& tag, std::map<std::string, std::string>& renamed) {
  size_t tab = tag.find('\t');
  std::string id = tag.substr(0, tab);
  while (tab != std::string::npos) {
    size_t next = tag.find('\t', tab + 1);
    std::string pair = tag.substr(tab + 1, next == std::string::npos ? std::string::npos : next - tab - 1);
    size_t eq = pair.find('=');
    if (eq != std::string::npos) renamed[pair.substr(0, eq)] = pair.substr(eq + 1);
    tab = next;
  }
  return id;
}

// ---- WirePayload ----

std::uint64_t WirePayload::wire_size() const {
  if (encoding == Encoding::RAW) return text.size();
  // The head ends with LF, so its lines encode on their own and only the shared text carries
  // the terminating ".\r\n".
  std::uint64_t size = smtp::encoded_data_size(*text.shared);
  if (!text.head.empty()) size += smtp::encoded_data_size(text.head) - 3;
  return size;
}

std::string WirePayload::render(std::size_t limit) const {
  if (encoding == Encoding::RAW) return text.prefix(limit);
  // Each input byte encodes to at least one output byte, so the first `limit` bytes of the
  // encoding come from at most the first `limit` bytes of the text.
  if (limit != std::string::npos && text.size() > limit) {
    return smtp::encode_data(text.prefix(limit)).substr(0, limit);
  }
  std::string out = smtp::encode_data(text.flatten());
  if (limit != std::string::npos && out.size() > limit) out.resize(limit);
  return out;
}

// ---- Connection ----

namespace {

// Takes what has already arrived in a mailbox this end no longer reads.
void drain(sg4::Mailbox* mailbox) {
  while (mailbox->ready()) delete mailbox->get<Segment>();
}

}  // namespace

Connection::~Connection() {
  if (!state_ || !in_) return;
  (client_side_ ? state_->client_gone : state_->server_gone) = true;
  // At the end of the run the engine destroys what actors still hold, and
  // mailboxes can no longer be used then.
  if (sg4::this_actor::is_maestro()) return;
  drain(in_);
  (client_side_ ? state_->unread_to_client : state_->unread_to_server) = 0;
  in_->set_receiver(nullptr);
  if (client_side_) {
    net_->release_slot(*state_, in_, out_);
  } else {
    net_->release_slot(*state_, out_, in_);
  }
}

void Connection::send(std::string bytes, const std::string& tag, std::uint64_t wire_size) {
  transmit(std::move(bytes), nullptr, tag, wire_size);
}

void Connection::send(std::string bytes, std::shared_ptr<const WirePayload> payload, const std::string& tag) {
  transmit(std::move(bytes), std::move(payload), tag, 0);
}

void Connection::transmit(std::string bytes, std::shared_ptr<const WirePayload> payload, const std::string& tag,
                          std::uint64_t wire_size) {
  if (closed_) throw std::logic_error("send on a closed connection");
  // The peer's socket is gone: the bytes leave (a first write succeeds) and
  // only a reset comes back, which nothing here waits for.
  if (peer_gone()) return;
  double start = sg4::Engine::get_clock();
  std::uint64_t size = std::max<std::uint64_t>(bytes.size() + (payload ? payload->wire_size() : 0), wire_size);
  // The trace keeps the start of the write; the bytes themselves move into the segment.
  std::string transcript_bytes;
  if (trace_) {
    transcript_bytes = bytes.substr(0, kTranscriptKeep);
    if (payload && transcript_bytes.size() < kTranscriptKeep) {
      transcript_bytes += payload->render(kTranscriptKeep - transcript_bytes.size());
    };
  }
  int& in_flight = client_side_ ? state_->in_flight_to_server : state_->in_flight_to_client;
  int& unread = client_side_ ? state_->unread_to_server : state_->unread_to_client;
  ++in_flight;
  ++unread;
  try {
    out_->put(new Segment{std::move(bytes), payload, tag, false, id_}, size);
  } catch (const simgrid::Exception&) {
    // The peer gave up on the connection (its host failed or it closed).
    --in_flight;
    --unread;
    closed_ = true;
    throw ConnectionTimedOut("connection reset while sending");
  }
  --in_flight;
  if (trace_) {
    TranscriptEntry e;
    e.start = start;
    e.end = sg4::Engine::get_clock();
    e.connection = id_;
    e.protocol = protocol_;
    e.client_host = client_side_ ? local_host_ : peer_host_;
    e.server_host = client_side_ ? peer_host_ : local_host_;
    e.client_ip = client_side_ ? local_ip_ : peer_ip_;
    e.server_ip = client_side_ ? peer_ip_ : local_ip_;
    e.direction = client_side_ ? 'C' : 'S';
    e.bytes = std::move(transcript_bytes);
    e.size = size;
    trace_->transcript.push_back(std::move(e));
  }
}

bool Connection::recv(std::string& out, double timeout) {
  std::shared_ptr<const WirePayload> payload;
  if (!recv(out, payload, timeout)) return false;
  if (payload) out += payload->render();
  return true;
}

bool Connection::recv(std::string& out, std::shared_ptr<const WirePayload>& payload, double timeout) {
  payload.reset();
  if (peer_closed_) return false;
  int& unread = client_side_ ? state_->unread_to_client : state_->unread_to_server;
  // Everything the peer wrote before its FIN has been read: end of stream, once the FIN is here.
  if ((client_side_ ? state_->fin_to_client : state_->fin_to_server) && unread == 0) {
    double wait = (client_side_ ? state_->fin_at_client : state_->fin_at_server) - sg4::Engine::get_clock();
    if (wait > 0 && timeout >= 0 && timeout < wait) {
      sg4::this_actor::sleep_for(timeout);
      throw ConnectionTimedOut("timed out");
    }
    if (wait > 0) sg4::this_actor::sleep_for(wait);
    peer_closed_ = true;
    return false;
  }
  // Marked before get_async(), which is a simcall: other actors run meanwhile, and a peer that
  // closes then must send its FIN as a transfer.
  bool& reading = client_side_ ? state_->client_reading : state_->server_reading;
  reading = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{reading};
  Segment* segment = nullptr;
  auto comm = in_->get_async<Segment>(&segment);
  if (timeout < 0) {
    comm->wait();
  } else {
    const int& in_flight = client_side_ ? state_->in_flight_to_client : state_->in_flight_to_server;
    // wait_any_for leaves the transfer alone on timeout, unlike wait_for,
    // which would fail it for the sender too.
    while (simgrid::s4u::Comm::wait_any_for({comm}, timeout) != 0) {
      if (in_flight > 0) continue;  // data is arriving: not idle
      comm->cancel();
      throw ConnectionTimedOut("timed out");
    }
  }
  reading = false;
  std::unique_ptr<Segment> owned(segment);
  if (owned->connection != id_) return recv(out, payload, timeout);  // left from an earlier connection
  if (owned->fin) {
    peer_closed_ = true;
    return false;
  }
  --unread;
  if (!owned->tag.empty()) last_tag_ = owned->tag;
  out = std::move(owned->bytes);
  payload = std::move(owned->payload);
  return true;
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (peer_gone()) return;  // the peer's socket is closed, so no one reads the FIN
  (client_side_ ? state_->fin_to_server : state_->fin_to_client) = true;
  (client_side_ ? state_->fin_at_server : state_->fin_at_client) =
      sg4::Engine::get_clock() + net_->latency(local_host_, peer_host_);
  // A peer blocked in recv() with nothing left to read needs a transfer to wake it. Any other
  // peer finds the flag at its next recv().
  bool peer_reading = client_side_ ? state_->server_reading : state_->client_reading;
  int unread = client_side_ ? state_->unread_to_server : state_->unread_to_client;
  if (peer_reading && unread == 0) out_->put_init(new Segment{"", nullptr, "", true, id_}, 0)->detach();
}

void Connection::attach() { in_->set_receiver(sg4::Actor::self()); }

// ---- Listener ----

Listener::~Listener() {
  auto it = net_->listeners_.find(key_);
  if (it != net_->listeners_.end() && it->second == this) net_->listeners_.erase(it);
  mailbox_->set_receiver(nullptr);
}

std::unique_ptr<Connection> Listener::accept() { return accept(-1); }

std::unique_ptr<Connection> Listener::accept(double timeout) {
  std::unique_ptr<ConnectRequest> owned(receive<ConnectRequest>(mailbox_, attached_, timeout));
  if (!owned) return nullptr;
  // The client gave up before the SYN was taken. Its kernel replies to the
  // SYN-ACK with a reset, and the server never sees the connection.
  if (owned->state->client_gone) return accept(timeout);
  auto conn = server_end(owned->id, owned->client_host, owned->client_ip, owned->client_port, owned->state);
  conn->in_->set_receiver(sg4::Actor::self());
  conn->send_syn_ack();
  return conn;
}

std::unique_ptr<Connection> Listener::server_end(int id, const std::string& client_host, const std::string& client_ip,
                                                 int client_port, std::shared_ptr<ConnectionState> state) const {
  auto conn = std::make_unique<Connection>();
  conn->id_ = id;
  conn->client_side_ = false;
  conn->protocol_ = protocol_;
  conn->local_host_ = host_;
  conn->local_ip_ = bind_ip_ == "0.0.0.0" || bind_ip_ == "127.0.0.1"
                        ? (client_host == host_ && bind_ip_ == "127.0.0.1" ? "127.0.0.1" : net_->ip_of(host_))
                        : bind_ip_;
  if (client_ip.rfind("127.", 0) == 0) conn->local_ip_ = "127.0.0.1";
  conn->local_port_ = port_;
  conn->peer_host_ = client_host;
  conn->peer_ip_ = client_ip;
  conn->peer_port_ = client_port;
  const Network::Slot& slot = net_->slots_[state->slot];
  conn->in_ = slot.server;
  conn->out_ = slot.client;
  conn->state_ = std::move(state);
  conn->state_->server_exists = true;
  conn->net_ = net_;
  conn->trace_ = net_->trace_;
  return conn;
}

void Connection::send_syn_ack() {
  out_->put_init(new Segment{"", nullptr, "", false, id_}, 0)->detach();
}

// ---- UdpSocket ----

UdpSocket::~UdpSocket() {
  auto it = net_->udp_.find(key_);
  if (it != net_->udp_.end() && it->second == this) net_->udp_.erase(it);
  if (mailbox_) mailbox_->set_receiver(nullptr);
}

bool UdpSocket::send_to(const std::string& ip, int port, const std::string& bytes) {
  std::string dst_ip = net_->resolve_loopback(host_, ip);
  std::string dst_host = net_->host_of_ip(dst_ip);
  if (dst_host.empty()) return true;  // no such host: the datagram is lost
  auto& entry = net_->hosts_.at(dst_host);
  if (!entry.up) return true;  // lost as well, and no ICMP comes back
  auto it = net_->udp_.find(net_->key(dst_ip, port));
  if (it == net_->udp_.end()) it = net_->udp_.find(net_->key("0.0.0.0@" + dst_host, port));
  if (it == net_->udp_.end()) {
    sg4::Host* src = net_->hosts_.at(host_).host;
    sg4::Comm::sendto(src, entry.host, bytes.size());
    sg4::Comm::sendto(entry.host, src, 0);
    return false;
  }
  std::string src_ip = ip.rfind("127.", 0) == 0 ? "127.0.0.1" : ip_;
  it->second->mailbox_->put_init(new Datagram{src_ip, port_, bytes}, bytes.size())->detach();
  return true;
}

Datagram UdpSocket::recv(double timeout) {
  std::unique_ptr<Datagram> owned(receive<Datagram>(mailbox_, attached_, timeout));
  if (!owned) throw ConnectionTimedOut("timed out");
  return *owned;
}

// ---- Network ----

void Network::set_up(const std::string& name, bool up) { hosts_.at(name).up = up; }

void Network::add_host(const std::string& name, const std::string& ip, sg4::Host* host) {
  hosts_[name] = HostEntry{ip, host, 32768, true};
  by_ip_[ip] = name;
}

const std::string& Network::ip_of(const std::string& host_name) const { return hosts_.at(host_name).ip; }

std::string Network::host_of_ip(const std::string& ip) const {
  auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? std::string() : it->second;
}

std::string Network::key(const std::string& ip, int port) const { return fmt::format("{}:{}", ip, port); }

// 127.0.0.1 means "this host" wherever it is used.
std::string Network::resolve_loopback(const std::string& host, const std::string& ip) const {
  if (ip.rfind("127.", 0) == 0) return hosts_.at(host).ip;
  return ip;
}

std::unique_ptr<Listener> Network::listen(const std::string& host, const std::string& bind_ip, int port,
                                          const std::string& protocol) {
  auto l = std::make_unique<Listener>();
  l->net_ = this;
  l->host_ = host;
  l->bind_ip_ = bind_ip;
  l->port_ = port;
  l->protocol_ = protocol;
  l->mailbox_ = sg4::Mailbox::by_name(fmt::format("listen:{}:{}:{}", host, bind_ip, port));
  // The receiver is set by the first accept(), so a daemon's socket can be
  // opened before the simulation starts (see Network::listen).
  std::string where = bind_ip;
  if (bind_ip == "0.0.0.0") where = "any@" + host;
  if (bind_ip == "127.0.0.1") where = "lo@" + host;
  l->key_ = key(where, port);
  listeners_[l->key_] = l.get();
  return l;
}

const Listener* Network::find_listener(const std::string& from_host, const std::string& ip, int port) const {
  bool loopback = ip.rfind("127.", 0) == 0;
  std::string dst_host = loopback ? from_host : host_of_ip(ip);
  if (dst_host.empty()) return nullptr;
  auto it = listeners_.find(key("any@" + dst_host, port));
  if (it != listeners_.end()) return it->second;
  // A daemon bound to 127.0.0.1 is reachable only at that address, from its
  // own host: not at the host's other addresses, nor at 127.0.0.3.
  if (ip == "127.0.0.1") {
    it = listeners_.find(key("lo@" + dst_host, port));
    if (it != listeners_.end()) return it->second;
  }
  if (!loopback) {
    it = listeners_.find(key(ip, port));
    if (it != listeners_.end()) return it->second;
  }
  return nullptr;
}

std::unique_ptr<Connection> Network::connect(const std::string& host, const std::string& ip, int port,
                                             double timeout, const std::string& source_ip) {
  bool loopback = ip.rfind("127.", 0) == 0;
  std::string dst_host = loopback ? host : host_of_ip(ip);
  sg4::Host* src = hosts_.at(host).host;

  // No host owns the address, or it is switched off: the SYNs go unanswered
  // until the kernel gives up.
  if (dst_host.empty() || !hosts_.at(dst_host).up) {
    sg4::this_actor::sleep_for(timeout);
    throw ConnectionTimedOut(fmt::format("Connection timed out with {}", ip));
  }
  sg4::Host* dst = hosts_.at(dst_host).host;

  const Listener* listener = find_listener(host, ip, port);
  if (!listener) {
    // SYN out, RST back.
    sg4::Comm::sendto(src, dst, 0);
    sg4::Comm::sendto(dst, src, 0);
    throw ConnectionRefused(fmt::format("Connection refused by {}", ip));
  }

  auto conn = std::make_unique<Connection>();
  conn->id_ = next_connection_++;
  conn->client_side_ = true;
  conn->protocol_ = listener->protocol_;
  conn->local_host_ = host;
  conn->local_ip_ = loopback ? "127.0.0.1" : hosts_.at(host).ip;
  if (!source_ip.empty()) conn->local_ip_ = source_ip;
  conn->local_port_ = next_ephemeral_port(hosts_.at(host));
  conn->peer_host_ = dst_host;
  conn->peer_ip_ = ip;
  conn->peer_port_ = port;
  conn->state_ = std::make_shared<ConnectionState>();
  conn->state_->slot = take_slot();
  conn->net_ = this;
  const Slot& slot = slots_[conn->state_->slot];
  conn->in_ = slot.client;
  conn->in_->set_receiver(sg4::Actor::self());
  conn->out_ = slot.server;
  conn->trace_ = trace_;
  listener->mailbox_
      ->put_init(new ConnectRequest{conn->id_, host, conn->local_ip_, conn->local_port_, conn->state_}, 0)
      ->detach();
  std::unique_ptr<Segment> syn_ack(take_segment(conn->in_, timeout));
  while (syn_ack->connection != conn->id_) syn_ack.reset(take_segment(conn->in_, timeout));
  return conn;
}

// SimGrid never frees a mailbox, so a new connection reuses the pair that an
// ended connection left.
int Network::take_slot() {
  if (free_slots_.empty()) {
    int slot = static_cast<int>(slots_.size());
    slots_.push_back(Slot{sg4::Mailbox::by_name(fmt::format("tcp{}:client", slot)),
                          sg4::Mailbox::by_name(fmt::format("tcp{}:server", slot))});
    return slot;
  }
  int slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

void Network::release_slot(ConnectionState& state, sg4::Mailbox* client, sg4::Mailbox* server) {
  // Both ends must be gone: a SYN still waiting in a listener's queue names the pair too. And
  // both mailboxes must be empty: a write still arriving would reach the next connection.
  // Each end's destructor gets here, and draining a mailbox lets the other end run meanwhile.
  if (state.released || !state.client_gone || !state.server_gone) return;
  if (state.unread_to_client != 0 || state.unread_to_server != 0) return;
  if (state.in_flight_to_client != 0 || state.in_flight_to_server != 0) return;
  for (sg4::Mailbox* mailbox : {client, server}) {
    if (!mailbox->empty() || mailbox->ready()) return;
  }
  state.released = true;
  free_slots_.push_back(state.slot);
}

double Network::latency(const std::string& from, const std::string& to) const {
  std::vector<sg4::Link*> links;
  double latency = 0;
  hosts_.at(from).host->route_to(hosts_.at(to).host, links, &latency);
  return latency;
}

// Linux hands out local ports from net.ipv4.ip_local_port_range, 32768 to
// 60999 by default, and starts again at the bottom.
int Network::next_ephemeral_port(HostEntry& entry) {
  int port = entry.next_port++;
  if (entry.next_port > 60999) entry.next_port = 32768;
  return port;
}

std::unique_ptr<UdpSocket> Network::udp_bind(const std::string& host, const std::string& ip, int port) {
  auto s = std::make_unique<UdpSocket>();
  s->net_ = this;
  s->host_ = host;
  s->ip_ = ip == "0.0.0.0" ? hosts_.at(host).ip : ip;
  s->port_ = port == 0 ? next_ephemeral_port(hosts_.at(host)) : port;
  std::string where = ip == "0.0.0.0" ? "0.0.0.0@" + host : s->ip_;
  s->mailbox_ = sg4::Mailbox::by_name(fmt::format("udp:{}:{}:{}", host, where, s->port_));
  // A reply that came after an earlier socket on this port was closed.
  while (s->mailbox_->ready()) delete s->mailbox_->get<Datagram>();
  s->key_ = key(where, s->port_);
  udp_[s->key_] = s.get();
  return s;
}

}  // namespace mailsim::sim
