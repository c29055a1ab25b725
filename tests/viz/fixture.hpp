// A small run in the JSON form `mailsim run --json` writes: kim@daum.net mails lee@naver.com
// through steps (1)-(9), with the SMTP and DNS writes of steps (1) and (3). `refused` replaces
// step (4) with a refused connection followed by an hour in the queue and a second refusal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace mailsim::viz::testing {

inline nlohmann::json fixture_topology() {
  return nlohmann::json::parse(R"({
    "hosts": [
      {"name": "mail.naver.com", "address": "10.0.2.100", "services": ["dovecot", "named", "sendmail"],
       "nameservers": ["10.0.2.100"], "up": true},
      {"name": "mail.daum.net", "address": "10.0.2.200", "services": ["dovecot", "sendmail"],
       "nameservers": ["10.0.2.100"], "up": true},
      {"name": "lee-pc.naver.com", "address": "10.0.2.15", "services": [], "nameservers": ["10.0.2.100"], "up": true},
      {"name": "kim-pc.daum.net", "address": "10.0.2.25", "services": [], "nameservers": ["10.0.2.100"], "up": true}
    ],
    "routers": ["lan"],
    "links": [
      {"a": "mail.naver.com", "b": "lan", "latency": 0.0005, "bandwidth": 12500000},
      {"a": "mail.daum.net", "b": "lan", "latency": 0.0005, "bandwidth": 12500000},
      {"a": "lee-pc.naver.com", "b": "lan", "latency": 0.0005, "bandwidth": 12500000},
      {"a": "kim-pc.daum.net", "b": "lan", "latency": 0.0005, "bandwidth": 12500000}
    ],
    "zones": [
      {"server": "mail.naver.com", "domain": "naver.com", "mx": [{"preference": 10, "exchange": "mail.naver.com."}], "error": ""},
      {"server": "mail.naver.com", "domain": "daum.net", "mx": [{"preference": 10, "exchange": "mail.daum.net."}], "error": ""}
    ]
  })");
}

inline nlohmann::json step(int number, double start, double end, const std::string& from, const std::string& to,
                           const std::string& protocol, const std::string& detail, const std::string& outcome = "ok") {
  return {{"step", number}, {"start", start}, {"end", end}, {"from", from}, {"to", to}, {"protocol", protocol},
          {"recipient", "lee@naver.com"}, {"detail", detail}, {"outcome", outcome}};
}

inline nlohmann::json write(double start, int connection, const std::string& protocol, const std::string& client,
                            const std::string& server, char direction, const std::string& bytes) {
  return {{"start", start}, {"end", start + 0.0005}, {"connection", connection}, {"protocol", protocol},
          {"client_host", client}, {"server_host", server}, {"client_ip", ""}, {"server_ip", ""},
          {"direction", std::string(1, direction)}, {"bytes", bytes}, {"size", bytes.size()}};
}

inline nlohmann::json fixture_run(bool refused = false) {
  using nlohmann::json;
  json steps = json::array();
  steps.push_back(step(1, 0.002, 0.018, "kim-pc.daum.net", "mail.daum.net", "smtp", "250 Message accepted for delivery"));
  steps.push_back(step(2, 0.017, 0.017, "mail.daum.net", "mail.daum.net mqueue", "queue", "queued as Q1 in /var/spool/mqueue"));
  steps.push_back(step(3, 0.017, 0.021, "mail.daum.net", "mail.naver.com (named)", "dns",
                       "MX of naver.com -> mail.naver.com, A -> 10.0.2.100"));
  json queues;
  if (refused) {
    steps.push_back(step(4, 0.021, 0.023, "mail.daum.net", "mail.naver.com", "smtp",
                         "10.0.2.100:25: Connection refused by mail.naver.com.", "refused"));
    steps.push_back(step(2, 0.017, 3600.0, "mail.daum.net", "mail.daum.net mqueue", "queue", "queued as Q1 in /var/spool/mqueue"));
    steps.push_back(step(3, 3600.0, 3600.004, "mail.daum.net", "mail.naver.com (named)", "dns",
                         "MX of naver.com -> mail.naver.com, A -> 10.0.2.100"));
    steps.push_back(step(4, 3600.004, 3600.006, "mail.daum.net", "mail.naver.com", "smtp",
                         "10.0.2.100:25: Connection refused by mail.naver.com.", "refused"));
    queues = {{"mail.daum.net", {{"max_depth", 1}, {"mean_depth", 1.0}, {"samples", {{0, 0}, {0.017, 1}}}}}};
  } else {
    steps.push_back(step(4, 0.021, 0.025, "mail.daum.net", "mail.naver.com", "smtp", "connect 10.0.2.100:25, banner, EHLO"));
    steps.push_back(step(5, 0.025, 0.031, "mail.daum.net", "mail.naver.com", "smtp", "MAIL, RCPT, DATA: 250 accepted"));
    steps.push_back(step(6, 0.031, 0.031, "mail.naver.com", "mail.naver.com local MDA", "local", "lee@naver.com is local"));
    steps.push_back(step(7, 0.031, 1.031, "mail.naver.com local MDA", "mail.naver.com:/var/mail/lee", "local",
                         "procmail appends Q2 to /var/mail/lee"));
    steps.push_back(step(8, 30.002, 30.012, "lee-pc.naver.com", "mail.naver.com", "pop3", "USER/PASS, STAT, LIST as lee"));
    steps.push_back(step(9, 30.012, 30.014, "mail.naver.com", "lee-pc.naver.com", "pop3", "RETR 1: 626 octets"));
    queues = {{"mail.daum.net", {{"max_depth", 1}, {"mean_depth", 0.01}, {"samples", {{0, 0}, {0.017, 1}, {1.03, 0}}}}}};
  }
  json transcript = json::array();
  transcript.push_back(write(0.003, 1, "smtp", "kim-pc.daum.net", "mail.daum.net", 'S', "220 mail.daum.net ESMTP\r\n"));
  transcript.push_back(write(0.004, 1, "smtp", "kim-pc.daum.net", "mail.daum.net", 'C', "EHLO kim-pc.daum.net\r\n"));
  transcript.push_back(write(0.005, 1, "smtp", "kim-pc.daum.net", "mail.daum.net", 'S',
                             "250-mail.daum.net Hello [10.0.2.25], pleased to meet you\r\n250 HELP\r\n"));
  transcript.push_back(write(0.0171, 0, "dns", "mail.daum.net", "mail.naver.com", 'C', "query 7 ? naver.com. IN MX\r\n"));
  transcript.push_back(write(0.019, 0, "dns", "mail.daum.net", "mail.naver.com", 'S',
                             "answer 7 ? naver.com. IN MX\r\nrcode NOERROR aa=1 1 answer, 0 authority, 0 additional\r\n"
                             "  naver.com. 10800 IN MX 10 mail.naver.com.\r\n"));
  // QUIT's reply comes after step (1) ended: it stays with its connection.
  transcript.push_back(write(0.0185, 1, "smtp", "kim-pc.daum.net", "mail.daum.net", 'S', "221 2.0.0 closing connection\r\n"));
  json message = {{"id", "kim-to-lee"}, {"from", "kim@daum.net"}, {"to", {"lee@naver.com"}}, {"size", 165},
                  {"status", refused ? "queued" : "delivered"}, {"submitted", 0.002},
                  {"delivered", refused ? json(nullptr) : json(1.031)}, {"retrieved", refused ? json(nullptr) : json(30.014)},
                  {"steps", steps}, {"recipients", json::array()}};
  return {{"scenario", "fixture"}, {"seed", 1}, {"end_time", refused ? 7200.0 : 30.02}, {"stopped_by_duration", refused},
          {"messages", {message}}, {"queues", queues}, {"balance", json::object()}, {"transcript", transcript},
          {"topology", fixture_topology()}};
}

}  // namespace mailsim::viz::testing
