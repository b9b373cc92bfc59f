# SPDX-License-Identifier: MIT
"""The system calls of an strace -f log, whole.

With several threads, strace splits a call that another thread's call
interrupts into "PID name(args <unfinished ...>" and, later,
"PID <... name resumed>rest".  calls(path) joins them back and returns
[(start, end, text)], sorted by end: start is the index of the line where
a call began, end of the line where it returned (the same for a call
written whole), text the call without its PID as strace writes it whole,
with one space before its "= result".

Across threads, lines are in the order strace saw the calls stop: a thread
stopped at a call's return runs on only after strace wrote that line, so a
call that another thread waits for (through a lock or a pipe) is always
written returned before the waiting thread's next call begins.
"""
import codecs
import re

_PID = re.compile(r"^(\d+)\s+")
_UNFINISHED = re.compile(r"^(.*?)\s*<unfinished \.\.\.>$")
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>\s?(.*)$")
_RESULT = re.compile(r"\)\s+(= .*)$")  # strace pads short calls: "fsync(3)     = 0"


def calls(path):
    pending = {}  # pid -> (start, head of the call)
    out = []
    for i, line in enumerate(open(path, errors="replace")):
        line = line.rstrip("\n")
        m = _PID.match(line)
        pid = m.group(1) if m else ""
        line = line[m.end():] if m else line
        u = _UNFINISHED.match(line)
        if u:
            pending[pid] = (i, u.group(1))
            continue
        start = i
        r = _RESUMED.match(line)
        if r:
            start, head = pending.pop(pid, (i, r.group(1) + "("))
            line = head + r.group(2)
        out.append((start, i, _RESULT.sub(r") \1", line)))
    out.sort(key=lambda c: c[1])
    return out


def string(text):
    """The bytes of the first string argument of a call's text ("\\r", "\\34"...)."""
    m = re.search(r'"((?:[^"\\]|\\.)*)"', text)
    return codecs.escape_decode(m.group(1).encode("latin-1"))[0] if m else b""
