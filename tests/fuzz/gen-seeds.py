#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-seeds.py: write the seed corpora under tests/fuzz/seed/ from the
# message shapes the unit tests use; run it again after changing them.
import os

H = "MSH|^~\\&|SND|SFAC|RCV|RFAC|20260101120000||"
MSGS = {
    "adt-a01": H + "ADT^A01^ADT_A01|MSG00001|P|2.5.1\rEVN|A01|20260101120000\r"
    "PID|1||123456^^^HOSP^MR~987^^^SSN||DOE^JOHN^Q^JR||19700101|M\rPV1|1|I|W^389^1\r",
    "oru-escapes": H + "ORU^R01|42|P|2.4\rPID|1||X\rOBX|1|TX|T^Text||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D0A\\g\\H\\h\\N\\\r"
    "OBX|2|NM|G^Glucose||5.5|mmol/L|3.9-6.1||||F\rOBX|3|ST|||\\.br\\x\\Zcustom\\\\\r",
    "v23-lf-crlf": H + "ADT^A04|7|P|2.3\nPID|1||9\r\nPV1|1|O\n",
    "bom-no-final-cr": "\ufeff".encode("utf-8").decode("latin-1") + H + "ADT^A08|8|P|2.6\rPID|1",
    "five-encoding": "MSH|^~\\&#|S|F|R|F|T||ORU^R01|1|P|2.5.1\rOBX|1|ST|||trunc#ated\\P\\\r",
    "custom-delims": "MSH#$%*@#S#F#R#F#T##BAR$P01#77#P#2.4\rPID#1##a$b%c@d*e\r",
    "ack-inbound": H + "ACK^A01^ACK|99|P|2.5\rMSA|AA|MSG00001\r",
    "conditions": H + "ADT^A01|5|P|2.5|||ER|SU\rPID|1\r",
    "empty-segments": H + "ADT^A01|6|P|2.5\r\r\rPID|1\r\r",
    "no-control-id": H + "ADT^A01||P|2.5\rPID|1\r",
    "bad-version": H + "ADT^A01|3|P|9.9\rPID|1\r",
    "bad-msh2": "MSH|^~}|S|F|R|F|T||ADT^A01|1|P|2.4\r",
    "no-msh": "PID|1||X\r",
    "second-msh": H + "ADT^A01|4|P|2.5\rMSH|^~\\&|X\r",
    "bad-segment-id": H + "ADT^A01|4|P|2.5\rpid|1\r",
    "many-reps": H + "ADT^A01|4|P|2.5\rPID|1||" + "~".join("%d^a&b^c" % i for i in range(40)) + "\r",
    "repeated-segments": H + "ORU^R01|4|P|2.5\r" + "".join("OBX|%d|ST|||v%d\r" % (i, i) for i in range(1, 6)),
}

here = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(here, "seed", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for name, text in MSGS.items():
    msg = text.encode("latin-1")
    write("hl7", name, msg)
    # fuzz_ack: byte 0 picks the ACK code and error parameters
    write("ack", name, bytes([len(name) * 37 % 256]) + msg)

# fuzz_mllp: flags, capacity, eight chunk sizes, then the stream
def frame(m):
    return b"\x0b" + m + b"\x1c\r"

a = MSGS["adt-a01"].encode()
b = MSGS["ack-inbound"].encode()
write("mllp", "two-frames", bytes([0, 0x80, 1, 2, 3, 5, 8, 13, 21, 255]) + frame(a) + frame(b))
write("mllp", "two-frames-strict", bytes([1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]) + frame(a) + frame(b))
write("mllp", "too-large", bytes([0, 40, 7, 7, 7, 7, 7, 7, 7, 7]) + frame(a) + frame(b"MSH|^~\\&|x"))
write("mllp", "noise-no-cr", bytes([0, 0x80, 3, 1, 4, 1, 5, 9, 2, 6]) + b"\r\n junk" + b"\x0b" + a + b"\x1c" + b"\x0b" + b + b"\x1c\x1c\r")
write("mllp", "strict-junk-trailer", bytes([1, 0x80, 2, 2, 2, 2, 2, 2, 2, 2]) + b"xx\x0b" + b + b"\x1cX\x0b" + b + b"\x1c")
write("mllp", "restart", bytes([0, 0x7f, 255, 0, 0, 0, 0, 0, 0, 0]) + b"\x0bMSH|partial\x0b" + b + b"\x1c\r")
write("mllp", "end-mid-frame", bytes([1, 10, 4, 4, 4, 4, 4, 4, 4, 4]) + frame(b) + b"\x0bMSH|^~")
# found by fuzz_mllp: strict, cap 3, an oversize frame whose 0x1C has no CR
write("mllp", "strict-oversize-bad-trailer", bytes([1, 2, 0, 0, 0, 0, 0, 0, 0, 0]) + b"\x0bABCDE\x1cX\x0bAB\x1c\r")
# found by fuzz_mllp (a harness bug): strict, a byte at a time, two 0x1C each followed by 0x0B
write("mllp", "strict-bad-trailers-bytewise", bytes([1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0]) + b"\x0bA\x1c\x0bB\x1c\x0bC\x1c\r")

# fuzz_batch: batch files (FHS/BHS ... BTS/FTS), valid and not
M1 = MSGS["adt-a01"]
M2 = MSGS["ack-inbound"]
FH = "FHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000\r"
BH = "BHS|^~\\&|SND|SFAC|RCV|RFAC|20260101120000\r"
BATCHES = {
    "file-two-groups": FH + BH + M1 + M2 + "BTS|2\r" + BH + M1 + "BTS|1\rFTS|2\r",
    "bhs-only": BH + M1 + M2 + "BTS|2\r",
    "implicit-group": FH + M1 + M2 + "FTS|1\r",
    "no-trailers-lf": "\ufeff".encode("utf-8").decode("latin-1") + FH.replace("\r", "\n") + BH.replace("\r", "\r\n") + M1.replace("\r", "\n"),
    "empty-groups": FH + BH + "BTS|0\r" + BH + "BTS\rFTS|2\r",
    "count-mismatch": BH + M1 + "BTS|2\r",
    "fts-mismatch": FH + BH + M1 + "BTS|1\rFTS|3\r",
    "segment-outside": FH + BH + "PID|1\r" + M1 + "BTS|1\r",
    "after-fts": FH + M1 + "FTS|1\rMSH|^~\\&|X\r",
    "custom-delims": "BHS#$%*@#S#F\rMSH#$%*@#S#F#R#F#T##BAR$P01#77#P#2.4\rBTS#1\r",
    "bad-delims": "FHS|^^~&|X\r" + M1,
    "msh-other-separator": BH + M1 + "MSH#^~\\&#X\rBTS|1\r",
}
for name, text in BATCHES.items():
    write("batch", name, text.encode("latin-1"))

# fuzz_msgsplit: streams of frames, plain messages and batches
STREAMS = {
    "plain-two": M1 + M2,
    "plain-lf-blanks": "\r\n \t" + M1.replace("\r", "\n") + "\n\n" + M2,
    "frames": "\x0b" + M1 + "\x1c\r\x0b" + M2 + "\x1c",
    "frame-truncated": "\x0b" + M1 + "\x0b" + M2 + "\x1c\r\x0bMSH|^~",
    "batch-then-msg": BATCHES["file-two-groups"] + M2,
    "bhs-batches": BATCHES["bhs-only"] + "\r\n" + BATCHES["bhs-only"],
    "junk-and-bom": "garbage line\r" + "\ufeff".encode("utf-8").decode("latin-1") + M1 + "MSHX\rMSH\r",
    # found by fuzz_msgsplit: a BHS batch whose BTS line ends with CR LF is
    # 10 bytes read whole but 9 (LF left out) when the CR ends a read
    "bhs-bts-crlf": "BHS|\rBTS\r\n",
    # the same for an FHS batch's FTS line (21 of the 65 inputs the 10-minute run saved)
    "fhs-fts-crlf": "FHS|\rFTS\r\n",
}
for name, text in STREAMS.items():
    write("msgsplit", name, text.encode("latin-1"))

# fuzz_allow: --tls-allow rules files
ALLOW = {
    "kinds": "CN:lab-sender LAB HOSP\nDNS:Ris.Example.org RIS *\nemail:a@b.example * HOSP\n"
    "URI:spiffe://x/y APP FAC\nIP:10.0.0.7 LAB *\nIP:2001:DB8:0::1 * *\n*:any-name X Y\n",
    "bare-and-comments": "# rules\n\nlab-sender\tLAB  HOSP # the lab\r\nris RIS *\r\n   \n\t# indented\n",
    "any-ip": "*:192.168.1.1 A B\n*:::ffff:1.2.3.4 * *\ncn:case X Y\nDns:UPPER.example * *\n",
    "malformed": "a b\nIP:nope X Y\n",
    "star-name": "CN:* A B\n",
}
for name, text in ALLOW.items():
    write("allow", name, text.encode("latin-1"))
# found by fuzz_allow: NUL and control characters in a comment were accepted
write("allow", "control-in-comment", b"CN:a X Y # \x1a\n")
write("allow", "nul-in-comment", b"a b c\n# x\x00y\n")

# fuzz_optfile: configuration files (names from fuzz_optfile.c's table)
OPTFILES = {
    "settings": "# mllpd\nspool = /var/spool/hl7\nno-fsync\n\tspool-dir=/x # not a comment\r\nlog-level =\nlog-level= debug \nv\nmax_size = 1 = 2\nA-9=#\n",
    "crlf-blanks": "\r\n  \r\n# c\r\nspool =  a b  \r\n",
    "unknown": "spool = a\nspol = b\n",
    "refused": "config = /etc/x\n",
    "flag-value": "no-fsync = yes\n",
    "missing-value": "spool =\n",
    "not-a-line": "spool: a\n",
    "nul": "spool = a\x00b\n",
}
for name, text in OPTFILES.items():
    write("optfile", name, text.encode("latin-1"))

# fuzz_tok: byte 0 picks the batch sizes, then the message
for i, (name, text) in enumerate(MSGS.items()):
    write("tok", name, bytes([i * 29 % 256]) + text.encode("latin-1"))
write("tok", "id-only-and-no-id", b"\x07" + (H + "ADT^A01|1|P|2.5\rPID\r|x|y\rAB\rPID|1|a~b^c&d\rZ1|\r").encode())
# found by fuzz_tok: a segment ID starting with NUL has no leaves for the walk
# and the tokeniser, but hl7_field reads its fields (narrowed in fuzz_tok.c)
write("tok", "nul-segment-id", b"\x07MSH|^~\\&\r\x00Z1|")

# fuzz_dedupe: window, delay, MSH-3/4/10 lengths, damage, ACK buffer, ACK length; key, ACK, damage bytes
KEY = b"LABHOSPMSG00001"
ACKM = b"MSH|^~\\&|R|F|S|F|20260101||ACK|1|P|2.5\rMSA|AA|MSG00001\r"
def dd(window, delay, damage, cap, extra=b""):
    return bytes([window, delay, 3, 4, 8, damage, cap, len(ACKM)]) + KEY + ACKM + extra
write("dedupe", "found", dd(9, 3, 0, 2))
write("dedupe", "expired", dd(9, 11, 0, 2))
write("dedupe", "ack-too-big", dd(20, 0, 0, 3))
write("dedupe", "cut", dd(9, 1, 1, 2, b"\x30"))
write("dedupe", "bytes-changed", dd(9, 1, 2, 2, b"\x10\x01\x28\x80"))
write("dedupe", "bytes-added", dd(9, 1, 3, 2, b"xyz"))
write("dedupe", "header-forged", dd(9, 1, 4, 2, b"\x00\xca\x9a\x3b\x00\x00\x00\x00\x0f\x00\x00\x00\x00\x00\x00\x00"))
write("dedupe", "other-bytes", dd(9, 1, 5, 2, b"MLDD\x01\x00\x00\x00"))
write("dedupe", "directory", dd(9, 1, 6, 2))
write("dedupe", "symlink", dd(9, 1, 7, 2))
