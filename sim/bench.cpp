// The bench world: one relay MTA, a name server, and an MX host per
// destination domain, each behind its own link to one switch (a star zone,
// which keeps no route table per pair of hosts). The live actors are the
// arrival stream, the relay's scheduler, and reused workers for delivery
// attempts: one actor per delivery in progress, not per message or host.
//
// A delivery attempt takes the relay's service time, then an MX lookup
// (cached for the TTL, one query round trip to the name server on a miss).
// Then a Sendmail-style SMTP client session talks to the MX's SMTP server
// session (both models/smtp engines, exchanging their real bytes) in the
// delivery's own actor. The connection's SYN and SYN-ACK and every write are
// transfers on the platform from the sending host to the receiving one. So
// they cost the route's latency and share its bandwidth. A slow MX waits
// before each reply. Message bodies are generated from size and seed.
// The headers and the first kilobytes are real bytes, and the transfer is
// charged the full size.
//
// Sendmail's queue runner reuses its cached connections (ConnectionCacheSize)
// for the next message to the same host; deliveries started at arrival open
// their own. NOTE: an MX lookup is a query and an answer of fixed sizes, not DNS
// messages.
#include "sim/bench.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include "models/common/timefmt.hpp"
#include "models/config/text.hpp"
#include "models/queue/policy.hpp"
#include "models/queue/sendmail_policy.hpp"
#include "models/smtp/client_session.hpp"
#include "models/smtp/server_session.hpp"
#include "models/workload/random.hpp"
#include "sim/workers.hpp"

namespace sg4 = simgrid::s4u;

namespace mailsim::sim {
namespace {

constexpr std::size_t kRealBodyBytes = 2048;  // bytes of a body that are built; the rest is charged only
constexpr double kClientWait = 300;       // seconds the relay waits for a reply (Sendmail's Timeout.mail and others are 5 to 10 min)
constexpr double kServerWait = 3600;      // seconds an MX waits for the next command (Sendmail's Timeout.command)
constexpr double kConnectionCacheTimeout = 300;  // Sendmail's ConnectionCacheTimeout default, 5 min
constexpr double kHostStatusTimeout = 1800;      // Sendmail's Timeout.hoststatus default, 30 min
constexpr const char* kRelay = "relay.bench";
constexpr const char* kDns = "ns.bench";

// One queued delivery: a message to the recipients at one domain.
struct Delivery {
  queue::Item item;
  std::uint64_t message = 0;
  double arrived = 0;
  std::string sender;
  std::vector<std::string> recipients;
  std::uint64_t seed = 0;
  std::size_t domain = 0;
  /// Set at the reply to the final dot, while the session still sends QUIT: the outcome and when.
  std::optional<queue::Outcome> decided;
  double decided_at = 0;
  /// Delivered or bounced, and out of the queue depth, while the QUIT is still to come.
  bool closing = false;
  int tries = 0;  ///< attempts started, including those a crash killed
};

struct DomainState {
  workload::DomainClass cls = workload::DomainClass::NORMAL;
  std::string name, mx;
  sg4::Host* host = nullptr;  // the MX host
  std::unique_ptr<workload::Greylist> greylist;
  std::unique_ptr<workload::RateLimiter> limiter;
  double tempfail_until = -1;
  double mx_cached_until = -1;  // the relay's resolver cache
  std::unordered_set<queue::ItemId> received;
};

// An MX's SMTP server. Slow domains wait before each reply. Greylisting,
// rate-limiting and temporarily failing domains reply to RCPT with a 4xx.
class SinkHooks : public smtp::ServerHooks {
 public:
  SinkHooks(DomainState& dom, std::uint64_t& duplicates, const unsigned& relay_epoch)
      : dom_(dom), duplicates_(duplicates), relay_epoch_(relay_epoch), started_epoch_(relay_epoch) {}
  /// Names the queue item whose transaction the session carries now.
  void set_item(queue::ItemId item) { item_ = item; }
  std::int64_t now() override { return static_cast<std::int64_t>(sg4::Engine::get_clock()) + 1796400000; }
  smtp::RcptVerdict check_rcpt(const std::string&) override { return smtp::RcptVerdict::ACCEPT; }
  std::optional<std::string> check_mail(const std::string& address, const std::string&) override {
    sender_ = address;
    return std::nullopt;
  }
  std::optional<std::string> rcpt_access(const std::string& address, const std::string&) override {
    double t = sg4::Engine::get_clock();
    if (t < dom_.tempfail_until) return "451 4.3.0 " + address + "... Temporary failure, try again later";
    // NOTE: the greylisting and rate-limit wordings follow milter-greylist and
    // common rate-limit milters; they are not from a recording.
    if (dom_.greylist && !dom_.greylist->attempt(sender_, address, t))
      return "451 4.7.1 " + address + "... Greylisting in action, please come back later";
    if (dom_.limiter && !dom_.limiter->accept(t)) return "451 4.7.1 " + address + "... Rate limit exceeded, try again later";
    return std::nullopt;
  }
  std::string accept_message(const message::Envelope&, std::string, const smtp::SessionInfo&) override {
    // The relay crashed during the session: its connection died before the
    // final dot arrived, so the MX delivers nothing.
    if (relay_epoch_ != started_epoch_) return "0";
    if (!dom_.received.insert(item_).second) ++duplicates_;
    return fmt::format("{:014X}", item_);
  }

 private:
  DomainState& dom_;
  queue::ItemId item_ = 0;
  std::uint64_t& duplicates_;
  const unsigned& relay_epoch_;
  unsigned started_epoch_;
  std::string sender_;
};

// An MX's side of one SMTP connection: the server engine and its hooks (declared first, as the
// server keeps a reference to them).
struct MxSession {
  std::unique_ptr<SinkHooks> hooks;
  std::unique_ptr<smtp::ServerSession> server;
};

class BenchRun {
 public:
  BenchRun(const BenchScenario& sc, const std::string& policy, std::uint64_t seed,
           const std::function<void(double)>& progress)
      : sc_(sc), policy_(queue::make_policy(policy)), seed_(seed), progress_(progress),
        service_random_(workload::derive_seed(seed, 101)) {
    sendmail_ = dynamic_cast<queue::SendmailPolicy*>(policy_.get());
    result_.policy = policy_->name();
    result_.seed = seed;
  }

  BenchResult run();

 private:
  void build_platform();
  void arrivals();
  void offer(const workload::Arrival& a);
  void scheduler();
  void attempt(const Delivery& d, unsigned epoch);
  /// One SMTP connection from the relay to an MX: its two engines and what each has yet to send.
  struct Dialogue {
    std::unique_ptr<smtp::ClientSession> client;
    std::unique_ptr<MxSession> mx;
    std::size_t domain = 0;
    std::string client_out, server_out;
    std::uint64_t message_extra = 0;  ///< bytes the message write costs beyond its built text
    bool message_sent = false;
    bool reused = false;
  };
  enum class Converse { FINAL_REPLY, ENDED, RELAY_CRASHED };
  Converse converse(Dialogue& dialogue, unsigned epoch, bool stop_at_final_reply);
  void close_dialogue(Dialogue& dialogue, unsigned epoch);
  queue::Outcome smtp_attempt(const Delivery& d, DomainState& dom, unsigned epoch, bool& aborted,
                              std::optional<Dialogue>& rest, bool use_cache = true);
  void evict_cached();
  void finish(const Delivery& d, queue::Outcome outcome, double at);
  std::unique_ptr<MxSession> open_mx(std::size_t domain);

  void faults();
  void wake() {
    changed_ = true;
    if (cv_ && scheduler_waiting_) cv_->notify_all();
  }
  void depth_changed() {
    if (first_arrival_ < 0) return;  // the depth is averaged from the first accepted message on
    double depth = static_cast<double>(policy_->waiting() + policy_->active() - closing_);
    depth_.set(now(), depth);
  }
  static double now() { return sg4::Engine::get_clock(); }
  bool done() const { return arrivals_done_ && policy_->waiting() == 0 && policy_->active() == 0; }

  const BenchScenario& sc_;
  std::unique_ptr<queue::Policy> policy_;
  queue::SendmailPolicy* sendmail_ = nullptr;
  std::uint64_t seed_;
  std::function<void(double)> progress_;
  workload::Random service_random_;

  Workers workers_;
  sg4::Host* relay_ = nullptr;
  sg4::Host* dns_ = nullptr;
  sg4::Host* controller_ = nullptr;
  std::map<std::string, sg4::Host*> hosts_;
  std::vector<DomainState> domains_;
  std::unordered_map<std::string, std::size_t> domain_index_;
  // Shared with the attempt in progress, which may outlive the entry (finish() erases it).
  std::unordered_map<queue::ItemId, std::shared_ptr<Delivery>> deliveries_;
  std::unordered_set<queue::ItemId> active_;  // being tried
  std::set<std::string> down_;                 // hosts whose link is down or that crashed
  bool host_up(const std::string& host) const { return !down_.count(host); }

  // The queue runner's connection cache, least recently used first.
  struct CachedConnection {
    std::unique_ptr<smtp::ClientSession> session;
    std::unique_ptr<MxSession> mx;
    std::size_t domain = 0;
    double idle_since = 0;
  };
  std::deque<CachedConnection> cache_;
  // Sendmail's queue runner: when each destination's host last failed to connect in this run.
  std::unordered_map<std::size_t, double> host_status_;
  void end_of_queue_run();

  sg4::ConditionVariablePtr cv_;
  bool scheduler_waiting_ = false;  // the scheduler is in its wait, so a change must notify it
  // Set by every wake(). Starting a delivery yields to other actors, because creating or
  // resuming a worker is a simcall. An arrival or a finished delivery can come meanwhile, while
  // the scheduler is not waiting, so the scheduler looks at the queue again before it waits.
  bool changed_ = false;
  sg4::MutexPtr mutex_;
  bool arrivals_done_ = false;
  std::size_t closing_ = 0;  // deliveries with Delivery::closing set
  bool relay_up_ = true;
  unsigned epoch_ = 0;  // counts relay crashes
  double dns_down_until_ = -1;
  std::vector<workload::Arrival> held_;  // offered while the relay could not take them
  queue::ItemId next_item_ = 1;
  double first_arrival_ = -1, last_delivery_ = 0;
  std::vector<double> latencies_;
  workload::TimeWeightedMean depth_;
  BenchResult result_;
};

void BenchRun::build_platform() {
  auto* zone = sg4::create_star_zone("bench");
  auto add = [&](const std::string& name) {
    sg4::Host* h = zone->create_host(name, 1e9);
    sg4::Link* l = zone->create_link(name, sc_.bandwidth)->set_latency(sc_.latency)->seal();
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(l)}, true);
    hosts_[name] = h;
    return h;
  };

  relay_ = add(kRelay);
  dns_ = add(kDns);
  controller_ = zone->create_host("mailsim-controller", 1e9);

  // A replayed log brings its own domains, in name order; a generated
  // workload has d0001.example and so on.
  std::vector<std::string> names;
  if (sc_.replayed) {
    std::set<std::string> seen;
    for (const auto& a : sc_.replay)
      for (const auto& r : a.recipients)
        if (r.find('@') != std::string::npos) seen.insert(config::text::to_lower(r.substr(r.rfind('@') + 1)));
    names.assign(seen.begin(), seen.end());
  }

  std::size_t count = sc_.replayed ? std::max<std::size_t>(names.size(), 1) : sc_.workload.domains;
  workload::DomainTable table(count, sc_.workload.users_per_domain, sc_.workload.classes,
                              sc_.workload.class_params, workload::derive_seed(seed_, 0));
  domains_.resize(sc_.replayed ? names.size() : table.size());
  for (std::size_t i = 0; i < domains_.size(); ++i) {
    DomainState& d = domains_[i];
    d.cls = table.classify(i);
    d.name = sc_.replayed ? names[i] : table.name(i);
    domain_index_[d.name] = i;
    d.mx = "mx." + d.name;
    d.host = add(d.mx);
    if (d.cls == workload::DomainClass::GREYLISTING)
      d.greylist = std::make_unique<workload::Greylist>(sc_.workload.class_params.greylist_delay);
    if (d.cls == workload::DomainClass::RATELIMIT)
      d.limiter = std::make_unique<workload::RateLimiter>(sc_.workload.class_params.ratelimit_per_minute);
  }
  zone->seal();
}

// The clients: each arrival is offered to the relay at its time. While the
// relay is down or refusing (RefuseLA), the client keeps the message and
// offers it again later; nothing is dropped.
void BenchRun::arrivals() {
  std::uint64_t total = sc_.replayed ? sc_.replay.size() : sc_.workload.count;
  std::uint64_t offered = 0;
  auto report = [&] {
    if (progress_ && total > 0 && offered % 1000 == 0) progress_(static_cast<double>(offered) / total);
  };
  auto next_held = [&]() -> double { return held_.empty() ? queue::kNever : held_.front().at; };
  auto drain_held = [&](double until) {
    while (!held_.empty() && held_.front().at <= until) {
      std::pop_heap(held_.begin(), held_.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
      workload::Arrival a = std::move(held_.back());
      held_.pop_back();
      sg4::this_actor::sleep_until(std::max(a.at, now()));
      offer(a);
    }
  };
  if (sc_.replayed) {
    for (const auto& a : sc_.replay) {
      drain_held(a.at);
      sg4::this_actor::sleep_until(a.at);
      offer(a);
      ++offered;
      report();
    }
  } else {
    workload::WorkloadSpec spec = sc_.workload;
    spec.seed = seed_;
    workload::Generator gen(spec);
    workload::Arrival a;
    while (gen.next(a)) {
      if (a.at > sc_.horizon) break;
      drain_held(a.at);
      sg4::this_actor::sleep_until(a.at);
      offer(a);
      ++offered;
      report();
    }
  }
  while (next_held() < sc_.horizon) drain_held(next_held());
  if (progress_) progress_(1.0);
  arrivals_done_ = true;
  wake();
}

void BenchRun::offer(const workload::Arrival& a) {
  bool refused = !relay_up_ || (sendmail_ && sendmail_->refuses(now()));
  if (refused) {
    ++result_.refused;
    workload::Arrival again = a;
    again.at = now() + sc_.refused_retry;
    held_.push_back(std::move(again));
    std::push_heap(held_.begin(), held_.end(), [](const auto& x, const auto& y) { return x.at > y.at; });
    return;
  }
  if (first_arrival_ < 0) first_arrival_ = now();
  ++result_.messages;
  // One delivery per destination domain, recipients in their given order.
  std::map<std::size_t, std::vector<std::string>> by_domain;
  for (const auto& r : a.recipients) {
    auto at = r.rfind('@');
    auto it = at == std::string::npos ? domain_index_.end()
                                      : domain_index_.find(config::text::to_lower(r.substr(at + 1)));
    if (it == domain_index_.end()) {  // a local recipient in a replayed log: not relayed
      ++result_.local;
      continue;
    }
    by_domain[it->second].push_back(r);
  }
  for (auto& [domain, rcpts] : by_domain) {
    Delivery d;
    d.item.id = next_item_++;
    d.item.queue_id = fmt::format("{:08X}{:06}", static_cast<unsigned>(d.item.id), a.id % 1000000);
    d.item.destination = domains_[domain].name;
    d.item.size = a.size;
    d.item.recipients = static_cast<int>(rcpts.size());
    d.item.created = now();
    d.message = a.id;
    d.arrived = now();
    d.sender = a.sender;
    d.recipients = std::move(rcpts);
    d.seed = a.seed;
    d.domain = domain;
    policy_->enqueue(d.item, now());
    deliveries_.emplace(d.item.id, std::make_shared<Delivery>(std::move(d)));
    ++result_.deliveries;
  }
  depth_changed();
  wake();
}

// The relay's queue manager: starts the deliveries the policy returns as
// due, then sleeps until the next due time or until something changes.
void BenchRun::scheduler() {
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  while (!done() && now() < sc_.horizon) {
    changed_ = false;
    bool started = false;
    end_of_queue_run();
    if (relay_up_) {
      for (auto& item : policy_->take_due(now())) {
        started = true;
        std::shared_ptr<Delivery> d = deliveries_.at(item.id);
        d->item = item;
        d->decided.reset();
        active_.insert(item.id);
        unsigned epoch = epoch_;
        workers_.run("delivery", relay_, [this, d = std::move(d), epoch] { attempt(*d, epoch); });
      }
    }
    // A down relay waits for its restart. A due time that starts nothing (a
    // policy holding mail back) is checked again a moment later, so the
    // loop never spins at one instant.
    double next = relay_up_ ? std::min(policy_->next_due(now()), sc_.horizon) : sc_.horizon;
    if (next <= now() && !started) next = now() + 0.001;
    if (changed_) continue;
    // Nothing runs between this flag and the wait, so no wake-up is lost.
    scheduler_waiting_ = true;
    cv_->wait_until(lock, next);
    scheduler_waiting_ = false;
  }
}

void BenchRun::attempt(const Delivery& d, unsigned epoch) {
  // Counted here, not from the policy's count of tries, which an attempt killed by a crash does
  // not change: every attempt after a delivery's first is a retry.
  ++result_.attempts;
  if (++deliveries_.at(d.item.id)->tries > 1) ++result_.retries;
  if (sc_.service.kind == ServiceTime::Kind::FIXED) sg4::this_actor::sleep_for(sc_.service.mean);
  if (sc_.service.kind == ServiceTime::Kind::EXPONENTIAL)
    sg4::this_actor::sleep_for(service_random_.exponential(sc_.service.mean));
  if (epoch != epoch_) return;  // the relay crashed meanwhile: the process is gone
  DomainState& dom = domains_[d.domain];
  bool aborted = false;
  std::optional<Dialogue> rest;
  queue::Outcome outcome = smtp_attempt(d, dom, epoch, aborted, rest);
  if (aborted || epoch != epoch_) return;  // the relay crashed meanwhile: the restart requeued it
  // Sendmail records the outcome at the reply to the final dot, and its process is busy until
  // QUIT has its 221: a crash meanwhile does not undo the delivery.
  Delivery& decided = *deliveries_.at(d.item.id);
  decided.decided = outcome;
  decided.decided_at = now();
  if (outcome == queue::Outcome::DELIVERED || outcome == queue::Outcome::FAILED) {
    // The message has left the queue: the depth drops now, as the latency ends now.
    decided.closing = true;
    ++closing_;
    depth_changed();
  }
  if (rest) close_dialogue(*rest, epoch);
  if (epoch != epoch_) return;  // the crash handler has finished it
  finish(d, outcome, decided.decided_at);
}

queue::Outcome BenchRun::smtp_attempt(const Delivery& d, DomainState& dom, unsigned epoch, bool& aborted,
                                      std::optional<Dialogue>& rest, bool use_cache) {
  // Sendmail's queue runner keeps the status of each host it tried (Timeout.hoststatus): once a
  // connection to a host failed, the run defers its other mail for that host without trying.
  // The status lives in the runner's process and ends with the run.
  const bool runner = sendmail_ != nullptr && d.item.queue_run;
  // An attempt that a crash killed meanwhile records nothing: its runner process is gone.
  auto host_failed = [&] {
    if (runner && epoch == epoch_) host_status_[d.domain] = now();
    return queue::Outcome::UNREACHABLE;
  };
  if (runner) {
    auto known = host_status_.find(d.domain);
    if (known != host_status_.end() && now() - known->second < kHostStatusTimeout) {
      ++result_.host_status_deferrals;
      return queue::Outcome::UNREACHABLE;
    }
  }
  // The MX lookup: from the cache, else one query round trip to the name
  // server. During an outage the resolver gives up after its tries.
  // The relay's own link down: its connections go unanswered.
  if (!host_up(kRelay)) {
    sg4::this_actor::sleep_for(sc_.connect_timeout);
    return host_failed();
  }
  if (now() >= dom.mx_cached_until) {
    if (now() < dns_down_until_ || !host_up(kDns)) {
      sg4::this_actor::sleep_for(sc_.dns_timeout * sc_.dns_attempts);
      return queue::Outcome::UNREACHABLE;
    }
    sg4::Comm::sendto(relay_, dns_, 64);
    sg4::Comm::sendto(dns_, relay_, 128);
    if (epoch != epoch_) {  // the relay crashed during the lookup, and its cache with it
      aborted = true;
      return queue::Outcome::UNREACHABLE;
    }
    dom.mx_cached_until = now() + sc_.dns_ttl;
  }

  // The message: real headers and the start of the body. The transfer is
  // charged for the full size.
  std::string text = fmt::format(
      "From: <{}>\nTo: <{}>\nSubject: bench message {}\nMessage-Id: <{}.{}@{}>\n\n", d.sender,
      d.recipients.front(), d.message, d.message, d.seed, kRelay);
  std::size_t body = std::min<std::size_t>(kRealBodyBytes, d.item.size > text.size() ? d.item.size - text.size() : 0);
  // Lines of 63 letters and a LF; the letter at offset i is 'a' + (seed + i) % 26.
  static const std::string kLetters = [] {
    std::string letters;
    for (int i = 0; i < 26 * 4; ++i) letters += static_cast<char>('a' + i % 26);
    return letters;
  }();
  text.reserve(text.size() + body);
  for (std::size_t i = 0; i < body; i += 64) {
    std::size_t letters = std::min<std::size_t>(63, body - i);
    text.append(kLetters, (d.seed + i) % 26, letters);
    if (letters == 63 && i + 63 < body) text += '\n';
  }
  std::uint64_t charged = std::max<std::uint64_t>(d.item.size, text.size());
  smtp::Transaction txn;
  txn.envelope.mail_from = d.sender;
  txn.envelope.rcpt_to = d.recipients;
  std::uint64_t built = text.size();
  txn.message_lf = std::make_shared<const std::string>(std::move(text));
  txn.size_param = charged;

  // Sendmail's queue runner keeps its last connections open
  // (ConnectionCacheSize) and sends the next message for the same host on
  // them. A cached connection whose MX went away meanwhile is dropped and a
  // new one is opened, as Sendmail does.
  bool caching = sendmail_ && sendmail_->connection_cache() && d.item.queue_run;
  bool look_up = caching && use_cache;
  Dialogue dialogue;
  dialogue.domain = d.domain;
  dialogue.message_extra = charged - built;
  if (look_up) {
    evict_cached();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->domain != d.domain) continue;
      dialogue.client = std::move(it->session);
      dialogue.mx = std::move(it->mx);
      cache_.erase(it);
      break;
    }
  }
  dialogue.reused = dialogue.client != nullptr;
  if (dialogue.reused && !host_up(dom.mx)) {
    ++result_.stale_connections;
    return smtp_attempt(d, dom, epoch, aborted, rest, false);
  }
  if (dialogue.reused) {
    dialogue.client_out = dialogue.client->add_transaction(std::move(txn));
  } else {
    // connect(): a host that is down sends nothing back, and one where nothing listens sends a
    // reset. Otherwise the SYN and the SYN-ACK cross.
    if (!host_up(dom.mx)) {
      sg4::this_actor::sleep_for(sc_.connect_timeout);
      return host_failed();
    }
    sg4::Comm::sendto(relay_, dom.host, 0);
    sg4::Comm::sendto(dom.host, relay_, 0);
    if (epoch != epoch_) {
      aborted = true;
      return queue::Outcome::UNREACHABLE;
    }
    if (dom.cls == workload::DomainClass::DEAD) return host_failed();
    std::vector<smtp::Transaction> transactions;
    transactions.push_back(std::move(txn));
    dialogue.client = std::make_unique<smtp::ClientSession>(
        smtp::ClientConfig{kRelay, smtp::ClientStyle::MTA, caching, false}, std::move(transactions));
    dialogue.mx = open_mx(d.domain);
    dialogue.server_out = dialogue.mx->server->greeting();
  }
  dialogue.mx->hooks->set_item(d.item.id);

  if (converse(dialogue, epoch, true) == Converse::RELAY_CRASHED) {
    aborted = true;  // the relay crashed, and its connection died with it
    return queue::Outcome::UNREACHABLE;
  }
  const smtp::TransactionResult& r = dialogue.client->results().back();
  queue::Outcome outcome = queue::Outcome::DEFERRED;
  if (r.delivered()) {
    outcome = queue::Outcome::DELIVERED;
  } else if (r.permanent_failure()) {
    outcome = queue::Outcome::FAILED;
  } else if (r.failed_stage == smtp::ClientStage::CONNECTION || r.failed_stage == smtp::ClientStage::GREETING) {
    outcome = host_failed();
  }
  if (dialogue.reused) ++result_.reused_connections;
  if (dialogue.client->idle()) {
    cache_.push_back(CachedConnection{std::move(dialogue.client), std::move(dialogue.mx), d.domain, now()});
    evict_cached();
  } else if (!dialogue.client->done()) {
    rest = std::move(dialogue);  // QUIT and its 221 are still to come
  }
  return outcome;
}

// Returns the number of replies in `text`: lines whose code is followed by a space (RFC 5321
// section 4.2.1), so a pipelined RCPT reply and 354 in one write count as two.
std::size_t count_replies(const std::string& text) {
  std::size_t count = 0;
  for (std::size_t line = 0; line < text.size();) {
    if (line + 3 < text.size() && text[line + 3] == ' ') ++count;
    std::size_t end = text.find('\n', line);
    if (end == std::string::npos) break;
    line = end + 1;
  }
  return std::max<std::size_t>(count, 1);
}

// Passes the two engines' writes back and forth, each a transfer on the platform. It stops at
// the final reply of the client's transaction (when asked to) or at the end of the session. A
// slow MX waits before each reply. While the MX or either end's link is down, the relay waits for
// a reply until its timeout and gives up on the connection.
BenchRun::Converse BenchRun::converse(Dialogue& dialogue, unsigned epoch, bool stop_at_final_reply) {
  smtp::ClientSession& client = *dialogue.client;
  const DomainState& dom = domains_[dialogue.domain];
  const double delay =
      dom.cls == workload::DomainClass::SLOW ? sc_.workload.class_params.slow_reply_delay : 0;
  auto cut_off = [&] { return !down_.empty() && (!host_up(kRelay) || !host_up(dom.mx)); };
  while (true) {
    if (stop_at_final_reply && !client.results().empty() && client.results().back().has_data_reply)
      return Converse::FINAL_REPLY;
    if (!dialogue.client_out.empty()) {
      // The write that ends in the message is the one after which the client waits for the
      // reply to the final dot.
      bool is_message = !dialogue.message_sent && client.state() == smtp::ClientState::AWAIT_END_OF_DATA;
      dialogue.message_sent = dialogue.message_sent || is_message;
      std::uint64_t extra = is_message ? dialogue.message_extra : 0;
      if (cut_off()) {
        sg4::this_actor::sleep_for(kClientWait);
        client.connection_closed();
        return epoch == epoch_ ? Converse::ENDED : Converse::RELAY_CRASHED;
      }
      sg4::Comm::sendto(relay_, dom.host, dialogue.client_out.size() + extra);
      if (epoch != epoch_) return Converse::RELAY_CRASHED;
      MxSession& mx = *dialogue.mx;
      dialogue.server_out = mx.server->closed() ? std::string() : mx.server->feed(dialogue.client_out);
      dialogue.client_out.clear();
    }
    if (client.done() || client.idle()) return Converse::ENDED;
    if (dialogue.server_out.empty()) {
      // The MX closed the connection or sends no reply: the client sees the end of stream.
      client.connection_closed();
      return Converse::ENDED;
    }
    if (delay > 0) sg4::this_actor::sleep_for(delay * static_cast<double>(count_replies(dialogue.server_out)));
    if (cut_off()) {
      sg4::this_actor::sleep_for(kClientWait);
      client.connection_closed();
      return epoch == epoch_ ? Converse::ENDED : Converse::RELAY_CRASHED;
    }
    sg4::Comm::sendto(dom.host, relay_, dialogue.server_out.size());
    if (epoch != epoch_) return Converse::RELAY_CRASHED;
    dialogue.client_out = client.feed(dialogue.server_out);
    dialogue.server_out.clear();
  }
}

// Ends a session whose transaction is over: QUIT and its 221, as the relay's process does after
// it has recorded the outcome. A crash meanwhile changes nothing that was recorded.
void BenchRun::close_dialogue(Dialogue& dialogue, unsigned epoch) {
  converse(dialogue, epoch, false);
}

// Starts an MX's SMTP server session for a new connection from the relay.
std::unique_ptr<MxSession> BenchRun::open_mx(std::size_t domain) {
  DomainState& dom = domains_[domain];
  auto mx = std::make_unique<MxSession>();
  mx->hooks = std::make_unique<SinkHooks>(dom, result_.duplicates, epoch_);
  smtp::ServerConfig config;
  config.hostname = dom.mx;
  config.auth_mechanisms.clear();
  config.max_daemon_children = 0;
  config.record_events = false;  // the bench reads replies, not events
  mx->server = std::make_unique<smtp::ServerSession>(config, smtp::PeerInfo{"10.255.0.1", kRelay}, *mx->hooks);
  return mx;
}

// A Sendmail queue run is a process of its own. When it ends, its host status goes, and a worker
// closes its cached connections (QUIT, without waiting for the 221) so the scheduler does not
// wait for the transfers.
void BenchRun::end_of_queue_run() {
  if (sendmail_ == nullptr || sendmail_->queue_run_in_progress()) return;
  if (!host_status_.empty()) host_status_.clear();  // clear() walks every bucket
  if (cache_.empty()) return;
  auto closing = std::make_shared<std::deque<CachedConnection>>(std::move(cache_));
  cache_.clear();
  workers_.run("delivery", relay_, [this, closing] {
    for (CachedConnection& c : *closing) {
      std::string quit = c.session->quit();
      sg4::Comm::sendto(relay_, domains_[c.domain].host, quit.size());
    }
  });
}

// Closes cached connections idle for longer than ConnectionCacheTimeout and,
// least recently used first, those beyond ConnectionCacheSize: QUIT, then
// close without waiting for the 221.
void BenchRun::evict_cached() {
  std::size_t size = sendmail_ ? static_cast<std::size_t>(sendmail_->connection_cache_size()) : 0;
  while (!cache_.empty() && (cache_.size() > size || now() - cache_.front().idle_since > kConnectionCacheTimeout)) {
    CachedConnection c = std::move(cache_.front());
    cache_.pop_front();
    std::string quit = c.session->quit();
    sg4::Comm::sendto(relay_, domains_[c.domain].host, quit.size());
  }
}

void BenchRun::finish(const Delivery& d, queue::Outcome outcome, double at) {
  auto it = deliveries_.find(d.item.id);
  active_.erase(d.item.id);
  if (it->second->closing) {
    it->second->closing = false;
    --closing_;
  }
  queue::Disposition disposition = policy_->finished(d.item, outcome, now());
  switch (disposition) {
    case queue::Disposition::DONE:
      ++result_.delivered;
      latencies_.push_back(at - d.arrived);
      last_delivery_ = std::max(last_delivery_, at);  // sessions may end in another order
      deliveries_.erase(it);
      break;
    case queue::Disposition::BOUNCED:
      ++result_.bounced;
      deliveries_.erase(it);
      break;
    case queue::Disposition::EXPIRED:
      ++result_.expired;
      deliveries_.erase(it);
      break;
    case queue::Disposition::REQUEUED:
      break;
  }
  depth_changed();
  wake();
}

void BenchRun::faults() {
  for (const auto& f : sc_.faults) {
    sg4::this_actor::sleep_until(f.at);
    using workload::FaultAction;
    switch (f.action) {
      case FaultAction::DOWN:
      case FaultAction::UP:
        // A link serves one host in the star: while it is down nothing
        // reaches that host. NOTE: transfers already on the link finish.
        if (f.action == FaultAction::UP) down_.erase(f.target);
        else down_.insert(f.target);
        break;
      case FaultAction::CRASH:
        if (f.target == kRelay) {
          // The queue is on disk and survives; deliveries in progress are
          // lost with their processes and tried again after the restart.
          relay_up_ = false;
          ++epoch_;
          cache_.clear();  // the runner's connections die with it
          for (auto& dom : domains_) dom.mx_cached_until = -1;  // and the resolver's cache with the host
          const std::vector<queue::ItemId> lost(active_.begin(), active_.end());
          for (queue::ItemId id : lost) {
            std::shared_ptr<Delivery> d = deliveries_.at(id);
            if (d->decided) {
              finish(*d, *d->decided, d->decided_at);  // only its QUIT was lost
              continue;
            }
            policy_->interrupted(d->item, now());
            ++result_.interrupted;
          }
          active_.clear();
          depth_changed();
        } else {
          down_.insert(f.target);
        }
        break;
      case FaultAction::RESTART:
        if (f.target == kRelay) {
          relay_up_ = true;
          policy_->restarted(now());
        } else {
          down_.erase(f.target);
        }
        break;
      case FaultAction::OUTAGE:
        dns_down_until_ = f.at + f.duration;
        break;
      case FaultAction::TEMPFAIL:
        for (auto& d : domains_)
          if (d.name == f.target || d.mx == f.target) d.tempfail_until = f.at + f.duration;
        break;
    }
    wake();
  }
}

BenchResult BenchRun::run() {
  auto wall_start = std::chrono::steady_clock::now();
  int argc = 1;
  char name[] = "mailsim";
  char* argv[] = {name, nullptr};
  sg4::Engine engine(&argc, argv);
  xbt_log_control_set("root.thresh:critical");
  // CM02 takes link latencies as given (SimGrid's default LV08 multiplies
  // them by 13.01), and without cross-traffic a write of S bytes takes
  // S / bandwidth, up to the TCP window cap (network/TCP-gamma over the round trip).
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  build_platform();

  for (const auto& f : sc_.faults) {
    if (f.kind == workload::FaultKind::LINK || f.kind == workload::FaultKind::HOST) {
      if (!hosts_.count(f.target))
        throw InputError(f.pos, fmt::format("no host or link named '{}' in the bench world (use {}, {} or mx.DOMAIN)",
                                            f.target, kRelay, kDns));
    }
  }

  sg4::Actor::create("clients", controller_, [this] {
    sg4::Actor::self()->daemonize();
    arrivals();
  });
  if (!sc_.faults.empty()) {
    sg4::Actor::create("faults", controller_, [this] {
      sg4::Actor::self()->daemonize();
      faults();
    });
  }
  sg4::Actor::create("qmgr", relay_, [this] {
    mutex_ = sg4::Mutex::create();
    cv_ = sg4::ConditionVariable::create();
    scheduler();
    cv_ = nullptr;
  });
  engine.run();
  workers_.clear();

  // A run cut off by its horizon may stop a session between the reply to the final dot and the
  // 221 to QUIT: its message was delivered (or bounced) all the same.
  std::vector<std::shared_ptr<Delivery>> closing;
  for (const auto& [id, d] : deliveries_) {
    if (d->closing) closing.push_back(d);
  }
  std::sort(closing.begin(), closing.end(),
            [](const auto& a, const auto& b) { return a->item.id < b->item.id; });
  for (const auto& d : closing) finish(*d, *d->decided, d->decided_at);

  result_.end_time = std::min(now(), sc_.horizon);
  result_.queued = deliveries_.size();
  result_.held = held_.size();
  if (!latencies_.empty()) result_.latency = workload::summarize(latencies_);
  if (first_arrival_ >= 0) {
    depth_.set(result_.end_time, depth_.max() >= 0 ? static_cast<double>(deliveries_.size()) : 0);
    result_.mean_depth = depth_.mean(result_.end_time);
    result_.max_depth = depth_.max();
    double span = last_delivery_ - first_arrival_;
    if (span > 0) result_.throughput = static_cast<double>(result_.delivered) / span;
  }
  result_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result_;
}

}  // namespace

BenchResult run_bench(const BenchScenario& scenario, const std::string& policy, std::uint64_t seed,
                      const std::function<void(double)>& progress) {
  BenchRun run(scenario, policy, seed, progress);
  return run.run();
}

}  // namespace mailsim::sim
