#include "models/config/dovecot_conf.hpp"

#include <gtest/gtest.h>

#include "expect_input_error.hpp"

namespace mailsim::config {
namespace {

const std::string kFile = "/etc/dovecot/dovecot.conf";

// `doveconf -n` output of the captured Dovecot 2.3.19 (abridged).
const char* kDoveconf =
    "# 2.3.19.1 (9b53102964): /etc/dovecot/dovecot.conf\n"
    "disable_plaintext_auth = no\n"
    "listen = 127.0.0.1\n"
    "mail_location = mbox:~/mail:INBOX=/var/mail/%u\n"
    "mail_privileged_group = mail\n"
    "namespace inbox {\n"
    "  inbox = yes\n"
    "  location = \n"
    "  mailbox \"Sent Messages\" {\n"
    "    special_use = \\Sent\n"
    "  }\n"
    "  prefix = \n"
    "}\n"
    "passdb {\n"
    "  driver = pam\n"
    "}\n"
    "protocols = \" imap pop3\"\n"
    "service pop3-login {\n"
    "  inet_listener pop3s {\n"
    "    port = 0\n"
    "  }\n"
    "}\n"
    "ssl = no\n"
    "ssl_dh = # hidden, use -P to show it\n";

// The settings the lab's chapter changes.
const char* kLabConf =
    "protocols = imap pop3 lmtp\n"
    "listen = *, ::\n"
    "ssl = yes\n"
    "mail_location = mbox:~/mail:INBOX=/var/mail/%u\n"
    "mail_access_groups = mail\n"
    "lock_method = fcntl\n";

TEST(DovecotConf, ParsesDoveconfOutput) {
  DovecotConfig config = parse_dovecot_conf(kDoveconf, kFile);
  EXPECT_EQ(config.protocols, (std::vector<std::string>{"imap", "pop3"}));
  EXPECT_EQ(config.listen, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(config.disable_plaintext_auth);
  EXPECT_EQ(config.ssl, SslMode::NO);
  EXPECT_EQ(config.mail_privileged_group, "mail");
  ASSERT_TRUE(config.mail_location.has_value());
  EXPECT_EQ(config.mail_location->inbox_path("lee", "/home/lee"), "/var/mail/lee");
  EXPECT_EQ(config.settings.at("ssl_dh"), "");
  EXPECT_TRUE(config.has_protocol("POP3"));
  EXPECT_FALSE(config.has_protocol("lmtp"));
}

TEST(DovecotConf, KeepsSections) {
  DovecotConfig config = parse_dovecot_conf(kDoveconf, kFile);
  ASSERT_EQ(config.sections.size(), 3u);
  const DovecotSection& ns = config.sections[0];
  EXPECT_EQ(ns.type, "namespace");
  EXPECT_EQ(ns.name, "inbox");
  ASSERT_EQ(ns.sections.size(), 1u);
  EXPECT_EQ(ns.sections[0].name, "Sent Messages");
  EXPECT_EQ(ns.sections[0].settings.at(0).second, "\\Sent");
  const DovecotSection& login = config.sections[2];
  ASSERT_EQ(login.sections.size(), 1u);
  EXPECT_EQ(login.sections[0].type, "inet_listener");
  EXPECT_EQ(login.sections[0].settings.at(0), (std::pair<std::string, std::string>{"port", "0"}));
  // Settings inside sections do not change top-level ones.
  EXPECT_EQ(config.settings.count("port"), 0u);
}

TEST(DovecotConf, WarnsForUnmodelledParts) {
  DovecotConfig config = parse_dovecot_conf(kDoveconf, kFile);
  std::vector<std::string> messages;
  for (const Warning& w : config.warnings) messages.push_back(w.to_string());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "/etc/dovecot/dovecot.conf:6:1: section namespace inbox is not modelled",
                          "/etc/dovecot/dovecot.conf:14:1: section passdb is not modelled",
                          "/etc/dovecot/dovecot.conf:18:1: section service pop3-login is not "
                          "modelled",
                          "/etc/dovecot/dovecot.conf:24:1: setting ssl_dh is not modelled",
                      }));
}

TEST(DovecotConf, LabSettings) {
  DovecotConfig config = parse_dovecot_conf(kLabConf, kFile);
  EXPECT_EQ(config.protocols, (std::vector<std::string>{"imap", "pop3", "lmtp"}));
  EXPECT_EQ(config.listen, (std::vector<std::string>{"*", "::"}));
  EXPECT_EQ(config.ssl, SslMode::YES);
  EXPECT_EQ(config.mail_access_groups, "mail");
  EXPECT_EQ(config.lock_method, LockMethod::FCNTL);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(DovecotConf, Defaults) {
  DovecotConfig config = parse_dovecot_conf("", kFile);
  EXPECT_EQ(config.protocols, (std::vector<std::string>{"imap", "pop3", "lmtp"}));
  EXPECT_EQ(config.listen, (std::vector<std::string>{"*", "::"}));
  EXPECT_FALSE(config.mail_location.has_value());
  EXPECT_TRUE(config.disable_plaintext_auth);
  EXPECT_EQ(config.ssl, SslMode::YES);
  EXPECT_EQ(config.lock_method, LockMethod::FCNTL);
  EXPECT_EQ(config.auth_mechanisms, std::vector<std::string>{"plain"});
}

TEST(DovecotConf, TypedValues) {
  DovecotConfig config = parse_dovecot_conf(
      "ssl = required\n"
      "lock_method = dotlock\n"
      "auth_mechanisms = PLAIN login\n"
      "disable_plaintext_auth = yes # default\n"
      "protocols = pop3\n"
      "protocols = $protocols imap\n",
      kFile);
  EXPECT_EQ(config.ssl, SslMode::REQUIRED);
  EXPECT_EQ(config.lock_method, LockMethod::DOTLOCK);
  EXPECT_EQ(config.auth_mechanisms, (std::vector<std::string>{"plain", "login"}));
  EXPECT_TRUE(config.disable_plaintext_auth);
  EXPECT_EQ(config.protocols, (std::vector<std::string>{"pop3", "imap"}));
}

TEST(DovecotConf, IncludesThroughResolver) {
  IncludeResolver resolver = [](const std::string& pattern) {
    std::vector<std::pair<std::string, std::string>> files;
    if (pattern == "/etc/dovecot/conf.d/*.conf") {
      files.emplace_back("/etc/dovecot/conf.d/10-mail.conf",
                         "mail_location = mbox:~/mail:INBOX=/var/mail/%u\n");
      files.emplace_back("/etc/dovecot/conf.d/10-ssl.conf", "ssl = no\n");
    }
    return files;
  };
  DovecotConfig config = parse_dovecot_conf(
      "!include conf.d/*.conf\n!include_try /usr/share/dovecot/protocols.d/*.protocol\n", kFile,
      resolver);
  EXPECT_EQ(config.ssl, SslMode::NO);
  ASSERT_TRUE(config.mail_location.has_value());
  EXPECT_EQ(config.mail_location->driver, "mbox");

  auto error = catch_input_error([] { parse_dovecot_conf("\n!include conf.d/*.conf\n", kFile); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->pos().line, 2);
  DovecotConfig optional = parse_dovecot_conf("!include_try local.conf\n", kFile);
  ASSERT_EQ(optional.warnings.size(), 1u);
  EXPECT_EQ(optional.warnings[0].pos.line, 1);
}

TEST(DovecotConf, InvalidInput) {
  struct Case {
    const char* text;
    int line;
  };
  const Case cases[] = {
      {"ssl = maybe\n", 1},
      {"listen 127.0.0.1\n", 1},
      {"}\n", 1},
      {"service imap {\n  port = 0\n", 1},  // the section left open
      {"protocols = imap smtp\n", 1},
      {"lock_method = lockf\n", 1},
      {"disable_plaintext_auth = sure\n", 1},
      {"\nmail_location = maildir:~/Maildir\n", 2},
      {"mail_location = mbox:~/mail:INBOX=/var/mail/%Lu\n", 1},
      {"mail_location = mbox\n", 1},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_dovecot_conf(c.text, kFile); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, kFile) << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
  }
}

TEST(MailLocation, ParsesAndExpands) {
  MailLocation location =
      MailLocation::parse("mbox:~/mail:INBOX=/var/mail/%u", SourcePos{kFile, 1, 17});
  EXPECT_EQ(location.driver, "mbox");
  EXPECT_EQ(location.root, "~/mail");
  EXPECT_EQ(location.inbox, "/var/mail/%u");
  EXPECT_EQ(location.parameters.at("INBOX"), "/var/mail/%u");
  EXPECT_EQ(location.root_path("lee", "/home/lee"), "/home/lee/mail");
  EXPECT_EQ(location.inbox_path("lee", "/home/lee"), "/var/mail/lee");
}

TEST(MailLocation, ExpandsVariables) {
  struct Case {
    const char* pattern;
    const char* expanded;
  };
  const Case cases[] = {
      {"/var/mail/%u", "/var/mail/lee@naver.com"},
      {"/var/mail/%n", "/var/mail/lee"},
      {"/srv/%d/%n", "/srv/naver.com/lee"},
      {"%h/mail", "/home/lee/mail"},
      {"~/mail", "/home/lee/mail"},
      {"/var/mail/%{username}", "/var/mail/lee"},
      {"100%%", "100%"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(expand_mail_variables(c.pattern, "lee@naver.com", "/home/lee"), c.expanded)
        << c.pattern;
  }
  for (const char* bad : {"%Lu", "%x", "%", "%{user"}) {
    EXPECT_FALSE(expand_mail_variables(bad, "lee", "/home/lee").has_value()) << bad;
  }
}

TEST(DovecotSettings, TableMatchesDefaults) {
  DovecotConfig defaults;
  for (const SettingInfo& setting : dovecot_settings()) {
    EXPECT_NE(std::string(setting.help), "") << setting.name;
    if (std::string(setting.name) == "lock_method") {
      EXPECT_EQ(std::string(setting.default_value), "fcntl");
      EXPECT_EQ(defaults.lock_method, LockMethod::FCNTL);
    }
  }
  EXPECT_EQ(dovecot_settings().size(), 9u);
}

}  // namespace
}  // namespace mailsim::config
