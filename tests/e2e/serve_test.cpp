// mailsim serve: real clients talking to one simulated daemon, through
// standard input and through a TCP socket on 127.0.0.1.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/e2e/run_helpers.hpp"

namespace mailsim::e2e {
namespace {

// Runs `mailsim serve ... --stdio` with `input` on standard input.
Outcome serve_stdio(const std::vector<std::string>& args, const std::string& input) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/in") << input;
  std::string cmd = quote(MAILSIM_BINARY) + " serve";
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " --stdio <" + quote(dir + "/in") + " >" + quote(dir + "/out") + " 2>" + quote(dir + "/err");
  Outcome r;
  int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(dir + "/out");
  r.err = read_file(dir + "/err");
  return r;
}

TEST(Serve, SmtpThenPop3ReadsItBack) {
  std::string state = temp_dir();
  Outcome smtp = serve_stdio({"--state", state, lab(), "--host", "mail.naver.com", "--protocol", "smtp"},
                             "EHLO pc.naver.com\nMAIL FROM:<kim@daum.net>\nRCPT TO:<lee@naver.com>\n"
                             "RCPT TO:<nobody@naver.com>\nDATA\nSubject: served\n\nhello from a real client\n.\nQUIT\n");
  ASSERT_EQ(smtp.status, 0) << smtp.err;
  EXPECT_EQ(smtp.out.rfind("220 mail.naver.com ESMTP Sendmail ", 0), 0u) << smtp.out;
  EXPECT_NE(smtp.out.find("\r\n250 2.1.5 <lee@naver.com>... Recipient ok\r\n"), std::string::npos);
  EXPECT_NE(smtp.out.find("\r\n550 5.1.1 <nobody@naver.com>... User unknown\r\n"), std::string::npos);
  EXPECT_NE(smtp.out.find(" Message accepted for delivery\r\n221 2.0.0 mail.naver.com closing connection\r\n"),
            std::string::npos);

  Outcome pop = serve_stdio({"--state", state, lab(), "--host", "mail.naver.com", "--protocol", "pop3"},
                            "USER lee\nPASS lee\nSTAT\nRETR 1\nDELE 1\nQUIT\n");
  ASSERT_EQ(pop.status, 0) << pop.err;
  EXPECT_EQ(pop.out.rfind("+OK Dovecot (Debian) ready.\r\n+OK\r\n+OK Logged in.\r\n+OK 1 ", 0), 0u) << pop.out;
  EXPECT_NE(pop.out.find("\r\nSubject: served\r\n\r\nhello from a real client\r\n.\r\n"), std::string::npos) << pop.out;
  EXPECT_NE(pop.out.find("+OK Logging out, messages deleted.\r\n"), std::string::npos);
}

// Piped at once or typed line by line, the replies are the same: the
// server sees one line at a time either way.
TEST(Serve, PipelinedInputSameReplies) {
  std::string session = "EHLO a\nMAIL FROM:<kim@daum.net>\nRCPT TO:<lee@naver.com>\nRSET\nNOOP\nFOO\nQUIT\n";
  Outcome a = serve_stdio({lab(), "--host", "mail.naver.com", "--protocol", "smtp", "--peer", "10.0.2.15"}, session);
  Outcome b = serve_stdio({lab(), "--host", "mail.naver.com", "--protocol", "smtp", "--peer", "10.0.2.15"}, session);
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("250 2.0.0 Reset state\r\n250 2.0.0 OK\r\n500 5.5.1 Command unrecognized: \"FOO\"\r\n"),
            std::string::npos)
      << a.out;
}

TEST(Serve, UnknownPeerIsAnError) {
  Outcome r = serve_stdio({lab(), "--host", "mail.naver.com", "--protocol", "smtp", "--peer", "192.0.2.9"}, "");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("--peer: no host of the scenario has address 192.0.2.9", 0), 0u) << r.err;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

// Python's smtplib and poplib against `serve --listen` on 127.0.0.1.
TEST(Serve, PythonClientsOverTcp) {
  if (std::system("python3 -c 'import smtplib, poplib' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  std::string state = temp_dir();
  int smtp_port = free_port();
  std::string log = state + "/serve.log";
  std::string cmd = quote(MAILSIM_BINARY) + " serve " + quote(lab()) +
                    " --host mail.naver.com --protocol smtp --listen 127.0.0.1:" + std::to_string(smtp_port) +
                    " --peer 10.0.2.15 --state " + quote(state) + " >" + quote(log) + " 2>&1 & echo $!";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  int pid = 0;
  ASSERT_EQ(fscanf(p, "%d", &pid), 1);
  pclose(p);
  for (int i = 0; i < 100 && read_file(log).find("listening") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

  std::string script =
      "import smtplib\n"
      "s = smtplib.SMTP('127.0.0.1', " + std::to_string(smtp_port) + ", timeout=20)\n"
      "code, _ = s.ehlo('pc.naver.com')\n"
      "assert code == 250, code\n"
      "refused = s.sendmail('kim@daum.net', ['lee@naver.com'], 'Subject: via smtplib\\r\\n\\r\\nbody\\r\\n')\n"
      "assert refused == {}, refused\n"
      "s.quit()\n"
      "print('sent')\n";
  std::ofstream(state + "/client.py") << script;
  std::string client_out = state + "/client.out";
  int rc = std::system(("timeout 60 python3 " + quote(state + "/client.py") + " >" + quote(client_out) + " 2>&1").c_str());
  ::kill(pid, SIGTERM);
  EXPECT_EQ(rc, 0) << read_file(client_out) << read_file(log);
  EXPECT_EQ(read_file(client_out), "sent\n");
  // SIGTERM ends the server cleanly, and --state then contains lee's mailbox.
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(read_file(state + "/mail.naver.com/var/mail/lee").find("Subject: via smtplib"), std::string::npos)
      << read_file(log);
}

}  // namespace
}  // namespace mailsim::e2e

namespace mailsim::e2e {
namespace {

// Starts `mailsim serve --listen` on a free loopback port in the background.
struct Server {
  int pid = 0;
  int port = 0;
  std::string log;
  ~Server() {
    if (pid > 0) ::kill(pid, SIGTERM);
  }
};

void start_server(Server& s, const std::string& scenario, const std::string& protocol, const std::string& peer,
                  const std::string& state) {
  s.port = free_port();
  s.log = state + "/serve-" + protocol + ".log";
  std::string cmd = quote(MAILSIM_BINARY) + " serve " + quote(scenario) + " --host mail.naver.com --protocol " +
                    protocol + " --listen 127.0.0.1:" + std::to_string(s.port) + " --peer " + peer + " --state " +
                    quote(state) + " >" + quote(s.log) + " 2>&1 & echo $!";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return;
  if (fscanf(p, "%d", &s.pid) != 1) s.pid = 0;
  pclose(p);
  for (int i = 0; i < 100 && read_file(s.log).find("listening") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

std::string run_python(const std::string& dir, const std::string& script) {
  std::ofstream(dir + "/client.py") << script;
  std::system(("timeout 60 python3 " + quote(dir + "/client.py") + " >" + quote(dir + "/client.out") + " 2>&1").c_str());
  return read_file(dir + "/client.out");
}

// poplib and imaplib read what was in the recorded mailboxes; curl speaks
// POP3 and IMAP URLs to the same servers.
TEST(Serve, PoplibImaplibAndCurl) {
  if (std::system("python3 -c 'import poplib, imaplib' >/dev/null 2>&1") != 0) GTEST_SKIP() << "no python3";
  std::string scenario = std::string(MAILSIM_SOURCE_DIR) + "/scenarios/reference-capture.yaml";
  std::string state = temp_dir();
  {
    Server pop;
    start_server(pop, scenario, "pop3", "127.0.0.1", state);
    ASSERT_GT(pop.pid, 0);
    std::string out = run_python(state,
                                 "import poplib\n"
                                 "p = poplib.POP3('127.0.0.1', " + std::to_string(pop.port) + ", timeout=20)\n"
                                 "p.user('lee'); p.pass_('1234')\n"
                                 "print(p.stat())\n"
                                 "resp, lines, octets = p.retr(1)\n"
                                 "print(resp.decode(), b'Subject: ' in b'\\n'.join(lines))\n"
                                 "p.quit()\n");
    // lee's recorded mailbox: 4 messages, 1911 octets (CRLF counted), the first of 441.
    EXPECT_EQ(out, "(4, 1911)\n+OK 441 octets True\n") << out << read_file(pop.log);
    if (std::system("curl --version >/dev/null 2>&1") == 0) {
      std::string cmd = "timeout 30 curl -s --user lee:1234 pop3://127.0.0.1:" + std::to_string(pop.port) + "/ >" +
                        quote(state + "/curl.out") + " 2>&1";
      EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(state + "/curl.out");
      EXPECT_EQ(read_file(state + "/curl.out"), "1 441\r\n2 659\r\n3 421\r\n4 390\r\n");
    }
  }
  {
    Server imap;
    start_server(imap, scenario, "imap", "127.0.0.1", state);
    ASSERT_GT(imap.pid, 0);
    std::string out = run_python(state,
                                 "import imaplib\n"
                                 "m = imaplib.IMAP4('127.0.0.1', " + std::to_string(imap.port) + ")\n"
                                 "m.login('kim', '1234')\n"
                                 "typ, data = m.select('INBOX')\n"
                                 "print(typ, data)\n"
                                 "typ, data = m.fetch('1', '(RFC822.SIZE)')\n"
                                 "print(typ, data)\n"
                                 "m.logout()\n");
    // kim's recorded mailbox has 7 messages; the first is 410 octets.
    EXPECT_EQ(out, "OK [b'7']\nOK [b'1 (RFC822.SIZE 410)']\n") << out << read_file(imap.log);
  }
}

TEST(Serve, ImapSessionOverStdio) {
  std::string state = temp_dir();
  Outcome smtp = serve_stdio({"--state", state, lab(), "--host", "mail.naver.com", "--protocol", "smtp"},
                             "HELO pc\nMAIL FROM:<kim@daum.net>\nRCPT TO:<lee@naver.com>\nDATA\nSubject: for imap\n\n"
                             "read me over IMAP\n.\nQUIT\n");
  ASSERT_EQ(smtp.status, 0) << smtp.err;
  Outcome imap = serve_stdio({"--state", state, lab(), "--host", "mail.naver.com", "--protocol", "imap"},
                             "a1 LOGIN lee lee\na2 SELECT INBOX\na3 FETCH 1 (FLAGS BODY.PEEK[TEXT])\n"
                             "a4 STORE 1 +FLAGS (\\Deleted)\na5 EXPUNGE\na6 LOGOUT\n");
  ASSERT_EQ(imap.status, 0) << imap.err;
  EXPECT_EQ(imap.out.rfind("* OK [CAPABILITY IMAP4rev1 ", 0), 0u) << imap.out;
  EXPECT_NE(imap.out.find("* 1 EXISTS\r\n"), std::string::npos) << imap.out;
  EXPECT_NE(imap.out.find("BODY[TEXT] {19}\r\nread me over IMAP\r\n)"), std::string::npos) << imap.out;
  EXPECT_NE(imap.out.find("* 1 EXPUNGE\r\n"), std::string::npos) << imap.out;
  EXPECT_NE(imap.out.find("a6 OK Logout completed"), std::string::npos) << imap.out;
}

TEST(Serve, WrongPop3PasswordIsDelayed) {
  Outcome pop = serve_stdio({lab(), "--host", "mail.naver.com", "--protocol", "pop3"}, "USER lee\nPASS nope\nQUIT\n");
  ASSERT_EQ(pop.status, 0) << pop.err;
  EXPECT_EQ(pop.out, "+OK Dovecot (Debian) ready.\r\n+OK\r\n-ERR [AUTH] Authentication failed.\r\n+OK Logging out\r\n");
}

}  // namespace
}  // namespace mailsim::e2e

namespace mailsim::e2e {
namespace {

// Mail that bounces (the remote user does not exist) makes a DSN inside the
// simulation; the served session still ends once the client is done.
TEST(Serve, EndsAfterSessionThatBounces) {
  std::string dir = temp_dir();
  std::ofstream(dir + "/in") << "EHLO pc\nMAIL FROM:<lee@naver.com>\nRCPT TO:<nosuch@daum.net>\nDATA\nSubject: x\n\nbody\n.\nQUIT\n";
  std::string cmd = "timeout 60 " + quote(MAILSIM_BINARY) + " serve " + quote(lab()) +
                    " --host mail.naver.com --protocol smtp --stdio <" + quote(dir + "/in") + " >" +
                    quote(dir + "/out") + " 2>&1";
  int raw = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 0) << read_file(dir + "/out");  // 124 would mean timeout killed it
  EXPECT_NE(read_file(dir + "/out").find("221 2.0.0 mail.naver.com closing connection"), std::string::npos);
}

}  // namespace
}  // namespace mailsim::e2e
