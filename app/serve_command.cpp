// mailsim serve SCENARIO --host HOST --protocol smtp|pop3|imap
//               (--stdio | --listen ADDR:PORT) [--peer ADDR] [--state DIR]
//
// Lets a real client talk to one simulated daemon. The client's bytes enter
// the simulation on a host of the scenario (the one whose address is
// --peer, or the server itself for 127.0.0.x) and travel to the daemon over
// the simulated network; the daemon's replies come back the same way. Each
// input line is sent on its own and the replies it causes are written back
// before the next line is read, so a session piped in at once gets the same
// replies as one typed by hand (as with Sendmail's -bs). A line ending in a
// bare LF is sent with CRLF, as telnet sends it.
//
// Mail accepted over SMTP is delivered inside the simulation. With --state
// DIR, mailboxes start from DIR/HOST/var/mail/USER when those files exist and
// are written back there at the end, so a later `serve --protocol pop3` reads
// what an earlier `serve --protocol smtp` delivered.
//
// NOTE: replies that a daemon delays by more than kFirstReplyWait of
// simulated time (kQuietAfterReply after a line that got no reply) are
// written after the next input line instead of before it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <simgrid/s4u.hpp>

#include "app/commands.hpp"
#include "models/common/error.hpp"
#include "sim/context.hpp"
#include "sim/net.hpp"
#include "sim/scenario.hpp"
#include "sim/world.hpp"
#include "viz/report.hpp"

namespace mailsim::app {
namespace {

// How long (simulated seconds) to wait for the first byte of a reply, and
// how long the daemon may then stay quiet before its reply counts as complete.
constexpr double kFirstReplyWait = 5;
constexpr double kQuietAfterReply = 0.2;

struct ServeArgs {
  std::string scenario;
  std::string host;
  std::string protocol;
  bool stdio = false;
  std::string listen;
  std::string peer;
  std::string state_dir;
  std::vector<std::string> sets;
};

// The source and sink of the real client's bytes.
class ClientIo {
 public:
  virtual ~ClientIo() = default;
  /// Reads one line with its line end; false at end of input.
  virtual bool read_line(std::string& line) = 0;
  virtual void write(const std::string& bytes) = 0;
};

class StdioIo : public ClientIo {
 public:
  bool read_line(std::string& line) override {
    if (!std::getline(std::cin, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    line += "\r\n";
    return true;
  }
  void write(const std::string& bytes) override { std::cout << bytes << std::flush; }
};

class SocketIo : public ClientIo {
 public:
  explicit SocketIo(int fd) : fd_(fd) {}
  ~SocketIo() override { ::close(fd_); }
  bool read_line(std::string& line) override {
    while (true) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        line += "\r\n";
        return true;
      }
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        if (buffer_.empty()) return false;
        line = buffer_ + "\r\n";
        buffer_.clear();
        return true;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  void write(const std::string& bytes) override {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

int port_of(const std::string& protocol) {
  if (protocol == "smtp") return 25;
  if (protocol == "pop3") return 110;
  if (protocol == "imap") return 143;
  throw InputError(SourcePos{"--protocol", 0, 0}, "unknown protocol '" + protocol + "' (use smtp, pop3 or imap)");
}

// Writes the daemon's replies until it has been quiet for a while. Returns
// false when the daemon closed the connection.
bool relay_replies(sim::Connection& conn, ClientIo& io, double first_wait, bool* replied = nullptr) {
  double wait = first_wait;
  std::string data;
  while (true) {
    try {
      if (!conn.recv(data, wait)) return false;
    } catch (const sim::ConnectionTimedOut&) {
      return true;
    }
    io.write(data);
    if (replied) *replied = true;
    wait = kQuietAfterReply;
  }
}

// One client session over the simulated network.
void serve_session(sim::World& w, const std::string& client_host, const std::string& peer_ip,
                   const std::string& server_ip, int port, ClientIo& io) {
  std::unique_ptr<sim::Connection> conn;
  try {
    conn = w.net.connect(client_host, server_ip, port, 127, peer_ip);
  } catch (const std::exception& e) {
    std::cerr << "mailsim serve: " << e.what() << "\n";
    return;
  }
  bool open = relay_replies(*conn, io, kFirstReplyWait);
  std::string line;
  double wait = kFirstReplyWait;
  while (open && io.read_line(line)) {
    conn->send(line);
    bool replied = false;
    open = relay_replies(*conn, io, wait, &replied);
    // Lines that get no reply (a message's body) wait only briefly after
    // the first one, so a long body does not move the clock by seconds a line.
    wait = replied ? kFirstReplyWait : kQuietAfterReply;
  }
  conn->close();
  // Give the FIN time to reach the daemon, so its session ends as it would
  // when a real client hangs up.
  simgrid::s4u::this_actor::sleep_for(1);
}

volatile std::sig_atomic_t g_stop = 0;

void request_stop(int) { g_stop = 1; }

// SIGINT and SIGTERM end a --listen server cleanly: the blocked accept()
// returns, the run finishes, and --state is written.
void stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = request_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: accept() and recv() return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int open_listener(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos)
    throw InputError(SourcePos{"--listen", 0, 0}, "expected ADDR:PORT, e.g. 127.0.0.1:2525");
  std::string addr = spec.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(spec.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
    throw InputError(SourcePos{"--listen", 0, 0}, "invalid address '" + spec + "' (use ADDR:PORT, e.g. 127.0.0.1:2525)");
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 16) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw InputError(SourcePos{"--listen", 0, 0}, "cannot listen on " + spec + ": " + why);
  }
  std::cerr << "mailsim serve: listening on " << spec << "\n";
  return fd;
}

// Picks the scenario host the client's bytes enter from.
std::string client_host_for(const sim::Scenario& s, const sim::HostSpec& server, std::string& peer_ip) {
  if (peer_ip.empty()) {
    // Default: another host on the server's /24, else the server itself over loopback.
    std::string prefix = server.address.substr(0, server.address.rfind('.') + 1);
    for (const auto& h : s.hosts) {
      if (h.name != server.name && h.address.rfind(prefix, 0) == 0 && !h.runs("sendmail")) {
        peer_ip = h.address;
        return h.name;
      }
    }
    peer_ip = "127.0.0.1";
    return server.name;
  }
  if (peer_ip.rfind("127.", 0) == 0) return server.name;
  if (const sim::HostSpec* h = s.host_by_address(peer_ip)) return h->name;
  std::string known;
  for (const auto& h : s.hosts) known += (known.empty() ? "" : ", ") + h.address;
  throw InputError(SourcePos{"--peer", 0, 0}, "no host of the scenario has address " + peer_ip + " (use one of " +
                                                  known + ", or 127.0.0.x for the server's own host)");
}

// Loads DIR/HOST/var/mail/* as the hosts' starting mailboxes.
void load_state(sim::Scenario& s, const std::string& dir) {
  namespace fs = std::filesystem;
  for (auto& h : s.hosts) {
    fs::path spool = fs::path(dir) / h.name / "var/mail";
    std::error_code ec;
    if (!fs::is_directory(spool, ec)) continue;
    for (const auto& entry : fs::directory_iterator(spool, ec)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      std::string path = "/var/mail/" + entry.path().filename().string();
      h.files[path] = sim::FileSpec{path, text.str(), entry.path().string()};
    }
  }
}

int serve_command(const ServeArgs& args) {
  sim::Scenario scenario = sim::load_scenario(args.scenario, args.sets);
  const sim::HostSpec* server = scenario.host(args.host);
  if (!server) throw InputError(SourcePos{"--host", 0, 0}, "unknown host '" + args.host + "' in " + args.scenario);
  int port = port_of(args.protocol);
  if (args.stdio == !args.listen.empty())
    throw InputError(SourcePos{"serve", 0, 0}, "give exactly one of --stdio and --listen ADDR:PORT");
  if (!args.state_dir.empty()) load_state(scenario, args.state_dir);

  std::string peer_ip = args.peer;
  std::string client_host = client_host_for(scenario, *server, peer_ip);
  std::string server_ip = peer_ip.rfind("127.", 0) == 0 ? std::string("127.0.0.1") : server->address;
  int listen_fd = args.listen.empty() ? -1 : open_listener(args.listen);

  sim::RunOptions options;
  options.client_host = client_host;
  options.until = 1e12;  // a served session has no duration
  options.client = [&]() {
    sim::World& w = sim::world();
    if (listen_fd < 0) {
      StdioIo io;
      serve_session(w, client_host, peer_ip, server_ip, port, io);
      return;
    }
    stop_on_signals();
    while (!g_stop) {
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0) break;
      SocketIo io(fd);
      serve_session(w, client_host, peer_ip, server_ip, port, io);
    }
  };
  sim::RunResult result = sim::run_scenario(scenario, options);
  if (listen_fd >= 0) ::close(listen_fd);
  if (!args.state_dir.empty()) {
    // Keep only the servers' spools: the PCs fetched nothing here.
    sim::RunResult spools;
    for (const auto& box : result.mailboxes)
      if (box.path.rfind("/var/mail/", 0) == 0) spools.mailboxes.push_back(box);
    viz::write_mailboxes(args.state_dir, spools);
  }
  for (const auto& w : result.warnings) std::cerr << "warning: " << w << "\n";
  return 0;
}

}  // namespace

Command add_serve_command(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Let a real client (nc, telnet, smtplib, poplib, imaplib, curl) talk to one "
                                          "simulated daemon of a scenario");
  cmd->add_option("scenario", args->scenario, "Scenario file (YAML)")->required();
  cmd->add_option("--host", args->host, "The host whose daemon to talk to")->required();
  cmd->add_option("--protocol", args->protocol, "smtp (port 25), pop3 (110) or imap (143)")
      ->required()
      ->check(CLI::IsMember({"smtp", "pop3", "imap"}));
  cmd->add_flag("--stdio", args->stdio, "Read the client's lines from standard input, write replies to standard output");
  cmd->add_option("--listen", args->listen, "Accept real TCP connections on ADDR:PORT, e.g. 127.0.0.1:2525");
  cmd->add_option("--peer", args->peer,
                  "Address the daemon sees the client at (a host of the scenario, or 127.0.0.x for the server itself)");
  cmd->add_option("--state", args->state_dir,
                  "Load mailboxes from DIR/HOST/var/mail/USER when present, and write them there at the end");
  cmd->add_option("--set", args->sets, "Override one scenario value by its dotted path")->take_all()->allow_extra_args(false);
  return Command{cmd, [args] { return serve_command(*args); }};
}

}  // namespace mailsim::app
