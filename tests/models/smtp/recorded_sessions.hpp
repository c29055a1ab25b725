// Sessions recorded from Sendmail 8.17.1.9 (Debian 12 build) acting as
// mail.naver.com on loopback, with MaxMessageSize=10000. `S:` lines are the
// server, `C:` lines the client; CRLF line ends are not shown.
#pragma once

namespace mailsim::smtp::testing {

inline const char kA01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:02:48 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<kim@naver.com>
S: 250 2.1.0 <kim@naver.com>... Sender ok
C: RCPT TO:<lee@naver.com>
S: 250 2.1.5 <lee@naver.com>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: kim@naver.com
C: To: lee@naver.com
C: Subject: test 1 (no Date, no Message-ID)
C: 
C: Hello lee,
C: this is message number one.
C: .
S: 250 2.0.0 6B4F2mUe015806 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kB01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:14 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO client.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kC01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:19 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: HELO pc1.naver.com
S: 250 mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
C: MAIL FROM:<lee@naver.com>
S: 250 2.1.0 <lee@naver.com>... Sender ok
C: RCPT TO:<kim@naver.com>
S: 250 2.1.5 <kim@naver.com>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: lee@naver.com
C: To: kim@naver.com
C: Subject: sent after HELO
C: 
C: plain SMTP (HELO) message
C: .
S: 250 2.0.0 6B4F3JM5016071 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kD01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:31 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<kim@naver.com>
S: 250 2.1.0 <kim@naver.com>... Sender ok
C: RCPT TO:<nobody1@naver.com>
S: 550 5.1.1 <nobody1@naver.com>... User unknown
C: RCPT TO:<nobody2@naver.com>
S: 550 5.1.1 <nobody2@naver.com>... User unknown
C: RCPT TO:<nobody3@mail.naver.com>
S: 550 5.1.1 <nobody3@mail.naver.com>... User unknown
C: RCPT TO:<nobody4>
S: 550 5.1.1 <nobody4>... User unknown
C: RCPT TO:<lee@naver.com>
S: 250 2.1.5 <lee@naver.com>... Recipient ok
C: RSET
S: 250 2.0.0 Reset state
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kE01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:42 GMT; (No UCE/UBE) logging access from: [127.0.0.2](FAIL)-[127.0.0.2]
C: EHLO client.daum.net
S: 250-mail.naver.com Hello [127.0.0.2], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<someone@daum.net>
S: 250 2.1.0 <someone@daum.net>... Sender ok
C: RCPT TO:<someone@daum.net>
S: 550 5.7.1 <someone@daum.net>... Relaying denied. IP name lookup failed [127.0.0.2]
C: RCPT TO:<kim@naver.com>
S: 250 2.1.5 <kim@naver.com>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: someone@daum.net
C: To: kim@naver.com
C: Subject: from 127.0.0.2
C: 
C: relay to daum.net was denied but local delivery works
C: .
S: 250 2.0.0 6B4F3gRP016077 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kE03[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:48 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<lee@naver.com>
S: 250 2.1.0 <lee@naver.com>... Sender ok
C: RCPT TO:<someone@daum.net>
S: 250 2.1.5 <someone@daum.net>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: lee@naver.com
C: To: someone@daum.net
C: Subject: to daum.net
C: 
C: this one will be queued
C: .
S: 250 2.0.0 6B4F3mmL016081 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kF01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:03:51 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: RCPT TO:<lee@naver.com>
S: 503 5.0.0 Need MAIL before RCPT
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kG01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:04:05 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: FOO
S: 500 5.5.1 Command unrecognized: "FOO"
C: FOO bar baz
S: 500 5.5.1 Command unrecognized: "FOO bar baz"
C: MAIL
S: 501 5.5.2 Syntax error in parameters scanning ""
C: SEND FROM:<kim@naver.com>
S: 502 5.5.1 Command not implemented: "SEND FROM:<kim@naver.com>"
C: TURN
S: 502 5.5.1 Command not implemented: "TURN"
C: ETRN naver.com
S: 250 2.0.0 Queuing for node naver.com started
C: STARTTLS
S: 454 4.3.3 TLS not available after start
C: AUTH LOGIN
S: 504 5.3.3 AUTH mechanism LOGIN not available
C: 
S: 500 5.5.1 Command unrecognized: ""
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kJ01[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:02:58 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<kim@naver.com>
S: 250 2.1.0 <kim@naver.com>... Sender ok
C: RCPT TO:<lee@naver.com>
S: 250 2.1.5 <lee@naver.com>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: kim@naver.com
C: To: lee@naver.com
C: Subject: test 2 dots and From lines
C: 
C: line before a lone dot
C: ..
C: ..leading dot line (sent as ..leading)
C: ...two leading dots (sent as three)
C: From the desk of kim: this body line starts with From-space
C: >From an already quoted line
C: from lowercase is not special
C:  From with a leading space
C: last line
C: .
S: 250 2.0.0 6B4F2wE1015885 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kX02[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:09:23 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: EHLO pc1.naver.com
S: 250-mail.naver.com Hello localhost [127.0.0.1], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE 10000
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<lee@naver.com>
C: RCPT TO:<kim@naver.com>
C: RCPT TO:<nobody9@naver.com>
C: DATA
S: 250 2.1.0 <lee@naver.com>... Sender ok
S: 250 2.1.5 <kim@naver.com>... Recipient ok
S: 550 5.1.1 <nobody9@naver.com>... User unknown
S: 354 End data with <CR><LF>.<CR><LF>
C: From: lee@naver.com
C: To: kim@naver.com
C: Subject: pipelined
C: 
C: pipelined body
C: .
S: 250 2.0.0 6B4F9Nvw016904 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kX03[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 15:09:27 GMT; (No UCE/UBE) logging access from: localhost(OK)-localhost [127.0.0.1]
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kPH1B[] =
    R"smtp(S: 220 mail.naver.com ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 17:08:10 GMT; (No UCE/UBE) logging access from: [127.0.111.200](FAIL)-[127.0.111.200]
C: EHLO mail.daum.net
S: 250-mail.naver.com Hello [127.0.111.200], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL From:<kim@daum.net> SIZE=165
S: 250 2.1.0 <kim@daum.net>... Sender ok
C: RCPT To:<lee@naver.com>
C: DATA
S: 250 2.1.5 <lee@naver.com>... Recipient ok
S: 354 End data with <CR><LF>.<CR><LF>
C: Received: from kim-pc.daum.net ([127.0.111.22])
C: 	by mail.daum.net (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id 6B4H87qM031312
C: 	for <lee@naver.com>; Fri, 4 Dec 2026 17:08:09 GMT
C: Date: Fri, 4 Dec 2026 17:08:07 GMT
C: Message-Id: <202612041708.6B4H87qM031312@mail.daum.net>
C: From: kim@daum.net
C: To: lee@naver.com
C: Subject: hello from daum.net
C: 
C: Hi lee,
C: this message went from kim's PC to mail.daum.net and from there to mail.naver.com.
C: -- kim
C: .
S: 250 2.0.0 6B4H8Age031315 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.naver.com closing connection
)smtp";

inline const char kPH1A[] =
    R"smtp(S: 220 mail.daum.net ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Fri, 4 Dec 2026 17:08:07 GMT; (No UCE/UBE) logging access from: [127.0.111.22](FAIL)-[127.0.111.22]
C: EHLO kim-pc.daum.net
S: 250-mail.daum.net Hello [127.0.111.22], pleased to meet you
S: 250-ENHANCEDSTATUSCODES
S: 250-PIPELINING
S: 250-EXPN
S: 250-VERB
S: 250-8BITMIME
S: 250-SIZE
S: 250-DSN
S: 250-ETRN
S: 250-AUTH DIGEST-MD5 CRAM-MD5
S: 250-DELIVERBY
S: 250 HELP
C: MAIL FROM:<kim@daum.net>
S: 250 2.1.0 <kim@daum.net>... Sender ok
C: RCPT TO:<lee@naver.com>
S: 250 2.1.5 <lee@naver.com>... Recipient ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: From: kim@daum.net
C: To: lee@naver.com
C: Subject: hello from daum.net
C: 
C: Hi lee,
C: this message went from kim's PC to mail.daum.net and from there to mail.naver.com.
C: -- kim
C: .
S: 250 2.0.0 6B4H87qM031312 Message accepted for delivery
C: QUIT
S: 221 2.0.0 mail.daum.net closing connection
)smtp";

}  // namespace mailsim::smtp::testing
