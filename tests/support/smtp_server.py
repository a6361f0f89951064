"""A loopback SMTP server for tests/mail.rs, on aiosmtpd.

    smtp_server.py serve DIR [--fail-first N] [--reject ADDR] [--exit-after N]
        Listens on 127.0.0.1 (a free port, printed on the first line of
        stdout), and writes each accepted message into DIR as NNNN.eml and
        NNNN.json (envelope, headers, text body and each attachment's SHA-256,
        as Python's own email parser reads them). With TEST_SMTP_USER and
        TEST_SMTP_PASSWORD in the environment, AUTH is required and each login
        attempt is written as auth-NNNN.json. --fail-first N answers 451 to the
        first N messages; --reject ADDR answers 550 to that recipient;
        --exit-after N stops listening after N messages. Stops by itself after
        five minutes.

    smtp_server.py parse FILE
        Prints the same summary of an .eml file as JSON.
"""

import asyncio
import email
import hashlib
import json
import os
import socket
import sys
from email import policy


def summarise(raw):
    msg = email.message_from_bytes(raw, policy=policy.default)
    attachments = []
    body = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name:
            data = part.get_payload(decode=True)
            attachments.append(
                {
                    "filename": name,
                    "content_type": part.get_content_type(),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        elif part.get_content_type() == "text/plain":
            body = part.get_content()
    return {
        "from": str(msg["from"]),
        "to": str(msg["to"]),
        "subject": str(msg["subject"]),
        "message_id": str(msg["message-id"]),
        "body": body,
        "attachments": attachments,
    }


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False)
    os.replace(tmp, path)


class Handler:
    def __init__(self, out, fail_first, reject, exit_after):
        self.out = out
        self.fail_first = fail_first
        self.reject = reject
        self.exit_after = exit_after
        self.count = 0
        self.stop = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address == self.reject:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 try again later"
        self.count += 1
        stem = os.path.join(self.out, "%04d" % self.count)
        with open(stem + ".eml", "wb") as f:
            f.write(envelope.original_content)
        summary = summarise(envelope.original_content)
        summary["mail_from"] = envelope.mail_from
        summary["rcpt_tos"] = envelope.rcpt_tos
        login = session.auth_data
        summary["login"] = login.decode() if isinstance(login, bytes) else None
        write_json(stem + ".json", summary)
        if self.count == self.exit_after:
            asyncio.get_running_loop().call_soon(self.stop)
        return "250 OK"


class Authenticator:
    def __init__(self, out, user, password):
        self.out = out
        self.user = user.encode()
        self.password = password.encode()
        self.count = 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.count += 1
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        write_json(
            os.path.join(self.out, "auth-%04d.json" % self.count),
            {"mechanism": mechanism, "ok": ok},
        )
        return AuthResult(
            success=ok, handled=False, auth_data=auth_data.login if ok else None
        )


async def serve(out, fail_first, reject, exit_after):
    from aiosmtpd.smtp import SMTP

    handler = Handler(out, fail_first, reject, exit_after)
    user = os.environ.get("TEST_SMTP_USER")
    password = os.environ.get("TEST_SMTP_PASSWORD")
    auth = Authenticator(out, user, password) if user else None

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            authenticator=auth,
            auth_required=auth is not None,
            auth_require_tls=False,
        )

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = await asyncio.get_running_loop().create_server(factory, sock=sock)
    handler.stop = server.close
    print(sock.getsockname()[1], flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), timeout=300)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass


def main(argv):
    if argv[:1] == ["parse"]:
        with open(argv[1], "rb") as f:
            print(json.dumps(summarise(f.read()), ensure_ascii=False))
        return
    if argv[:1] != ["serve"]:
        sys.exit(__doc__)
    out = argv[1]
    fail_first, reject, exit_after = 0, None, 0
    rest = argv[2:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--fail-first":
            fail_first = int(value)
        elif flag == "--reject":
            reject = value
        elif flag == "--exit-after":
            exit_after = int(value)
        else:
            sys.exit("unknown flag " + flag)
    asyncio.run(serve(out, fail_first, reject, exit_after))


if __name__ == "__main__":
    main(sys.argv[1:])
