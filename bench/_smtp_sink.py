"""A minimal SMTP sink for the benchmarks, in its own process (as a real mail server would be):

    python -m bench._smtp_sink PORT LOGFILE

It speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to accept every message
and appends each message's recipients, one line per message, to LOGFILE. aiosmtpd (the tests'
server) validates far more and becomes the bottleneck at thousands of messages, which would
measure the test server instead of labtrack.
"""

import asyncio
import sys


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log) -> None:
    writer.write(b"220 bench-sink ESMTP\r\n")
    recipients: list[str] = []
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"RCPT":
            recipients.append(line.decode("utf-8", "replace").split(":", 1)[1].strip().strip("<>"))
            writer.write(b"250 OK\r\n")
        elif verb == b"DATA":
            writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            await writer.drain()
            while (await reader.readline()) not in (b".\r\n", b""):
                pass
            log.write(",".join(recipients) + "\n")
            recipients = []
            writer.write(b"250 Message accepted\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 Bye\r\n")
            await writer.drain()
            break
        else:  # MAIL, RSET, NOOP
            if verb == b"RSET":
                recipients = []
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def _serve(port: int, path: str) -> None:
    with open(path, "a", buffering=1, encoding="utf-8") as log:
        server = await asyncio.start_server(lambda r, w: _session(r, w, log), "127.0.0.1", port)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), sys.argv[2]))
