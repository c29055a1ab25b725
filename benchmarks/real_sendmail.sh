#!/usr/bin/env bash
# Real Sendmail next to `mailsim bench`. Runs Debian's Sendmail 8.17
# (sendmail-bin) as a daemon of its own on 127.0.0.1, port 2525 by default.
# The daemon accepts mail for sink@bench.localdomain and delivers it to
# /dev/null through an alias. A Python smtplib load generator sends one SMTP
# session per message, a few sessions at once. Prints messages accepted per
# wall second, and the rate up to the moment the queue is empty again.
#
# The daemon uses its own configuration, queue folder, alias file and PID
# file under a temporary folder, and listens on 127.0.0.1 only. It is stopped
# by its PID at the end. Installs sendmail-bin and sendmail-cf with apt-get
# when they are missing (on Debian a policy-rc.d that denies starting
# services keeps the packaged daemon from starting).
#
# Needs root: the daemon and the load generator run in a network namespace
# and a UTS namespace of their own (unshare(1)) that contain only a loopback
# interface and a host name with a dot. Sendmail 8.17 qualifies the host
# name before it reads its configuration, through /etc/mail/service.switch
# and the C library resolver. If the name stays unqualified it sleeps 60 s
# ("My unqualified host name (...) unknown; sleeping for retry") at every
# start. In the namespace the name is qualified, and each DNS query that the
# C library still tries fails at once with "network unreachable" instead of
# leaving the machine.
#
# Usage: benchmarks/real_sendmail.sh [MESSAGES] [SESSIONS_AT_ONCE]   (defaults: 2000, 8)
# Environment: SENDMAIL_PORT (default 2525); SENDMAIL_WORK_BASE, where the
# temporary folder goes (default: $HOME; no folder on its path may be group-
# or world-writable).
set -euo pipefail

messages=${1:-2000}
sessions=${2:-8}
port=${SENDMAIL_PORT:-2525}
cfdir=/usr/share/sendmail/cf

if [[ ! -x /usr/sbin/sendmail-mta || ! -d $cfdir ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends sendmail-bin sendmail-cf m4
fi

if [[ -z ${REAL_SENDMAIL_IN_NAMESPACE:-} ]]; then
  if [[ $EUID -ne 0 ]]; then
    echo "real_sendmail.sh: must run as root, to create the namespaces and run the daemon" >&2
    exit 1
  fi
  export REAL_SENDMAIL_IN_NAMESPACE=1
  exec unshare --net --uts -- bash "${BASH_SOURCE[0]}" "$@"
fi
ip link set lo up
hostname mta.bench.localdomain

# Sendmail refuses files under a group- or world-writable folder such as /tmp.
work=$(mktemp -d "${SENDMAIL_WORK_BASE:-$HOME}/real_sendmail.XXXXXX")
mkdir -p "$work/mqueue" "$work/clientmqueue"
chmod 700 "$work/mqueue"
printf 'hosts files\naliases files\n' >"$work/service.switch"
printf 'sink: /dev/null\n' >"$work/aliases"
printf 'bench.localdomain\n' >"$work/local-host-names"
touch "$work/statistics"

# RefuseLA and QueueLA are raised far above Sendmail's defaults (12 and 8 per
# CPU), so that load from other programs does not make the daemon pause
# accepting or only queue. The listen queue is raised from Sendmail's default
# of 10 with the Listen= key of DaemonPortOptions (confLISTEN_QUEUE_SIZE is
# no cf macro). With 10, 32 sessions at once overflow the accept queue, and
# Linux drops the client's final ACK of the handshake. If the kernel sent a
# SYN cookie for that connection, it keeps no state to retransmit from, so the
# client waits for a greeting until its own timeout.
# no_default_msa removes the message submission daemon that Sendmail adds on
# port 587 of all addresses.
cat >"$work/bench.mc" <<EOF
divert(-1)
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`bench.localdomain')dnl
define(\`confCF_VERSION', \`bench')dnl
define(\`confSERVICE_SWITCH_FILE', \`$work/service.switch')dnl
define(\`confHOSTS_FILE', \`/etc/hosts')dnl
define(\`ALIAS_FILE', \`$work/aliases')dnl
define(\`confCW_FILE', \`$work/local-host-names')dnl
define(\`QUEUE_DIR', \`$work/mqueue')dnl
define(\`MSP_QUEUE_DIR', \`$work/clientmqueue')dnl
define(\`STATUS_FILE', \`$work/statistics')dnl
define(\`confPID_FILE', \`$work/sendmail.pid')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confMAX_DAEMON_CHILDREN', \`0')dnl
define(\`confCONNECTION_RATE_THROTTLE', \`0')dnl
define(\`confDELIVERY_MODE', \`background')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`use_cw_file')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA, Listen=128')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
m4 "$cfdir/m4/cf.m4" "$work/bench.mc" >"$work/bench.cf"
/usr/sbin/sendmail-mta -C "$work/bench.cf" -bi >/dev/null

/usr/sbin/sendmail-mta -C "$work/bench.cf" -bd -q1h
for _ in $(seq 50); do
  [[ -s $work/sendmail.pid ]] && break
  sleep 0.1
done
daemon_pid=$(head -1 "$work/sendmail.pid")
stop() {
  kill "$daemon_pid" 2>/dev/null || true
  # The daemon removes its PID file as it exits, which may take up to 10 s.
  for _ in $(seq 100); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
echo "# $(date); $(nproc) cores; sendmail-bin $(dpkg-query -W -f '${Version}' sendmail-bin); daemon PID $daemon_pid"

python3 - "$port" "$messages" "$sessions" "$work/mqueue" <<'EOF'
import os
import smtplib
import sys
import threading
import time

port, messages, sessions, queue_dir = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
body = ("Subject: bench\r\n\r\n" + ("a" * 63 + "\r\n") * 14).encode()  # about 1 KB
next_index = 0
failed = 0
# Wall seconds from connect() to the end of QUIT, one entry per session,
# failed sessions included.
session_seconds = []
slow_session_seconds = 5.0
lock = threading.Lock()


def listen_overflows():
    """Return TcpExt ListenOverflows of this network namespace (Linux /proc/net/netstat)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split()))["ListenOverflows"])
    raise RuntimeError("TcpExt counters not found in /proc/net/netstat")


def send_some():
    global next_index, failed
    while True:
        with lock:
            if next_index >= messages:
                return
            next_index += 1
        session_start = time.monotonic()
        try:
            with smtplib.SMTP("127.0.0.1", port, local_hostname="loadgen.bench.localdomain", timeout=60) as s:
                s.sendmail("loadgen@bench.localdomain", ["sink@bench.localdomain"], body)
        except (smtplib.SMTPException, OSError) as e:
            with lock:
                failed += 1
            print(f"real_sendmail.sh: a session failed after {time.monotonic() - session_start:.2f} s: {e}",
                  file=sys.stderr)
        with lock:
            session_seconds.append(time.monotonic() - session_start)


overflows_before = listen_overflows()
start = time.monotonic()
threads = [threading.Thread(target=send_some) for _ in range(sessions)]
for t in threads:
    t.start()
for t in threads:
    t.join()
accepted_at = time.monotonic() - start
# In background delivery mode a child process delivers each accepted
# message, so the queue folder empties when the last child is done.
while any(name.startswith(("qf", "df")) for name in os.listdir(queue_dir)):
    if time.monotonic() - start > accepted_at + 300:
        print("real_sendmail.sh: the queue did not empty within 300 s", file=sys.stderr)
        break
    time.sleep(0.05)
drained_at = time.monotonic() - start
accepted = messages - failed
print(f"messages accepted: {accepted} of {messages}, {sessions} sessions at once")
print(f"accepted in {accepted_at:.2f} s: {accepted / accepted_at:.0f} messages per wall second")
print(f"queue empty after {drained_at:.2f} s: {accepted / drained_at:.0f} messages per wall second")
slow_sessions = sum(1 for seconds in session_seconds if seconds > slow_session_seconds)
print(f"slowest session: {max(session_seconds):.3f} s; sessions over {slow_session_seconds:.0f} s: {slow_sessions}")
print(f"listen queue overflows (TcpExt ListenOverflows): {listen_overflows() - overflows_before}")
EOF
