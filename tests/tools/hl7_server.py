#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A receiver written by others for the tests: python3-hl7's asyncio MLLP server, ACKing with hl7's own ACK builder.
"""hl7_server.py [--code CODE] [--save DIR] [--host HOST] PORT

Listens on HOST (default 127.0.0.1) PORT with hl7.mllp.start_hl7_server and
answers every message with message.create_ack(CODE) (default AA), framed by
hl7's own MLLP writer.  With --save DIR, message number i (from 1, over the
server's life) is written to DIR/i.hl7, the bytes between 0x0B and 0x1C.
Runs until killed.
"""

import argparse
import asyncio
import os
import sys

import hl7
import hl7.mllp


def main(argv):
    ap = argparse.ArgumentParser(prog="hl7_server.py", usage=__doc__)
    ap.add_argument("--code", default="AA")
    ap.add_argument("--save")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("port", type=int)
    args = ap.parse_args(argv)
    code, save, host, port = args.code, args.save, args.host, args.port
    count = [0]

    async def on_client(reader, writer):
        try:
            while True:
                # readblock, not readmessage: the exact bytes are saved, and
                # Latin-1 decodes anything (readmessage insists on ASCII).
                block = await reader.readblock()
                count[0] += 1
                if save:
                    with open(os.path.join(save, "%d.hl7" % count[0]), "wb") as f:
                        f.write(block)
                message = hl7.parse(block.decode("latin-1"))
                ack = message.create_ack(ack_code=code)
                writer.writeblock(str(ack).encode("latin-1"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve():
        server = await hl7.mllp.start_hl7_server(on_client, host=host, port=port)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
