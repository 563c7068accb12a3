#!/bin/sh
# ntp_server_batch: the server's batched path with a mix in one batch. The
# server is stopped (SIGSTOP) while a burst queues up in its socket: good
# requests from many client sockets interleaved with malformed ones, a mode
# the server does not answer, and requests from a denied address; then it
# continues (SIGCONT) and reads them in batches. Every good request gets
# exactly one valid reply, on its own socket, echoing its own transmit
# timestamp; nothing else gets an answer.
. test/system/lib.sh

if [ ! -x "$CHRONYD" ]; then
    skip ntp_server_batch "build $CHRONYD first"
    exit 0
fi
if ! command -v python3 > /dev/null; then
    skip ntp_server_batch "no python3"
    exit 0
fi

port=$(free_port)
cat > "$TMP/batch.conf" <<EOF
pidfile $TMP/batch.pid
bindcmdaddress $TMP/batch.sock
cmdport 0
port $port
allow 127.0.0.0/8
deny 127.0.0.2
local stratum 8
EOF
spawn "$CHRONYD" -x -d -u root -f "$TMP/batch.conf" > "$TMP/batch.log" 2>&1
SPID=$!

cat > "$TMP/burst.py" <<'EOF'
import os, random, select, signal, socket, struct, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])

def request(tx, mode=3, version=4):
    return struct.pack("!BBbb11I", (version << 3) | mode, 0, 6, -20, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                       tx >> 32, tx & 0xffffffff)

def sock(addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    return s

# wait until the server answers
probe = sock()
for _ in range(100):
    probe.sendto(request(1), ("127.0.0.1", port))
    if select.select([probe], [], [], 0.1)[0]:
        probe.recv(2048)
        break
else:
    print("FAIL batch_server_ready")
    sys.exit(0)

rng = random.Random(7)
good, bad = [], []
os.kill(pid, signal.SIGSTOP)
try:
    for i in range(60):
        kind = rng.choice(["good", "good", "good", "short", "mode6", "denied", "odd"])
        tx = rng.getrandbits(64) | 1 << 63
        if kind == "denied":
            s = sock("127.0.0.2")
        else:
            s = sock()
        data = request(tx)
        if kind == "short":
            data = data[:47]
        elif kind == "odd":
            data = data + b"\0\0"
        elif kind == "mode6":
            data = request(tx, mode=6)
        s.sendto(data, ("127.0.0.1", port))
        (good if kind == "good" else bad).append((s, tx))
finally:
    os.kill(pid, signal.SIGCONT)

ok = True
end = time.time() + 2.0
for s, tx in good:
    r = select.select([s], [], [], max(0.0, end - time.time()))[0]
    if not r:
        print("    no reply for %x" % tx); ok = False; continue
    d = s.recv(2048)
    if len(d) != 48:
        print("    reply of %d bytes" % len(d)); ok = False; continue
    f = struct.unpack("!BBbb11I", d)
    orig = f[9] << 32 | f[10]
    if f[0] & 7 != 4 or f[1] != 8 or orig != tx or (f[11] | f[12]) == 0 or (f[13] | f[14]) == 0:
        print("    reply with mode %d stratum %d originate %x, want %x" % (f[0] & 7, f[1], orig, tx))
        ok = False
time.sleep(0.3)
extra = [s for s, _ in good + bad if select.select([s], [], [], 0)[0]]
print("%s batch_good_answered (%d good, %d bad in one burst)" % ("PASS" if ok else "FAIL", len(good), len(bad)))
print("%s batch_nothing_else_answered" % ("FAIL" if extra else "PASS"))
EOF

python3 "$TMP/burst.py" "$port" "$SPID"
kill -0 "$SPID" 2>/dev/null && pass batch_server_alive || fail batch_server_alive
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
check batch_no_errors_logged sh -c "! grep -qi 'error\|sanitizer\|runtime error' '$TMP/batch.log'"
