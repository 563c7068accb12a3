#!/usr/bin/env python3
"""cmdrecord: records the golden fixtures of chronyc's command protocol.

Starts three of Debian's chronyd 4.3 on loopback, every one with -x (no clock
control) and without CAP_SYS_TIME, in a temporary directory:
  A  a server: local stratum 8, smoothing, manual input, a symmetric key
  C  a second server, answering D as a passive peer
  B  a client of A (authenticated), with an idle SOCK refclock
  D  a peer of C at 127.0.0.2 and a client of A at 127.0.0.3
Only 127.0.0.1 has a name (in /etc/hosts): fixtures of D are recorded with
-n, so that printing them never asks a DNS server for a name.
Once B has samples, Debian's chronyc runs each command of PLAN through a
proxy on a Unix socket that records every request and reply. For each
command, test/data/cmdreplay/NAME.rec holds the exchanges and chronyc's exit
status, NAME.out what chronyc printed on stdout (NAME.err stderr, if any).

The fixtures are committed; run this only to record them again, then
test/tools/cmdsynth.py (it derives some fixtures from these):
    python3 test/tools/cmdrecord.py [OUTDIR] && python3 test/tools/cmdsynth.py [OUTDIR]
"""
import os
import random
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CHRONYD = "/usr/sbin/chronyd"
CHRONYC = "/usr/bin/chronyc"
SETPRIV = ["setpriv", "--inh-caps=-sys_time", "--bounding-set=-sys_time"]
WARMUP_S = int(os.environ.get("CMDREC_WARMUP", "25"))                  # samples B collects before recording
REPLY_TIMEOUT_S = 2.0
KEY = "1 SHA1 HEX:4A3E94B6C2F1D0A8B7C6D5E4F30211223344556677"

# (fixture name, daemon, chronyc arguments). Fixtures of one daemon are
# recorded in this order (clients -r resets A's counters: last).
PLAN = [
    ("tracking", "b", ["tracking"]),
    ("tracking_local", "a", ["tracking"]),
    ("sources", "b", ["sources"]),
    ("sources_names", "b", ["-N", "sources", "-a"]),
    ("sourcestats", "b", ["sourcestats"]),
    ("selectdata", "b", ["selectdata"]),
    ("authdata", "b", ["authdata"]),
    ("ntpdata", "b", ["ntpdata"]),
    ("ntpdata_addr", "b", ["ntpdata", "127.0.0.1"]),
    ("ntpdata_unknown", "b", ["ntpdata", "127.0.0.2"]),
    ("activity", "b", ["activity"]),
    ("activity_server", "a", ["activity"]),
    ("serverstats", "a", ["serverstats"]),
    ("rtcdata", "b", ["rtcdata"]),
    ("smoothing", "a", ["smoothing"]),
    ("smoothing_off", "b", ["smoothing"]),
    ("sourcename", "b", ["sourcename", "127.0.0.1"]),
    ("sourcename_unknown", "b", ["sourcename", "127.0.0.2"]),
    ("waitsync", "b", ["waitsync", "3", "0", "0", "0.1"]),
    ("waitsync_unsynced", "a", ["waitsync", "3", "0", "0", "0.1"]),
    ("settime", "a", ["settime", "@SETTIME"]),
    ("settime2", "a", ["settime", "@SETTIME"]),
    ("manual_list", "a", ["manual", "list"]),
    ("manual_list_empty", "b", ["manual", "list"]),
    ("sources_peer", "d", ["-n", "sources"]),
    ("sourcestats_peer", "d", ["-n", "sourcestats"]),
    ("selectdata_peer", "d", ["-n", "selectdata"]),
    ("authdata_peer", "d", ["-n", "authdata"]),
    ("ntpdata_peer", "d", ["-n", "ntpdata"]),
    ("clients", "a", ["clients"]),
    ("clients_nke", "a", ["clients", "-k"]),
    ("clients_reset", "a", ["clients", "-p", "1", "-r"]),
]


def free_udp_port():
    """A loopback UDP port nothing is bound to."""
    while True:
        port = random.randint(30000, 39999)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()


def write_config(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def start_daemon(tmp, name, lines):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    os.chmod(d, 0o770)          # chronyd wants its socket directory 0770
    conf = os.path.join(d, "chrony.conf")
    write_config(conf, lines + [
        "bindcmdaddress %s/chronyd.sock" % d,
        "pidfile %s/chronyd.pid" % d,
        "driftfile %s/drift" % d,
    ])
    for line in open(conf):
        # loopback addresses only, every file in the temporary directory
        for word in line.split():
            if re.fullmatch(r"[0-9.]+", word) and word.count(".") == 3:
                assert word.startswith("127."), line
            if word.startswith("/"):
                assert word.startswith(tmp + "/"), line
    log = open(os.path.join(d, "log"), "w")
    cmd = SETPRIV + [CHRONYD, "-x", "-d", "-u", "root", "-f", conf]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    return proc, os.path.join(d, "chronyd.sock")


def wait_for(path, timeout_s=5.0):
    end = time.time() + timeout_s
    while time.time() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False


class Proxy:
    """A Unix datagram socket that passes requests to a daemon socket and
    keeps every request with its reply."""

    def __init__(self, directory, daemon_socket):
        self.path = os.path.join(directory, "chronyd.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.up_path = os.path.join(directory, "upstream.sock")
        self.up = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.up.bind(self.up_path)
        os.chmod(self.up_path, 0o666)
        self.up.connect(daemon_socket)
        self.exchanges = []

    def serve_until(self, proc):
        while proc.poll() is None:
            r, _, _ = select.select([self.sock], [], [], 0.05)
            if not r:
                continue
            request, client = self.sock.recvfrom(4096)
            self.up.send(request)
            r, _, _ = select.select([self.up], [], [], REPLY_TIMEOUT_S)
            if not r:
                self.exchanges.append((request, None))
                continue
            reply = self.up.recv(4096)
            self.exchanges.append((request, reply))
            self.sock.sendto(reply, client)

    def close(self):
        self.sock.close()
        self.up.close()
        for p in (self.path, self.up_path):
            if os.path.exists(p):
                os.unlink(p)


def record(tmp, outdir, name, daemon_socket, args):
    pdir = os.path.join(tmp, "proxy-" + name)
    os.mkdir(pdir)
    proxy = Proxy(pdir, daemon_socket)
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    proc = subprocess.Popen([CHRONYC, "-h", proxy.path] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    # stdout is read after the exchanges: reports fit in the pipe
    proxy.serve_until(proc)
    out, err = proc.communicate()
    proxy.close()
    shutil.rmtree(pdir, ignore_errors=True)

    with open(os.path.join(outdir, name + ".rec"), "w") as f:
        f.write("# chronyc %s\n" % " ".join(args))
        f.write("# recorded from Debian's chronyd 4.3 with Debian's chronyc 4.3\n")
        f.write("# by test/tools/cmdrecord.py: Q request, R reply (hex), X exit status\n")
        f.write("A %s\n" % " ".join(args))
        f.write("X %d\n" % proc.returncode)
        for request, reply in proxy.exchanges:
            f.write("Q %s\n" % request.hex())
            if reply is not None:
                f.write("R %s\n" % reply.hex())
    with open(os.path.join(outdir, name + ".out"), "wb") as f:
        f.write(out)
    err_path = os.path.join(outdir, name + ".err")
    if err:
        with open(err_path, "wb") as f:
            f.write(err)
    elif os.path.exists(err_path):
        os.unlink(err_path)
    print("%-22s rc=%d exchanges=%d" % (name, proc.returncode, len(proxy.exchanges)))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "test/data/cmdreplay"
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="cw-cmdrec.")
    os.chmod(tmp, 0o755)
    with open(os.path.join(tmp, "keys"), "w") as f:
        f.write(KEY + "\n")
    pa, pb, pc, pd = free_udp_port(), free_udp_port(), free_udp_port(), free_udp_port()
    ca, cb = free_udp_port(), free_udp_port()
    procs = []
    try:
        a, sock_a = start_daemon(tmp, "a", [
            "local stratum 8", "allow 127.0.0.0/8", "port %d" % pa, "cmdport %d" % ca,
            "bindcmdaddress 127.0.0.1", "keyfile %s/keys" % tmp, "smoothtime 400 0.001",
            "manual"])
        procs.append(a)
        c, sock_c = start_daemon(tmp, "c", [
            "local stratum 9", "allow 127.0.0.0/8", "port %d" % pc, "cmdport 0"])
        procs.append(c)
        b, sock_b = start_daemon(tmp, "b", [
            "server 127.0.0.1 port %d iburst minpoll -2 maxpoll -2 key 1" % pa,
            "refclock SOCK %s/b/refclock.sock refid TST1 noselect" % tmp,
            "port %d" % pb, "cmdport %d" % cb, "bindcmdaddress 127.0.0.1",
            "keyfile %s/keys" % tmp])
        procs.append(b)
        d, sock_d = start_daemon(tmp, "d", [
            "peer 127.0.0.2 port %d minpoll -2 maxpoll -2" % pc,
            "server 127.0.0.3 port %d iburst minpoll -2 maxpoll -2" % pa,
            "port %d" % pd, "cmdport 0"])
        procs.append(d)
        sockets = {"a": sock_a, "b": sock_b, "c": sock_c, "d": sock_d}
        for s in sockets.values():
            if not wait_for(s):
                sys.exit("daemon socket %s did not appear" % s)
        time.sleep(WARMUP_S)
        if os.environ.get("CMDREC_DEBUG"):
            for n in "abcd":
                print(n, open(os.path.join(tmp, n, "log")).read())
        # a few monitoring requests to A over UDP, so its client log has
        # command hits too
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.connect(("127.0.0.1", ca))
        for _ in range(3):
            hdr = bytes([6, 1, 0, 0, 0, 44, 0, 0]) + os.urandom(4) + bytes(8)
            u.send(hdr.ljust(48, b"\0"))
            select.select([u], [], [], 1.0)
            try:
                u.recv(4096, socket.MSG_DONTWAIT)
            except OSError:
                pass
        u.close()

        for name, daemon, args in PLAN:
            if "@SETTIME" in args:
                # the current second, given at its start: manual samples
                # that agree with each other
                time.sleep(2.0 - time.time() % 1.0)
                args = [time.strftime("%H:%M:%S", time.gmtime(int(time.time())))
                        if a == "@SETTIME" else a for a in args]
            record(tmp, outdir, name, sockets[daemon], args)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
