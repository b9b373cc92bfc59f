#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A scripted MLLP receiver for the tests: saves every frame, answers each with a file the test wrote (or not at all).
"""mllp_script_server.py [--save DIR] [--answers DIR] [--host HOST] PORT

Listens on HOST (default 127.0.0.1) PORT, one thread per connection.
Frames are numbered from 1 over the server's life; frame i (the bytes
between 0x0B and 0x1C) is written to SAVE/i.hl7 before it is answered.
What frame i gets, from ANSWERS:

  i         the bytes of that file, in one MLLP frame
  i.close   (exists) nothing: the connection is closed
  i.silent  (exists) nothing: the frame is never answered
  default   when none of the above exists: the bytes of that file
  nothing   when no file applies: the connection is closed

Runs until killed.  Python's standard library only.
"""

import argparse
import os
import socketserver
import sys
import threading

SB, EB, CR = b"\x0b", b"\x1c", b"\r"


def main(argv):
    ap = argparse.ArgumentParser(prog="mllp_script_server.py", usage=__doc__)
    ap.add_argument("--save")
    ap.add_argument("--answers")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("port", type=int)
    args = ap.parse_args(argv)
    save, answers, host, port = args.save, args.answers, args.host, args.port
    lock = threading.Lock()
    count = [0]

    def answer_for(n):
        """The bytes to answer frame n with, "close", or "silent"."""
        if answers is None:
            return "close"
        base = os.path.join(answers, str(n))
        if os.path.exists(base + ".close"):
            return "close"
        if os.path.exists(base + ".silent"):
            return "silent"
        for path in (base, os.path.join(answers, "default")):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    return f.read()
        return "close"

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            buf = b""
            while True:
                try:
                    data = self.request.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                while True:
                    start = buf.find(SB)
                    end = buf.find(EB, start + 1) if start >= 0 else -1
                    if start < 0 or end < 0:
                        break
                    frame = buf[start + 1:end]
                    buf = buf[end + 1:]
                    if buf.startswith(CR):
                        buf = buf[1:]
                    with lock:
                        count[0] += 1
                        n = count[0]
                        if save:
                            tmp = os.path.join(save, ".%d.tmp" % n)
                            with open(tmp, "wb") as f:
                                f.write(frame)
                            os.rename(tmp, os.path.join(save, "%d.hl7" % n))
                    what = answer_for(n)
                    if what == "close":
                        return
                    if what == "silent":
                        continue
                    try:
                        self.request.sendall(SB + what + EB + CR)
                    except OSError:
                        return

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    with Server((host, port), Handler) as server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
