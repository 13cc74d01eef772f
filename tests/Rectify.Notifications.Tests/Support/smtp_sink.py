"""A real SMTP server for tests and benchmarks (aiosmtpd, Debian's python3-aiosmtpd).

Usage: python3 smtp_sink.py --port PORT [--dir DIR] [--workers N] [--auth USER:PASSWORD] [--tls-cert PEM --tls-key PEM]
With --dir, every message received is decoded with Python's email package and written as one JSON file
(subject decoded, plain and HTML parts, attachments in base64, peer address): the tests read what a mail
client would show. Without --dir it only counts. Prints READY when listening; prints the counts on SIGTERM.
--workers N runs N server processes on the same port (SO_REUSEPORT), for benchmarks: one Python process
tops out well below what one Rectify node sends.
--tls-cert/--tls-key offer STARTTLS and require it before MAIL (and before AUTH), like a submission server; each
record then says whether its session was encrypted and who authenticated with which mechanism. With --implicit-tls
the server speaks TLS from the first byte instead (SMTPS, what port 465 does).
--reject SUBSTRING=REPLY (repeatable) answers RCPT TO for addresses containing SUBSTRING with REPLY, e.g.
"nobody=550 5.1.1 <nobody@x>: Recipient address rejected: User unknown" or "busy=450 4.2.1 Mailbox busy".
--reject-data SUBSTRING=REPLY answers the end of DATA with REPLY for messages containing SUBSTRING (not stored).
--reply-delay SECONDS stores the message, then waits before its 250 (a slow server on a loaded machine);
--hang-after-data stores the message and never answers (the reply is lost).
--drop-after-data N stores each of the first N messages, then closes the connection without answering (a server that
crashed after taking the message).
--pipelining advertises PIPELINING (RFC 2920) like Postfix does (the benchmark uses it).
"""
import argparse, asyncio, base64, email, email.policy, json, multiprocessing, os, signal, ssl, sys, threading, time, uuid

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, directory, rejects=(), data_rejects=(), reply_delay=0.0, hang=False, drop=0):
        self.directory = directory
        self.messages = 0
        self.peers = set()
        self.lock = threading.Lock()
        self.rejects = [r.split("=", 1) for r in rejects]
        self.data_rejects = [r.split("=", 1) for r in data_rejects]
        self.reply_delay = reply_delay
        self.hang = hang
        self.drop = drop

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        for substring, reply in self.rejects:
            if substring in address:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for substring, reply in self.data_rejects:
            if substring.encode() in envelope.content:
                return reply
        with self.lock:
            self.messages += 1
            self.peers.add(tuple(session.peer) if session.peer else None)
        if self.directory:
            self.write(server, session, envelope)
        if self.hang:
            await asyncio.sleep(3600)
        if self.drop > 0:
            self.drop -= 1
            server.transport.abort()
            await asyncio.sleep(3600)
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 OK"

    def write(self, server, session, envelope):
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
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authUser": getattr(session.auth_data, "user", None) if session.authenticated else None,
            "authMechanism": getattr(session.auth_data, "mechanism", None) if session.authenticated else None,
        }
        name = uuid.uuid4().hex
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.directory, name + ".json"))


class PipeliningSink(Sink):
    """Advertises PIPELINING (RFC 2920), as Postfix and most production servers do. aiosmtpd reads the commands of a
    pipelined group one by one from its buffer and answers each in order, which is all PIPELINING asks of a server."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]


class CaseInsensitiveAuthSMTP(SMTP):
    """SMTP mechanisms are case-insensitive (RFC 4954); aiosmtpd 1.4 only knows upper case, and .NET's SmtpClient
    sends "AUTH login". Upper-case the mechanism name, as Postfix and other servers effectively do."""

    async def smtp_AUTH(self, arg):
        if arg:
            mechanism, _, rest = arg.partition(" ")
            arg = mechanism.upper() + (" " + rest if rest else "")
        return await super().smtp_AUTH(arg)


def authenticator_for(credentials):
    """AUTH PLAIN/LOGIN against one user:password (over plain TCP: loopback tests only)."""
    if not credentials:
        return None
    user, password = credentials.split(":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = getattr(auth_data, "login", None) == user.encode() and getattr(auth_data, "password", None) == password.encode()
        return AuthResult(success=ok, auth_data=argparse.Namespace(user=user, mechanism=mechanism) if ok else None)
    return authenticate


def tls_context_for(cert, key):
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def serve(host, port, directory, reuse_port, ready, counts=None, credentials=None, tls=None, implicit_tls=False, sink=None, pipelining=False):
    sink = sink or (PipeliningSink(directory) if pipelining else Sink(directory))
    auth = authenticator_for(credentials)
    context = tls_context_for(*(tls or (None, None)))
    starttls = context if not implicit_tls else None
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: CaseInsensitiveAuthSMTP(sink, data_size_limit=50 * 1024 * 1024, authenticator=auth, auth_required=auth is not None,
                     auth_require_tls=starttls is not None, tls_context=starttls, require_starttls=starttls is not None),
        host, port, reuse_port=reuse_port, ssl=context if implicit_tls else None))
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    ready.set()
    loop.run_until_complete(stop.wait())
    server.close()
    if counts is not None:
        counts.put((sink.messages, len(sink.peers), time.process_time()))
    return sink


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--auth")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--reject-data", action="append", default=[])
    parser.add_argument("--reply-delay", type=float, default=0.0)
    parser.add_argument("--hang-after-data", action="store_true")
    parser.add_argument("--drop-after-data", type=int, default=0)
    parser.add_argument("--pipelining", action="store_true")
    args = parser.parse_args()
    if args.workers <= 1:
        # One process (the tests): no children to leave behind if the process is killed.
        class Ready:
            def set(self):
                print("READY", flush=True)
        sink = serve(args.host, args.port, args.dir, False, Ready(), credentials=args.auth, tls=(args.tls_cert, args.tls_key),
                     implicit_tls=args.implicit_tls,
                     sink=(PipeliningSink if args.pipelining else Sink)(args.dir, args.reject, args.reject_data, args.reply_delay, args.hang_after_data,
                                                                                          args.drop_after_data))
        print(json.dumps({"messages": sink.messages, "connections": len(sink.peers)}), flush=True)
        return
    counts = multiprocessing.Queue()
    workers = []
    for _ in range(max(1, args.workers)):
        ready = multiprocessing.Event()
        p = multiprocessing.Process(target=serve, args=(args.host, args.port, args.dir, args.workers > 1, ready, counts, args.auth,
                                                                (args.tls_cert, args.tls_key), False, None, args.pipelining))
        p.start()
        if not ready.wait(20):
            sys.exit("SMTP sink worker did not start")
        workers.append(p)
    print("READY", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    for p in workers:
        p.terminate()
    messages = connections = 0
    cpu = 0.0
    for _ in workers:
        m, c, t = counts.get(timeout=10)
        messages += m
        connections += c
        cpu += t
    for p in workers:
        p.join()
    print(json.dumps({"messages": messages, "connections": connections, "cpuSeconds": round(cpu, 2)}), flush=True)


if __name__ == "__main__":
    main()
