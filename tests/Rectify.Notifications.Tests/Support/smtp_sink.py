"""A real SMTP server for tests and benchmarks (aiosmtpd, Debian's python3-aiosmtpd).

Usage: python3 smtp_sink.py --port PORT [--dir DIR]
With --dir, every message received is decoded with Python's email package and written as one JSON file
(subject decoded, plain and HTML parts, attachments in base64, peer address): the tests read what a mail
client would show. Without --dir it only counts. Prints READY when listening; prints the counts on SIGTERM.
"""
import argparse, asyncio, base64, email, email.policy, json, os, signal, sys, threading, uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.messages = 0
        self.peers = set()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
            self.peers.add(tuple(session.peer) if session.peer else None)
        if self.directory:
            self.write(session, envelope)
        return "250 OK"

    def write(self, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        attachments = []
        for part in msg.iter_attachments():
            attachments.append({
                "filename": part.get_filename(),
                "contentType": part.get_content_type(),
                "base64": base64.b64encode(part.get_payload(decode=True) or b"").decode("ascii"),
            })
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "messageId": str(msg["message-id"]),
            "idempotencyKey": str(msg["x-rectify-idempotency-key"]),
            "contentType": msg.get_content_type(),
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
            "attachments": attachments,
            "peer": "%s:%s" % tuple(session.peer[:2]) if session.peer else None,
        }
        name = uuid.uuid4().hex
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.directory, name + ".json"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir")
    args = parser.parse_args()
    sink = Sink(args.dir)
    controller = Controller(sink, hostname=args.host, port=args.port, data_size_limit=50 * 1024 * 1024)
    controller.start()
    print("READY", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()
    print(json.dumps({"messages": sink.messages, "connections": len(sink.peers)}), flush=True)


if __name__ == "__main__":
    main()
