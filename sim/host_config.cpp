#include "sim/host_config.hpp"

#include <fmt/format.h>

#include "models/common/timefmt.hpp"
#include "models/mailbox/mbox.hpp"
#include "models/config/local_host_names.hpp"
#include "models/config/text.hpp"

namespace mailsim::sim {
namespace {

std::string lower(std::string s) { return config::text::to_lower(s); }

// /etc/resolv.conf: nameserver, search, domain, options timeout:N attempts:N.
ResolverSettings parse_resolv_conf(const FileSpec& file) {
  ResolverSettings r;
  for (const auto& line : config::text::split_lines(file.text)) {
    auto words = config::text::split_words(line.text);
    if (words.empty() || words[0].text[0] == '#' || words[0].text[0] == ';') continue;
    std::string key(words[0].text);
    SourcePos pos{file.display, line.number, words[0].column};
    if (key == "nameserver") {
      if (words.size() < 2 || !config::text::is_ipv4(words[1].text))
        throw InputError(pos, "nameserver needs an IPv4 address, e.g. nameserver 10.0.2.100");
      r.nameservers.emplace_back(words[1].text);
    } else if (key == "search" || key == "domain") {
      r.search.clear();
      for (size_t i = 1; i < words.size(); ++i) r.search.emplace_back(words[i].text);
    } else if (key == "options") {
      for (size_t i = 1; i < words.size(); ++i) {
        std::string opt(words[i].text);
        try {
          if (opt.rfind("timeout:", 0) == 0) r.timeout = std::stoi(opt.substr(8));
          else if (opt.rfind("attempts:", 0) == 0) r.attempts = std::stoi(opt.substr(9));
        } catch (const std::exception&) {
          throw InputError(SourcePos{file.display, line.number, words[i].column}, "invalid resolver option '" + opt + "'");
        }
      }
    } else {
      throw InputError(pos, fmt::format("unknown resolv.conf keyword '{}' (use nameserver, search, domain or options)", key));
    }
  }
  // glibc limits: at most 30 s per try and 5 rounds.
  r.timeout = std::min(std::max(r.timeout, 1.0), 30.0);
  r.attempts = std::min(std::max(r.attempts, 1), 5);
  return r;
}

void configure_sendmail(HostState& state, const HostSpec& spec, std::vector<std::string>& warnings) {
  SendmailSettings& sm = state.sendmail;
  sm.hostname = state.name;
  if (const FileSpec* f = spec.file("/etc/hostname")) {
    std::string name = f->text;
    name.erase(0, name.find_first_not_of(" \t\r\n"));
    name.erase(name.find_last_not_of(" \t\r\n") + 1);
    if (!name.empty()) sm.hostname = name;
  }
  if (const FileSpec* f = spec.file("/etc/mail/sendmail.cf")) {
    sm.cf = config::parse_sendmail_cf(f->text, f->display);
  }
  for (const auto& w : sm.cf.warnings) warnings.push_back(w.to_string());
  auto macro = sm.cf.macros.find("j");
  if (macro != sm.cf.macros.end()) sm.hostname = macro->second;

  // Class w: Cw lines, Fw files, and the names Sendmail adds by itself (its
  // host name, `localhost` and its address in brackets).
  for (const auto& name : sm.cf.class_w()) sm.class_w.insert(lower(name));
  for (const auto& fc : sm.cf.file_classes) {
    if (fc.class_name != "w") continue;
    const FileSpec* f = spec.file(fc.path);
    if (!f) {
      if (fc.optional) continue;
      throw InputError(fc.pos, fmt::format("class file {} does not exist on {}; give it under files:", fc.path, spec.name));
    }
    for (const auto& name : config::parse_local_host_names(f->text, f->display)) sm.class_w.insert(lower(name));
  }
  sm.class_w.insert(lower(sm.hostname));
  sm.class_w.insert("localhost");
  sm.class_w.insert("[" + state.ip + "]");

  auto daemons = sm.cf.effective_daemons();
  if (!daemons.empty()) {
    const auto& d = daemons.front();
    sm.daemon_addr = d.addr.empty() ? "0.0.0.0" : d.addr;
    sm.daemon_port = d.port;
    sm.daemon_name = d.name;
  }
  sm.max_message_size = sm.cf.max_message_size;
  sm.queue_return = static_cast<double>(sm.cf.timeouts.queuereturn_for(config::PriorityClass::NORMAL));
  sm.queue_warn = static_cast<double>(sm.cf.timeouts.queuewarn_for(config::PriorityClass::NORMAL));
  if (sm.cf.timeouts.connect > 0) sm.connect_timeout = static_cast<double>(sm.cf.timeouts.connect);

  const ServiceSpec& service = spec.services.at("sendmail");
  auto args = service.options.find("args");
  if (args != service.options.end()) {
    auto cmd = config::parse_sendmail_command_line(args->second, spec.name + ": sendmail args");
    for (const auto& w : cmd.warnings) warnings.push_back(w.to_string());
    if (cmd.queue_interval) sm.queue_interval = static_cast<double>(*cmd.queue_interval);
    else sm.queue_interval = 0;  // no -q: no periodic queue runs
  }

  if (const FileSpec* f = spec.file("/etc/mail/access")) {
    sm.access = config::AccessMap::parse(f->text, f->display);
    for (const auto& w : sm.access.warnings()) warnings.push_back(w.to_string());
  }
  const FileSpec* aliases = spec.file("/etc/aliases");
  if (!aliases) aliases = spec.file("/etc/mail/aliases");
  if (aliases) sm.aliases = config::Aliases::parse(aliases->text, aliases->display);
}

void configure_dovecot(HostState& state, const HostSpec& spec, std::vector<std::string>& warnings) {
  const FileSpec* f = spec.file("/etc/dovecot/dovecot.conf");
  if (!f) {
    state.dovecot = config::DovecotConfig{};
    state.dovecot.mail_location = config::MailLocation::parse("mbox:~/mail:INBOX=/var/mail/%u", SourcePos{});
    return;
  }
  state.dovecot = config::parse_dovecot_conf(f->text, f->display);
  for (const auto& w : state.dovecot.warnings) warnings.push_back(w.to_string());
}

}  // namespace

void configure_host(HostState& state, const HostSpec& spec, const Scenario& scenario,
                    std::vector<std::string>& warnings) {
  (void)scenario;
  state.spec = &spec;
  state.name = spec.name;
  state.ip = spec.address;
  if (const FileSpec* f = spec.file("/etc/resolv.conf")) state.resolver = parse_resolv_conf(*f);
  if (spec.runs("sendmail")) configure_sendmail(state, spec, warnings);
  if (spec.runs("dovecot")) configure_dovecot(state, spec, warnings);
}

void collect_mailboxes(World& w, std::vector<MailboxFile>& out) {
  for (auto& [name, host] : w.hosts) {
    for (const auto& [path, spool] : host.spool) {
      if (!spool.exists) continue;
      out.push_back(MailboxFile{name, path, spool.box.render()});
    }
    for (const auto& [user, messages] : host.inbox) {
      std::string text;
      for (const auto& m : messages) text += mailbox::write_mbox_message(m.sender, w.wall(m.fetched), *m.content);
      out.push_back(MailboxFile{name, "/home/" + user + "/Inbox", text});
    }
  }
}

}  // namespace mailsim::sim
