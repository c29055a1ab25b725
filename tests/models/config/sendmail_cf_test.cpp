#include "models/config/sendmail_cf.hpp"

#include <gtest/gtest.h>

#include "expect_input_error.hpp"

namespace mailsim::config {
namespace {

const std::string kFile = "/etc/mail/sendmail.cf";

// Lines of each kind a cf.m4-generated sendmail.cf contains, in its layout.
const char* kCfExcerpt =
    "#####\tSENDMAIL CONFIGURATION FILE\n"
    "V10/Berkeley\n"
    "Cwlocalhost\n"
    "Fw/etc/mail/local-host-names %[^\\#]\n"
    "FR-o /etc/mail/relay-domains %[^\\#]\n"
    "C{Accept}OK RELAY\n"
    "DS\n"
    "DnMAILER-DAEMON\n"
    "DZ8.17.1.9/Debian-2+deb12u2\n"
    "Kaccess hash -T<TMPF> /etc/mail/access\n"
    "O MaxMessageSize=10000\n"
    "O DaemonPortOptions=Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1\n"
    "O DaemonPortOptions=Family=inet,  Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1\n"
    "O PrivacyOptions=needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,"
    "nobodyreturn,authwarnings\n"
    "O QueueDirectory=/var/spool/mqueue\n"
    "O Timeout.queuereturn=5d\n"
    "O Timeout.queuewarn=4h\n"
    "O DeliveryMode=background\n"
    "O LogLevel=9\n"
    "O AliasWait=10\n"
    "#O QueueSortOrder=priority\n"
    "O SmtpGreetingMessage=$j Sendmail $v/$Z; $b\n"
    "Scanonify=3\n"
    "R$@\t\t\t$@ <@>\n"
    "R$*\t\t\t$: $1 <@>\t\t\tmark addresses\n"
    "HReceived: $?sfrom $s $.$?_($?s$|from $.$_)\n"
    "\t$.by $j ($v/$Z)$?r with $r$. id $i\n"
    "Mlocal,\t\tP=/usr/sbin/sensible-mda, F=lsDFMAw5:/|@qPn9S, S=EnvFromL/HdrFromL,\n"
    "\t\tT=DNS/RFC822/X-Unix,\n"
    "\t\tA=sensible-mda $g $u $h ${client_addr}\n"
    "Pfirst-class=0\n"
    "Troot\n"
    "E_HOME=/\n";

TEST(SendmailCf, ParsesGeneratedFile) {
  SendmailConfig config = parse_sendmail_cf(kCfExcerpt, kFile);
  EXPECT_EQ(config.max_message_size, 10000u);
  EXPECT_EQ(config.queue_directory, "/var/spool/mqueue");
  EXPECT_EQ(config.delivery_mode, DeliveryMode::BACKGROUND);
  EXPECT_EQ(config.log_level, 9);
  EXPECT_EQ(config.smtp_greeting_message, "$j Sendmail $v/$Z; $b");
  EXPECT_EQ(config.class_w(), (std::set<std::string>{"localhost"}));
  EXPECT_TRUE(config.in_class("Accept", "relay"));
  EXPECT_TRUE(config.in_class("Accept", "OK"));
  EXPECT_EQ(config.macros.at("n"), "MAILER-DAEMON");
  EXPECT_EQ(config.macros.at("Z"), "8.17.1.9/Debian-2+deb12u2");
  EXPECT_EQ(config.macros.at("S"), "");
  EXPECT_EQ(config.macros.count("j"), 0u);
}

TEST(SendmailCf, FileClasses) {
  SendmailConfig config = parse_sendmail_cf(kCfExcerpt, kFile);
  ASSERT_EQ(config.file_classes.size(), 2u);
  EXPECT_EQ(config.file_classes[0].class_name, "w");
  EXPECT_EQ(config.file_classes[0].path, "/etc/mail/local-host-names");
  EXPECT_FALSE(config.file_classes[0].optional);
  EXPECT_EQ(config.file_classes[0].format, "%[^#]");  // `\#` keeps the # out of the comment
  EXPECT_EQ(config.file_classes[1].class_name, "R");
  EXPECT_TRUE(config.file_classes[1].optional);
  EXPECT_EQ(config.file_classes[1].path, "/etc/mail/relay-domains");
  EXPECT_EQ(config.file_classes[1].pos.line, 5);
}

TEST(SendmailCf, DaemonPortOptionsFromFile) {
  SendmailConfig config = parse_sendmail_cf(kCfExcerpt, kFile);
  ASSERT_EQ(config.daemons.size(), 2u);
  EXPECT_EQ(config.daemons[0].name, "MTA-v4");
  EXPECT_EQ(config.daemons[0].port, 25);
  EXPECT_EQ(config.daemons[0].addr, "127.0.0.1");
  EXPECT_EQ(config.daemons[0].family, AddressFamily::INET);
  EXPECT_EQ(config.daemons[1].name, "MSP-v4");
  EXPECT_EQ(config.daemons[1].port, 587);
  EXPECT_EQ(config.daemons[1].modifiers, "Ea");
  EXPECT_EQ(config.effective_daemons().size(), 2u);
}

TEST(SendmailCf, UnmodelledOptionsWarnAtTheName) {
  SendmailConfig config = parse_sendmail_cf(kCfExcerpt, kFile);
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_EQ(config.warnings[0].to_string(),
            "/etc/mail/sendmail.cf:20:3: option AliasWait is not modelled");
}

TEST(SendmailCf, Defaults) {
  SendmailConfig config = parse_sendmail_cf("", kFile);
  EXPECT_EQ(config.max_message_size, 0u);
  EXPECT_EQ(config.queue_directory, "/var/spool/mqueue");
  EXPECT_EQ(config.timeouts.queuewarn_for(PriorityClass::NORMAL), 4 * 3600);
  EXPECT_EQ(config.timeouts.queuereturn_for(PriorityClass::NORMAL), 5 * 86400);
  EXPECT_EQ(config.timeouts.mail, 600);
  EXPECT_EQ(config.timeouts.rcpt, 3600);
  EXPECT_EQ(config.min_queue_age, 0);
  EXPECT_EQ(config.queue_sort_order, QueueSortOrder::PRIORITY);
  EXPECT_EQ(config.queue_la, 8);
  EXPECT_EQ(config.refuse_la, 12);
  EXPECT_EQ(config.max_daemon_children, 0);
  EXPECT_EQ(config.delivery_mode, DeliveryMode::BACKGROUND);
  EXPECT_FALSE(config.privacy.novrfy);
  EXPECT_EQ(config.log_level, 9);
  std::vector<DaemonPortOptions> daemons = config.effective_daemons();
  ASSERT_EQ(daemons.size(), 1u);
  EXPECT_EQ(daemons[0].name, "Daemon0");
  EXPECT_EQ(daemons[0].port, 25);
  EXPECT_EQ(daemons[0].addr, "");
}

TEST(SendmailCf, LabDaemonLineListensEverywhere) {
  std::vector<Warning> warnings;
  DaemonPortOptions lab =
      parse_daemon_port_options("Port=smtp, Name=MTA", SourcePos{kFile, 1, 21}, 0, warnings);
  EXPECT_EQ(lab.port, 25);
  EXPECT_EQ(lab.addr, "");
  EXPECT_EQ(lab.name, "MTA");
  EXPECT_EQ(lab.family, AddressFamily::INET);
  DaemonPortOptions v6 = parse_daemon_port_options("Family=inet6, Name=MTA-v6, Port=smtp, Addr=::1",
                                                   SourcePos{kFile, 1, 21}, 1, warnings);
  EXPECT_EQ(v6.family, AddressFamily::INET6);
  EXPECT_EQ(v6.addr, "::1");
  DaemonPortOptions unnamed =
      parse_daemon_port_options("Port=2525, Listen=128", SourcePos{kFile, 1, 21}, 2, warnings);
  EXPECT_EQ(unnamed.name, "Daemon2");
  EXPECT_EQ(unnamed.port, 2525);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].message, "option DaemonPortOptions parameter Listen is not modelled");
}

TEST(SendmailCf, TimeoutUnitsAndClasses) {
  SendmailConfig config = parse_sendmail_cf(
      "O Timeout.mail=15\n"
      "O Timeout.rcpt=1h30m\n"
      "O Timeout.queuereturn=3\n"
      "O Timeout.queuewarn=2\n"
      "O Timeout.queuewarn.urgent=1h\n"
      "O Timeout.queuereturn.non-urgent=7d\n"
      "O Timeout.queuereturn.dsn=10m\n"
      "O Timeout.ident=5s\n"
      "O MinQueueAge=30m\n",
      kFile);
  EXPECT_EQ(config.timeouts.mail, 15 * 60);  // bare number: minutes
  EXPECT_EQ(config.timeouts.rcpt, 5400);
  EXPECT_EQ(config.timeouts.queuereturn_for(PriorityClass::NORMAL), 3 * 86400);  // days
  EXPECT_EQ(config.timeouts.queuereturn_for(PriorityClass::URGENT), 3 * 86400);
  EXPECT_EQ(config.timeouts.queuereturn_for(PriorityClass::NON_URGENT), 7 * 86400);
  EXPECT_EQ(config.timeouts.queuereturn_for(PriorityClass::DSN), 600);
  EXPECT_EQ(config.timeouts.queuewarn_for(PriorityClass::NORMAL), 2 * 3600);  // hours
  EXPECT_EQ(config.timeouts.queuewarn_for(PriorityClass::URGENT), 3600);
  EXPECT_EQ(config.timeouts.ident, 5);
  EXPECT_EQ(config.min_queue_age, 1800);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(SendmailCf, EnumeratedOptions) {
  struct SortCase {
    const char* value;
    QueueSortOrder order;
  };
  const SortCase sorts[] = {
      {"priority", QueueSortOrder::PRIORITY}, {"Host", QueueSortOrder::HOST},
      {"filename", QueueSortOrder::FILENAME}, {"time", QueueSortOrder::TIME},
      {"random", QueueSortOrder::RANDOM},     {"modification", QueueSortOrder::MODIFICATION},
      {"none", QueueSortOrder::NONE},
  };
  for (const SortCase& c : sorts) {
    std::string line = std::string("O QueueSortOrder=") + c.value + "\n";
    EXPECT_EQ(parse_sendmail_cf(line, kFile).queue_sort_order, c.order) << c.value;
  }
  struct ModeCase {
    const char* value;
    DeliveryMode mode;
  };
  const ModeCase modes[] = {
      {"b", DeliveryMode::BACKGROUND}, {"interactive", DeliveryMode::INTERACTIVE},
      {"q", DeliveryMode::QUEUE_ONLY}, {"deferred", DeliveryMode::DEFERRED},
      {"", DeliveryMode::INTERACTIVE},
  };
  for (const ModeCase& c : modes) {
    std::string line = std::string("O DeliveryMode=") + c.value + "\n";
    EXPECT_EQ(parse_sendmail_cf(line, kFile).delivery_mode, c.mode) << c.value;
  }
}

TEST(SendmailCf, NumericOptions) {
  SendmailConfig config = parse_sendmail_cf(
      "O QueueLA=20\nO RefuseLA=30\nO MaxDaemonChildren=40\nO LogLevel=14\n"
      "O MaxMessageSize=2000000 # two megabytes\n",
      kFile);
  EXPECT_EQ(config.queue_la, 20);
  EXPECT_EQ(config.refuse_la, 30);
  EXPECT_EQ(config.max_daemon_children, 40);
  EXPECT_EQ(config.log_level, 14);
  EXPECT_EQ(config.max_message_size, 2000000u);
}

TEST(SendmailCf, PrivacyOptionsAccumulate) {
  SendmailConfig config =
      parse_sendmail_cf("O PrivacyOptions=authwarnings,novrfy\nO PrivacyOptions=noexpn\n", kFile);
  EXPECT_TRUE(config.privacy.authwarnings);
  EXPECT_TRUE(config.privacy.novrfy);
  EXPECT_TRUE(config.privacy.noexpn);
  EXPECT_FALSE(config.privacy.restrictqrun);

  SendmailConfig goaway = parse_sendmail_cf("O PrivacyOptions=goaway\n", kFile);
  EXPECT_TRUE(goaway.privacy.needmailhelo);
  EXPECT_TRUE(goaway.privacy.needexpnhelo);
  EXPECT_TRUE(goaway.privacy.needvrfyhelo);
  EXPECT_TRUE(goaway.privacy.noexpn);
  EXPECT_TRUE(goaway.privacy.novrfy);
  EXPECT_TRUE(goaway.privacy.noverb);
  EXPECT_TRUE(goaway.privacy.authwarnings);
  EXPECT_FALSE(goaway.privacy.restrictqrun);
  EXPECT_FALSE(goaway.privacy.noetrn);
  EXPECT_FALSE(goaway.privacy.nobodyreturn);
}

TEST(SendmailCf, OneLetterOptionWarns) {
  SendmailConfig config = parse_sendmail_cf("OQ/tmp/mqueue\n", kFile);
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_EQ(config.warnings[0].pos.line, 1);
  EXPECT_EQ(config.queue_directory, "/var/spool/mqueue");  // the line was not applied
}

TEST(SendmailCf, InvalidLines) {
  struct Case {
    const char* text;
    int line;
    int column;
  };
  const Case cases[] = {
      {"O MaxMessageSize=10MB\n", 1, 18},
      {"\nO Timeout.bogus=5m\n", 2, 3},
      {"O Timeout.mail=5x\n", 1, 16},
      {"O QueueSortOrder=size\n", 1, 18},
      {"O DeliveryMode=x\n", 1, 16},
      {"O PrivacyOptions=novrfy,nosuch\n", 1, 18},
      {"O LogLevel=high\n", 1, 12},
      {"O DaemonPortOptions=Port=smtpx\n", 1, 21},
      {"O DaemonPortOptions=Family=local, Addr=/var/run/s\n", 1, 21},
      {"O DaemonPortOptions=Addr=mail.naver.com\n", 1, 21},
      {"O DaemonPortOptions=Family=inet6, Addr=127.0.0.1\n", 1, 21},
      {"O DaemonPortOptions=Zork=1\n", 1, 21},
      {"C\n", 1, 2},
      {"D{macro\n", 1, 2},
      {"F{x}\n", 1, 2},
      {"Zunknown line\n", 1, 1},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_sendmail_cf(c.text, kFile); });
    ASSERT_TRUE(error.has_value()) << c.text;
    EXPECT_EQ(error->pos().file, kFile) << c.text;
    EXPECT_EQ(error->pos().line, c.line) << c.text;
    EXPECT_EQ(error->pos().column, c.column) << c.text;
  }
}

TEST(SendmailCf, ClassesAndLocalHostNames) {
  SendmailConfig config = parse_sendmail_cf("Cwlocalhost Mail.Naver.com\nCw naver.com\n", kFile);
  config.add_to_class("w", {"DAUM.net"});
  EXPECT_EQ(config.class_w(),
            (std::set<std::string>{"localhost", "mail.naver.com", "naver.com", "daum.net"}));
  EXPECT_TRUE(config.in_class("w", "NAVER.COM"));
  EXPECT_FALSE(config.in_class("w", "kakao.com"));
  EXPECT_FALSE(config.in_class("R", "naver.com"));
}

TEST(SendmailTime, ConvertsUnits) {
  struct Case {
    const char* text;
    char default_unit;
    std::int64_t seconds;
  };
  const Case cases[] = {
      {"5m", 'm', 300},     {"4h", 'm', 14400}, {"5d", 'm', 432000}, {"1h30m", 'm', 5400},
      {"2w", 'm', 1209600}, {"10", 'm', 600},   {"10", 'h', 36000},  {"10", 'd', 864000},
      {"45s", 'd', 45},     {"0", 'm', 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_sendmail_time(c.text, c.default_unit), c.seconds) << c.text;
  }
  for (const char* bad : {"", "h", "5x", "-5m", "1.5h", "5 m"}) {
    EXPECT_FALSE(parse_sendmail_time(bad, 'm').has_value()) << bad;
  }
}

TEST(SendmailCommandLine, DaemonAndQueueInterval) {
  struct Case {
    const char* line;
    bool daemon;
    std::optional<std::int64_t> interval;
    bool once;
  };
  const Case cases[] = {
      {"sendmail -bd -q1h", true, 3600, false},
      {"/usr/sbin/sendmail -bd -q30m", true, 1800, false},
      {"sendmail -bd -q15", true, 900, false},  // minutes without a unit
      {"sendmail -q1h30m", false, 5400, false},
      {"sendmail -bd", true, std::nullopt, false},
      {"sendmail -q", false, std::nullopt, true},
      {"-bD -q2h", true, 7200, false},
  };
  for (const Case& c : cases) {
    SendmailCommandLine parsed = parse_sendmail_command_line(c.line, "/etc/sysconfig/sendmail");
    EXPECT_EQ(parsed.daemon, c.daemon) << c.line;
    EXPECT_EQ(parsed.queue_interval, c.interval) << c.line;
    EXPECT_EQ(parsed.queue_run_once, c.once) << c.line;
    EXPECT_TRUE(parsed.warnings.empty()) << c.line;
  }
}

TEST(SendmailCommandLine, UnmodelledFlagsWarn) {
  SendmailCommandLine parsed = parse_sendmail_command_line(
      "sendmail -bd -q1h -O LogLevel=14 -qf -C /etc/mail/test.cf", "/etc/sysconfig/sendmail");
  EXPECT_TRUE(parsed.daemon);
  EXPECT_EQ(parsed.queue_interval, 3600);
  ASSERT_EQ(parsed.warnings.size(), 3u);
  EXPECT_EQ(parsed.warnings[0].to_string(),
            "/etc/sysconfig/sendmail:1:19: option -O is not modelled");
  EXPECT_EQ(parsed.warnings[1].message, "option -qf is not modelled");
  EXPECT_EQ(parsed.warnings[2].message, "option -C is not modelled");
}

TEST(SendmailCommandLine, InvalidArguments) {
  struct Case {
    const char* line;
    int column;
  };
  const Case cases[] = {
      {"sendmail -bd -q5x", 14},
      {"sendmail -bd -C", 14},
  };
  for (const Case& c : cases) {
    auto error = catch_input_error([&] { parse_sendmail_command_line(c.line, "cmdline"); });
    ASSERT_TRUE(error.has_value()) << c.line;
    EXPECT_EQ(error->pos().line, 1) << c.line;
    EXPECT_EQ(error->pos().column, c.column) << c.line;
  }
}

TEST(SendmailSettings, TableMatchesDefaults) {
  SendmailConfig defaults;
  bool found_size = false;
  bool found_log = false;
  for (const SettingInfo& setting : sendmail_settings()) {
    EXPECT_NE(std::string(setting.help), "") << setting.name;
    if (std::string(setting.name) == "MaxMessageSize") {
      found_size = true;
      EXPECT_EQ(setting.default_value, std::to_string(defaults.max_message_size));
    }
    if (std::string(setting.name) == "LogLevel") {
      found_log = true;
      EXPECT_EQ(setting.default_value, std::to_string(defaults.log_level));
    }
  }
  EXPECT_TRUE(found_size);
  EXPECT_TRUE(found_log);
}

}  // namespace
}  // namespace mailsim::config
