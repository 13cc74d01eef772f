"""A real SMTP server (aiosmtpd) that records, for every message it accepts, its Rectify idempotency key.

Usage: python3 smtp_sink.py PORT OUTFILE
Each accepted message appends one line "<unix time>\t<key>\t<subject>" to OUTFILE (flushed at once),
so a test can count what the server really received per key.
"""
import asyncio
import email
import email.header
import email.policy
import sys
import time

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path):
        self.out = open(path, "a", encoding="utf-8", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        key = message.get("X-Rectify-Idempotency-Key", "-")
        subject = str(message.get("Subject", "")).replace("\t", " ").replace("\n", " ")
        self.out.write(f"{time.time():.3f}\t{key}\t{subject}\n")
        return "250 OK"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port, data_size_limit=50 * 1024 * 1024)
    controller.start()
    print(f"smtp sink listening on 127.0.0.1:{port}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
