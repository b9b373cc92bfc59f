#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# mllp_stress.py: crash-consistency and hostile-peer clients for the mllpd tests.
"""mllp_stress.py COMMAND [options] ...

Clients that stress one mllpd (loopback only; every wait is bounded).

  crash-send HOST PORT OUTDIR [--stop-file F] [--seconds S] [--max-size N]
             [--burst B]
      Send distinct messages (MSH-10 CRASHnnnnnn, a payload of 0 to N bytes,
      default 200000), one at a time (with --burst, B at once in one send,
      pipelined, then their B answers in order), and read each answer; when the
      connection dies (the server was killed), connect again and go on with
      the next message.  Stops when F exists or after S seconds (default
      60).  OUTDIR/acked gets the IDs answered AA with MSA-2 = the ID,
      OUTDIR/other the IDs answered otherwise, OUTDIR/unanswered the IDs
      sent without an answer; one line each, written as they happen.
  crash-verify SPOOL OUTDIR
      Every file in SPOOL/new is named per contract and byte-identical to
      the message crash-send made for its MSH-10, no message is there
      twice, and every ID in OUTDIR/acked is there.  Every file in
      SPOOL/tmp is a prefix of a message.  Prints one summary line; exit 1
      with one line per problem otherwise.
  message ID [--max-size N]
      Print the message crash-send sends as CRASH<ID>.
  slow HOST PORT [--interval S] [--limit S]
      Send 0x0B, then one byte every S seconds (default 1), until the server
      closes the connection; exit 0 and print "closed after N bytes" when
      it does within --limit seconds (default 30), 2 otherwise.  Answers
      received are printed as "answer: ..." lines.
  garbage HOST PORT [--count N] [--seed N] [--ready-file F --hold-file F]
      Send N (default 10000) tiny frames of garbage, pipelined, and read the
      N answers; print "acks=N" and one "CODE=count" per MSA-1 code.  With
      --ready-file, create it after the last answer and keep the connection
      open until --hold-file exists (at most 60 s).  Exit 2 when fewer
      answers came.
  endless HOST PORT [--bytes N] [--end FILE | --wait-close S]
          [--ready-file F --hold-file F]
      Send 0x0B then N bytes (default 1 GiB; K, M, G suffixes) of 0x00 and
      no 0x1C.  With --end, then 0x1C 0x0D and FILE as a frame, and read two
      answers ("answer N: MSA|..." and "err N: ERR|..." lines).  With
      --wait-close, wait up to S seconds for the server to close ("closed
      by the server", "answer: none"; exit 2 when it does not).  Prints
      "sent N" and, when the server closed first, "closed by the server
      after N bytes".
  idle HOST PORT [--count N] [--ready-file F] [--hold-file F]
      Open N connections (default 2000) at once, send nothing, hold them
      until --hold-file exists (at most 120 s); print how many connected
      and how many the server closed.
  persistent HOST PORT FILE [--limit S] [--answer-timeout S]
      Send FILE as one frame and print the MSA of its answer, as a sender
      facing a full server does: connect (0.3 s timeout), send, wait
      --answer-timeout seconds (default 2) for the answer, else reset the
      connection and start again; exit 2 after --limit seconds (default
      30).  The message may so arrive more than once.
"""

import base64
import errno
import os
import random
import resource
import select
import socket
import struct
import sys
import threading
import time

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"
SENTINEL = b"ZZPHISENTINELZZ"


def die(msg):
    sys.stderr.write("mllp_stress: %s\n" % msg)
    sys.exit(1)


def parse(argv, npos, opts):
    """opts: name -> default; a default of False is a flag."""
    vals = {k: v for k, v in opts.items()}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            key = a[2:].replace("-", "_")
            if key not in vals:
                die("unknown option: %s" % a)
            if vals[key] is False:
                vals[key] = True
            else:
                if i + 1 >= len(argv):
                    die("%s needs a value" % a)
                vals[key] = argv[i + 1]
                i += 1
        else:
            pos.append(a)
        i += 1
    if len(pos) != npos:
        die("expected %d arguments, got %d (see --help)" % (npos, len(pos)))
    return pos, vals


def size_arg(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if s and s[-1].upper() in mult:
        return int(s[:-1]) * mult[s[-1].upper()]
    return int(s)


def connect(host, port, timeout=10.0):
    s = socket.create_connection((host, int(port)), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def exists(path):
    return path is not None and os.path.exists(path)


def hold(ready_file, hold_file, bound):
    if ready_file:
        open(ready_file, "w").close()
    if hold_file:
        deadline = time.monotonic() + bound
        while not os.path.exists(hold_file) and time.monotonic() < deadline:
            time.sleep(0.05)


class Frames:
    """Reads answer frames from a socket; content between 0x0B and 0x1C."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.eof = False

    def next(self):
        while True:
            start = self.buf.find(SB)
            if start >= 0:
                end = self.buf.find(EB, start + 1)
                if end >= 0:
                    content = bytes(self.buf[start + 1:end])
                    del self.buf[:end + 1]
                    if self.buf[:1] == CR:
                        del self.buf[:1]
                    return content
            if self.eof:
                raise EOFError()
            data = self.sock.recv(65536)
            if not data:
                self.eof = True
            self.buf += data


def msa(content):
    for seg in content.replace(b"\n", b"\r").split(b"\r"):
        if seg.startswith(b"MSA"):
            return seg
    return b"NO-MSA"


# --------------------------------------------------------------------------
# crash consistency


def message(n, max_size):
    """The message crash-send sends as number n: the tests' sample message
    (PHI sentinel in PID-5) and OBX segments of base64 payload, 0 to
    max_size bytes of it, the same for the same n."""
    rng = random.Random(n)
    cid = b"CRASH%06d" % n
    head = (b"MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|"
            + cid + b"|P|2.5.1\rEVN|R01|20260101120000\rPID|1||12345^^^HOSP^MR||"
            + SENTINEL + b"^JOHN||19700101|M\r")
    # Most messages small, some near the limit: writes of every size.
    size = int(max_size * rng.random() ** 2)
    payload = base64.b64encode(rng.randbytes(size * 3 // 4 + 3))[:size]
    obx = []
    for k in range(0, len(payload), 4000):
        obx.append(b"OBX|%d|ED|PDF^Report||^AP^PDF^Base64^" % (k // 4000 + 1)
                   + payload[k:k + 4000] + b"\r")
    return head + b"".join(obx)


def crash_send(argv):
    (host, port, out), o = parse(argv, 3, {"stop_file": None, "seconds": "60",
                                            "max_size": "200000", "burst": "1"})
    burst = int(o["burst"])
    max_size = size_arg(o["max_size"])
    deadline = time.monotonic() + float(o["seconds"])
    os.makedirs(out, exist_ok=True)
    logs = {k: open(os.path.join(out, k), "a") for k in ("acked", "other", "unanswered")}
    n = 0
    conns = 0
    sock = None
    frames = None
    while time.monotonic() < deadline and not exists(o["stop_file"]):
        if sock is None:
            try:
                sock = connect(host, port)
            except OSError as e:
                if time.monotonic() >= deadline:
                    break
                sys.stderr.write("mllp_stress: connect: %s\n" % e)
                time.sleep(0.05)
                continue
            conns += 1
            frames = Frames(sock)
        ids = ["CRASH%06d" % k for k in range(n + 1, n + burst + 1)]
        n += burst
        try:
            sock.sendall(b"".join(SB + message(int(c[5:]), max_size) + EB + CR for c in ids))
            while ids:
                ack = msa(frames.next())
                cid = ids.pop(0)
                f = ack.split(b"|")
                kind = "acked" if len(f) > 2 and f[1] == b"AA" and f[2] == cid.encode() else "other"
                logs[kind].write(cid + ("" if kind == "acked" else " " + ack.decode("ascii", "replace")) + "\n")
                logs[kind].flush()
        except (OSError, EOFError):
            logs["unanswered"].write("".join(c + "\n" for c in ids))
            logs["unanswered"].flush()
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    for f in logs.values():
        f.close()
    print("sent=%d connections=%d" % (n, conns))
    return 0


def crash_verify(argv):
    (spool, out), o = parse(argv, 2, {"max_size": "200000"})
    import re
    max_size = size_arg(o["max_size"])
    name_re = re.compile(r"^[0-9]+\.[0-9]{9}\.[0-9]+\.[0-9]+\.hl7$")
    problems = []
    seen = {}
    newdir = os.path.join(spool, "new")
    for name in sorted(os.listdir(newdir)):
        if not name_re.match(name):
            problems.append("new/%s: name not per contract" % name)
        data = open(os.path.join(newdir, name), "rb").read()
        m = re.match(rb"MSH\|[^\r]*?\|\|ORU\^R01\^ORU_R01\|CRASH(\d{6})\|", data)
        if not m:
            problems.append("new/%s: not one of the messages sent (%d bytes)" % (name, len(data)))
            continue
        n = int(m.group(1))
        if data != message(n, max_size):
            problems.append("new/%s: CRASH%06d is not byte-identical to the message sent "
                            "(%d bytes, sent %d)" % (name, n, len(data), len(message(n, max_size))))
            continue
        if n in seen:
            problems.append("new/%s: CRASH%06d is also in new/%s" % (name, n, seen[n]))
        seen[n] = name
    acked = [line.split()[0] for line in open(os.path.join(out, "acked")) if line.strip()]
    for cid in acked:
        if int(cid[5:]) not in seen:
            problems.append("%s was answered AA but is not in new/" % cid)
    # A writer killed mid-write leaves a prefix of its message (perhaps empty).
    tmpdir = os.path.join(spool, "tmp")
    tmp = sorted(os.listdir(tmpdir))
    head = b"MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||ORU^R01^ORU_R01|CRASH"
    for name in tmp:
        data = open(os.path.join(tmpdir, name), "rb").read()
        m = re.match(rb"MSH\|[^\r]*?\|\|ORU\^R01\^ORU_R01\|CRASH(\d{6})\|", data)
        if m:
            ok = message(int(m.group(1)), max_size).startswith(data)
        else:
            ok = head.startswith(data[:len(head)]) and data[len(head):len(head) + 6].isdigit() or \
                len(data) <= len(head)
        if not ok:
            problems.append("tmp/%s: not a prefix of a message sent (%d bytes)" % (name, len(data)))
    unanswered = sum(1 for line in open(os.path.join(out, "unanswered")) if line.strip())
    other = sum(1 for line in open(os.path.join(out, "other")) if line.strip())
    print("new=%d acked=%d other=%d unanswered=%d unanswered-but-in-new=%d tmp=%d"
          % (len(seen), len(acked), other, unanswered, len(seen) - len(acked), len(tmp)))
    for p in problems[:50]:
        print("problem: " + p)
    return 1 if problems else 0


def print_message(argv):
    (n,), o = parse(argv, 1, {"max_size": "200000"})
    sys.stdout.buffer.write(message(int(n), size_arg(o["max_size"])))
    return 0


# --------------------------------------------------------------------------
# hostile peers


def slow(argv):
    (host, port), o = parse(argv, 2, {"interval": "1", "limit": "30"})
    interval, limit = float(o["interval"]), float(o["limit"])
    sock = connect(host, port)
    sock.setblocking(False)
    start = time.monotonic()
    sent = 0
    buf = b""
    payload = SB + b"MSH|^~\\&|SLOW|SFAC|RCV|RFAC|20260101120000||ADT^A01|SLOW1|P|2.5.1\r" * 100
    while time.monotonic() - start < limit:
        try:
            sock.send(payload[sent:sent + 1])
            sent += 1
        except OSError:
            data = b""
        else:
            # Wait one interval for the server to answer or close.
            r, _, _ = select.select([sock], [], [], interval)
            if not r:
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            buf += data
        if not data:
            print("closed after %d bytes" % sent)
            print("answer: %s" % (msa(buf).decode("ascii", "replace") if buf else "none"))
            return 0
    print("still open after %d bytes and %.0f s" % (sent, limit))
    return 2


def sender(sock, chunks, errors):
    try:
        for c in chunks:
            sock.sendall(c)
    except OSError as e:
        errors.append(e)


def garbage(argv):
    (host, port), o = parse(argv, 2, {"count": "10000", "seed": "1", "ready_file": None,
                                      "hold_file": None})
    count = int(o["count"])
    rng = random.Random(int(o["seed"]))
    # Tiny frames of anything but the frame bytes: no MSH, a broken MSH, noise.
    alphabet = bytes(b for b in range(256) if b not in (0x0B, 0x1C))
    frames = []
    for i in range(count):
        k = i % 3
        if k == 0:
            body = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        elif k == 1:
            body = b"MSH|" + bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 8)))
        else:
            body = b"MSH|^~\\&|G|F|R|F|2026||ADT^A01|G%d|P|9.9" % i
        frames.append(SB + body + EB + CR)
    sock = connect(host, port, timeout=60)
    chunks = [b"".join(frames[i:i + 500]) for i in range(0, count, 500)]
    errors = []
    t = threading.Thread(target=sender, args=(sock, chunks, errors), daemon=True)
    t.start()
    reader = Frames(sock)
    codes = {}
    got = 0
    try:
        while got < count:
            code = msa(reader.next()).split(b"|")
            c = code[1].decode("ascii", "replace") if len(code) > 1 else "NO-MSA"
            codes[c] = codes.get(c, 0) + 1
            got += 1
    except (OSError, EOFError) as e:
        sys.stderr.write("mllp_stress: after %d answers: %r\n" % (got, e))
    t.join(10)
    print("acks=%d" % got)
    for c in sorted(codes):
        print("%s=%d" % (c, codes[c]))
    hold(o["ready_file"], o["hold_file"], 60)
    sock.close()
    return 0 if got == count else 2


def endless(argv):
    (host, port), o = parse(argv, 2, {"bytes": "1G", "end": None, "wait_close": None,
                                      "ready_file": None, "hold_file": None})
    total = size_arg(o["bytes"])
    sock = connect(host, port, timeout=60)
    block = bytes(1 << 20)
    sent = 0
    closed = False
    try:
        sock.sendall(SB)
        while sent < total:
            n = min(len(block), total - sent)
            sock.sendall(block[:n] if n < len(block) else block)
            sent += n
    except OSError as e:
        closed = True
        print("closed by the server after %d bytes (%s)" % (sent, errno.errorcode.get(e.errno, e)))
    print("sent %d" % sent)
    status = 0
    if o["end"] and not closed:
        msg = open(o["end"], "rb").read()
        reader = Frames(sock)
        try:
            sock.sendall(EB + CR + SB + msg + EB + CR)
            for i in (1, 2):
                content = reader.next()
                print("answer %d: %s" % (i, msa(content).decode("ascii", "replace")))
                for seg in content.split(b"\r"):
                    if seg.startswith(b"ERR"):
                        print("err %d: %s" % (i, seg.decode("ascii", "replace")))
        except (OSError, EOFError) as e:
            print("no answer: %r" % e)
            status = 2
    elif o["wait_close"] and not closed:
        sock.settimeout(float(o["wait_close"]))
        data = b""
        try:
            while True:
                d = sock.recv(65536)
                if not d:
                    break
                data += d
            print("closed by the server")
        except socket.timeout:
            print("still open after %s s" % o["wait_close"])
            status = 2
        except OSError as e:
            print("closed by the server (%s)" % errno.errorcode.get(e.errno, e))
        print("answer: %s" % (msa(data).decode("ascii", "replace") if data else "none"))
    hold(o["ready_file"], o["hold_file"], 60)
    sock.close()
    return status


def idle(argv):
    (host, port), o = parse(argv, 2, {"count": "2000", "ready_file": None, "hold_file": None})
    count = int(o["count"])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, int(port)))
        socks.append(s)
    hold(o["ready_file"], o["hold_file"], 120)
    # Who connected, who was closed by the server (EOF or reset).
    connected = closed = 0
    for s in socks:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            try:
                s.getpeername()
                connected += 1
            except OSError:
                pass
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    print("opened=%d connected=%d closed-by-server=%d" % (count, connected, closed))
    return 0


def persistent(argv):
    (host, port, path), o = parse(argv, 3, {"limit": "30", "answer_timeout": "2"})
    start = time.monotonic()
    deadline = start + float(o["limit"])
    msg = open(path, "rb").read()
    tries = 0
    while time.monotonic() < deadline:
        tries += 1
        try:
            # A short connect timeout, tried again: a SYN dropped by a full
            # backlog is sent again at once, not after the kernel's back-off.
            sock = socket.create_connection((host, int(port)), timeout=0.3)
        except OSError:
            continue
        sock.settimeout(min(float(o["answer_timeout"]), max(0.1, deadline - time.monotonic())))
        try:
            sock.sendall(SB + msg + EB + CR)
            print(msa(Frames(sock).next()).decode("ascii", "replace"))
            print("served after %.1f s, %d connection attempts" % (time.monotonic() - start, tries),
                  file=sys.stderr)
            sock.close()
            return 0
        except (OSError, EOFError) as e:
            sys.stderr.write("mllp_stress: attempt %d: %r\n" % (tries, e))
        # No answer in time: give up this connection with a reset, as a
        # sender's ACK timeout does, and send again on a new one.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    sys.stderr.write("mllp_stress: not served within %s s (%d attempts)\n" % (o["limit"], tries))
    return 2


COMMANDS = {"crash-send": crash_send, "crash-verify": crash_verify, "message": print_message,
            "slow": slow, "garbage": garbage, "endless": endless, "idle": idle,
            "persistent": persistent}


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if len(sys.argv) >= 2 else 1
    cmd = COMMANDS.get(sys.argv[1])
    if not cmd:
        die("unknown command: %s" % sys.argv[1])
    return cmd(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
