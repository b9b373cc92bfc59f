#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A small MLLP test client: send files as frames over TCP, read the ACK frames.
"""mllp_client.py [options] HOST PORT [FILE...]

Connects to HOST PORT (IPv4, IPv6 or a name), sends every FILE wrapped in an
MLLP frame (0x0B content 0x1C 0x0D), and reads one ACK frame per FILE.

  --pipeline        send every frame in one write before reading any ACK
                    (default: send one, read its ACK, send the next)
  --framed          send the FILE bytes as they are (already framed);
                    use --expect to say how many ACKs to read
  --expect N        number of ACK frames to read (default: one per FILE)
  --timeout SEC     give up waiting for a byte after SEC seconds (default 10)
  --print MODE      msa: one MSA segment per ACK, one per line (default)
                    raw: the ACK frames exactly as received
                    ack: the ACK content, segments one per line
                    none: print nothing
  --ack-dir DIR     also write ACK number i (from 1) raw, unframed, to DIR/i
  --port-file F     write the local (client) port to F once connected
  --ready-file F    create F once every ACK has been read
  --hold-file F     before closing, wait until F exists (bounded by --hold-max)
  --hold-max SEC    upper bound for --hold-file (default 30)
  --wait-eof        after the ACKs, wait until the server closes the
                    connection (bounded by --timeout); exit 4 when it does not
  --bind ADDR       connect from local address ADDR (e.g. 127.0.0.2)
  --chunk N         with --pipeline or --framed: send the bytes N at a time,
                    each write on its own (TCP_NODELAY, 20 ms between writes)

Exit status: 0 every expected ACK read; 1 usage or connect error;
2 timed out waiting for an ACK; 3 connection closed before every ACK;
4 --wait-eof and the server did not close.
"""

import os
import socket
import sys
import time

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"


def usage(msg):
    sys.stderr.write("mllp_client: %s\n" % msg)
    sys.stderr.write(__doc__)
    sys.exit(1)


def parse_args(argv):
    opt = {
        "pipeline": False, "framed": False, "expect": None, "timeout": 10.0,
        "print": "msa", "ack_dir": None, "port_file": None,
        "ready_file": None, "hold_file": None, "hold_max": 30.0,
        "wait_eof": False, "bind": None, "chunk": 0,
    }
    pos = []
    i = 0
    valued = {"--expect": ("expect", int), "--timeout": ("timeout", float),
              "--print": ("print", str), "--ack-dir": ("ack_dir", str),
              "--port-file": ("port_file", str),
              "--ready-file": ("ready_file", str),
              "--hold-file": ("hold_file", str),
              "--hold-max": ("hold_max", float),
              "--bind": ("bind", str), "--chunk": ("chunk", int)}
    while i < len(argv):
        a = argv[i]
        if a == "--pipeline":
            opt["pipeline"] = True
        elif a == "--framed":
            opt["framed"] = True
        elif a == "--wait-eof":
            opt["wait_eof"] = True
        elif a in valued:
            if i + 1 >= len(argv):
                usage("%s needs a value" % a)
            key, conv = valued[a]
            try:
                opt[key] = conv(argv[i + 1])
            except ValueError:
                usage("%s: bad value: %s" % (a, argv[i + 1]))
            i += 1
        elif a == "--":
            pos.extend(argv[i + 1:])
            break
        elif a.startswith("--"):
            usage("unknown option: %s" % a)
        else:
            pos.append(a)
        i += 1
    if len(pos) < 2:
        usage("HOST and PORT required")
    if opt["print"] not in ("msa", "raw", "ack", "none"):
        usage("--print: msa, raw, ack or none")
    return opt, pos[0], pos[1], pos[2:]


def connect(host, port, timeout, bind=None):
    host = host.strip("[]")
    err = None
    for fam, typ, proto, _, addr in socket.getaddrinfo(
            host, int(port), 0, socket.SOCK_STREAM):
        s = socket.socket(fam, typ, proto)
        s.settimeout(timeout)
        try:
            if bind:
                s.bind((bind.strip("[]"), 0))
            s.connect(addr)
            return s
        except OSError as e:
            err = e
            s.close()
    raise err if err else OSError("no address for %s" % host)


class Reader:
    """Reads ACK frames: bytes up to 0x0B are skipped, a frame ends at 0x1C,
    the 0x0D after it is consumed when present."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
        self.buf += data

    def frame(self):
        """Return (content, raw frame bytes). Raises socket.timeout or
        EOFError."""
        while True:
            start = self.buf.find(SB)
            if start >= 0:
                end = self.buf.find(EB, start + 1)
                if end >= 0:
                    # want the byte after 0x1C to know whether it is 0x0D
                    if end + 1 >= len(self.buf) and not self.eof:
                        # 0x1C came last: give its 0x0D a moment to arrive
                        saved = self.sock.gettimeout()
                        self.sock.settimeout(min(saved or 2.0, 2.0))
                        try:
                            self.fill()
                        except socket.timeout:
                            pass
                        finally:
                            self.sock.settimeout(saved)
                    if True:
                        stop = end + 1
                        if self.buf[stop:stop + 1] == CR:
                            stop += 1
                        raw = self.buf[start:stop]
                        self.buf = self.buf[stop:]
                        return raw[1:raw.index(EB)], raw
            if self.eof:
                raise EOFError()
            self.fill()


def emit(mode, out, content, raw):
    if mode == "raw":
        out.write(raw)
    elif mode == "ack":
        segs = [s for s in content.replace(b"\r\n", b"\r").split(b"\r") if s]
        out.write(b"".join(s + b"\n" for s in segs))
    elif mode == "msa":
        segs = content.replace(b"\n", b"\r").split(b"\r")
        msa = [s for s in segs if s.startswith(b"MSA")]
        out.write((msa[0] if msa else b"NO-MSA") + b"\n")
    out.flush()


def send_chunks(sock, data, n):
    """Each N bytes in a write of its own, a pause between: separate segments."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(data), n):
        if i:
            time.sleep(0.02)
        sock.sendall(data[i:i + n])


def wait_for_file(path, bound):
    deadline = time.monotonic() + bound
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def main():
    opt, host, port, files = parse_args(sys.argv[1:])
    payloads = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        payloads.append(data if opt["framed"] else SB + data + EB + CR)
    expect = opt["expect"] if opt["expect"] is not None else len(payloads)
    if opt["framed"] and opt["expect"] is None:
        usage("--framed needs --expect")

    try:
        sock = connect(host, port, opt["timeout"], opt["bind"])
    except OSError as e:
        sys.stderr.write("mllp_client: connect %s %s: %s\n" % (host, port, e))
        return 1
    if opt["port_file"]:
        with open(opt["port_file"] + ".tmp", "w") as fh:
            fh.write("%d\n" % sock.getsockname()[1])
        os.rename(opt["port_file"] + ".tmp", opt["port_file"])

    out = sys.stdout.buffer
    reader = Reader(sock)
    got = 0
    status = 0
    try:
        if opt["chunk"] > 0 and (opt["pipeline"] or opt["framed"]):
            send_chunks(sock, b"".join(payloads), opt["chunk"])
            sends = []
        elif opt["pipeline"] or opt["framed"]:
            sock.sendall(b"".join(payloads))
            sends = []
        else:
            sends = list(payloads)
        while got < expect:
            if sends:
                sock.sendall(sends.pop(0))
            content, raw = reader.frame()
            got += 1
            emit(opt["print"], out, content, raw)
            if opt["ack_dir"]:
                with open(os.path.join(opt["ack_dir"], str(got)), "wb") as fh:
                    fh.write(content)
        for rest in sends:  # more files than expected ACKs
            sock.sendall(rest)
    except socket.timeout:
        sys.stderr.write("mllp_client: timed out after %d of %d ACKs\n"
                         % (got, expect))
        status = 2
    except EOFError:
        sys.stderr.write("mllp_client: connection closed after %d of %d ACKs\n"
                         % (got, expect))
        status = 3
    except OSError as e:
        sys.stderr.write("mllp_client: %s after %d of %d ACKs\n"
                         % (e, got, expect))
        status = 3

    if opt["ready_file"]:
        open(opt["ready_file"], "w").close()
    if status == 0 and opt["hold_file"]:
        wait_for_file(opt["hold_file"], opt["hold_max"])
    if status == 0 and opt["wait_eof"]:
        try:
            while not reader.eof:
                reader.fill()
        except socket.timeout:
            sys.stderr.write("mllp_client: server did not close\n")
            status = 4
        except OSError:
            pass  # a reset is a close too
    sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
