// The scenario file: hosts, links, DNS and daemon configuration (as the real
// files a student edits), users and the mail workload. Loaded from YAML and
// checked here; units are parsed here and nowhere else inside the simulator.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/common/error.hpp"

namespace mailsim::sim {

/// A configuration file as a host sees it, given inline or beside the scenario.
struct FileSpec {
  std::string path;     ///< the path on the host, e.g. /var/named/naver.com.db
  std::string text;     ///< its contents
  std::string display;  ///< how errors name it: `mail.naver.com:/var/named/naver.com.db`
};

struct UserSpec {
  std::string name;
  std::string password;
  int uid = 0;
};

/// A span of simulated time, [from, to) in seconds.
struct Window {
  double from = 0;
  double to = 0;
};

/// A daemon started on a host, with its command-line style options.
struct ServiceSpec {
  std::string name;                          ///< sendmail, dovecot or named
  std::map<std::string, std::string> options;  ///< e.g. args: "-bd -q1h"
  std::vector<Window> stopped;               ///< when the daemon is not running
  SourcePos pos;

  bool running_at(double t) const;
  /// The next instant after `t` when the daemon starts or stops (infinity if none).
  double next_change(double t) const;
};

struct HostSpec {
  std::string name;     ///< fully qualified host name (its /etc/hostname)
  std::string address;  ///< IPv4 address on the lab network
  std::map<std::string, ServiceSpec> services;
  std::map<std::string, FileSpec> files;  ///< by path on the host
  std::vector<UserSpec> users;
  bool up = true;  ///< false: the host is switched off for the whole run
  SourcePos pos;

  const FileSpec* file(const std::string& path) const;
  const UserSpec* user(const std::string& name) const;
  bool runs(const std::string& service) const { return services.count(service) != 0; }
};

struct LinkSpec {
  std::string name;
  std::string a, b;   ///< host or router names
  double latency;     ///< seconds, one way
  double bandwidth;   ///< bytes per second
  SourcePos pos;
};

struct NetworkSpec {
  std::string model = "CM02";  ///< SimGrid network/model
  double latency = 0.0005;     ///< seconds; default for every link
  double bandwidth = 12.5e6;   ///< bytes per second; default for every link
};

/// One MIME attachment, generated deterministically from its size and the seed.
struct AttachmentSpec {
  std::string filename;
  std::uint64_t size = 0;  ///< bytes before base64
  std::string content_type = "application/octet-stream";
};

struct SendSpec {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;
  std::vector<AttachmentSpec> attachments;
  std::string server;  ///< SMTP server host name the MUA submits to (the webmail host for via: webmail)
  int port = 25;
  std::string via = "smtp";  ///< smtp: a mail client; webmail: a browser posting to Roundcube
};

struct FetchSpec {
  std::string protocol = "pop3";
  std::string server;
  std::string user;
  std::string password;
  bool keep = false;    ///< leave messages on the server (no DELE)
  double every = 60;    ///< seconds between checks
  std::string local_user;  ///< the PC's user whose Inbox receives the mail
};

/// One client program run on a PC: a message to send, or a mailbox to check.
struct WorkloadItem {
  std::string name;
  std::string pc;   ///< host name of the PC
  double at = 0;    ///< simulated seconds from the start
  std::optional<SendSpec> send;
  std::optional<FetchSpec> fetch;
  SourcePos pos;
};

struct Scenario {
  std::string file;  ///< path of the scenario file
  std::string name;
  std::string description;
  std::int64_t start_epoch = 0;  ///< wall clock of simulated time 0
  std::uint64_t seed = 1;
  double duration = 86400;  ///< seconds; a run stops here at the latest
  NetworkSpec network;
  std::vector<HostSpec> hosts;
  std::vector<std::string> routers;
  std::vector<LinkSpec> links;
  std::vector<WorkloadItem> workload;

  const HostSpec* host(const std::string& name) const;
  const HostSpec* host_by_address(const std::string& address) const;
};

/// Loads and checks a scenario. `overrides` are `dotted.path=value` pairs
/// applied before checking (the `--set` option). Throws InputError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same, from text (for tests); `path` names it in errors and anchors
/// relative file references.
Scenario parse_scenario(const std::string& text, const std::string& path,
                        const std::vector<std::string>& overrides = {});

}  // namespace mailsim::sim
