#include "sim/host_config.hpp"

#include <fmt/format.h>

#include "models/common/timefmt.hpp"
#include "models/dns/diagnostic.hpp"
#include "models/dns/host_files.hpp"
#include "models/mailbox/mbox.hpp"
#include "models/config/local_host_names.hpp"
#include "models/config/text.hpp"

namespace mailsim::sim {
namespace {

std::string lower(std::string s) { return config::text::to_lower(s); }

ResolverSettings resolver_settings(const FileSpec& file, std::vector<std::string>& warnings) {
  dns::ResolvConf conf = dns::parse_resolv_conf(file.text, file.display);
  for (const auto& d : conf.warnings) warnings.push_back(dns::format_diagnostic(d));
  ResolverSettings r;
  r.nameservers = conf.nameservers;
  r.search = conf.search;
  r.timeout = conf.timeout;
  r.attempts = conf.attempts;
  return r;
}

void configure_sendmail(HostState& state, const HostSpec& spec, std::vector<std::string>& warnings) {
  SendmailSettings& sm = state.sendmail;
  sm.hostname = state.name;
  if (const FileSpec* f = spec.file("/etc/hostname")) {
    std::string name = dns::parse_hostname(f->text, f->display);
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
  auto build = service.options.find("build");
  if (build != service.options.end() && build->second == "debian") {
    // Debian 12's sendmail-bin 8.17.1.9-2+deb12u2 with its default access map
    // (GreetPause:localhost 0 is not modelled: every client waits 1 s).
    sm.debian = true;
    sm.version = "8.17.1.9/8.17.1.9/Debian-2+deb12u2";
    sm.greet_pause = 1;
  }
  auto z = sm.cf.macros.find("Z");
  if (z != sm.cf.macros.end()) sm.version = "8.17.1.9/" + z->second;
  auto args = service.options.find("args");
  if (args != service.options.end()) {
    auto cmd = config::parse_sendmail_command_line(args->second, spec.name + ": sendmail args");
    for (const auto& w : cmd.warnings) warnings.push_back(w.to_string());
    sm.daemon = cmd.daemon;
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
  if (const FileSpec* f = spec.file("/etc/resolv.conf")) state.resolver = resolver_settings(*f, warnings);
  if (const FileSpec* f = spec.file("/etc/hosts")) state.hosts_file = dns::parse_hosts(f->text, f->display);
  if (spec.runs("sendmail")) configure_sendmail(state, spec, warnings);

  // A file under /var/mail/ is a mailbox's contents at the start of the run.
  for (const auto& [path, file] : spec.files) {
    if (path.rfind("/var/mail/", 0) != 0) continue;
    SpoolMailbox& box = state.spool[path];
    box.box = file.text.empty() ? mailbox::Mailbox() : mailbox::Mailbox::from_mbox(file.text, file.display);
    box.exists = true;
  }
  if (spec.runs("dovecot")) configure_dovecot(state, spec, warnings);
}

void collect_mailboxes(World& w, std::vector<MailboxFile>& out) {
  for (auto& [name, host] : w.hosts) {
    for (const auto& [path, spool] : host.spool) {
      if (!spool.exists) continue;
      out.push_back(MailboxFile{name, path, spool.box});
    }
    for (const auto& [user, messages] : host.inbox) {
      // The mail client appends to its mbox Inbox as procmail does, minus Dovecot's fields.
      mailbox::Mailbox inbox;
      for (const auto& m : messages) inbox.deliver(m.sender, w.wall(m.fetched), m.content);
      out.push_back(MailboxFile{name, "/home/" + user + "/Inbox", std::move(inbox)});
    }
  }
}

}  // namespace mailsim::sim
