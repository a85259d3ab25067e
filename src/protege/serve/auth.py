"""Who may call the server, and how much they may send.

One ASGI middleware guards every route, API and dashboard alike:

- Bound to 127.0.0.1 with no token configured, the server is open to this machine. Any other
  bind (or ``PROTEGE_SERVE_TOKEN`` / ``--require-token``) needs a token, sent as
  ``Authorization: Bearer TOKEN`` or held by a browser in the ``protege_token`` cookie, which
  ``GET /login?token=...`` sets. The token is generated on first start, printed once, and kept
  in ``PROTEGE_HOME/serve-token`` with mode 0600 (written whole before it appears).
- CORS stays closed: a request whose ``Origin`` is not this server is refused, so no web page a
  user visits can drive the API through their browser; an open local server also checks the
  ``Host`` header, which defeats DNS rebinding.
- Bodies over the limit (1 MiB by default) get 413, chunked ones as soon as they pass it.
- Every answer forbids scripts, framing and content sniffing (:data:`SECURITY_HEADERS`).

:func:`who` names whoever made a request, for the events the dashboard records.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TOKEN_FILE = "serve-token"
COOKIE = "protege_token"
MAX_BODY_BYTES = 1 << 20
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# A token must be long enough to guess at no better than chance, and safe in a header and a cookie.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9._~+/=-]{16,256}$")
# Sent with every answer. No page of ours runs a script (an eval report showing a hostile input
# cannot act on the dashboard), is framed (its buttons cannot be clickjacked) or is sniffed.
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]


@dataclass(frozen=True)
class AuthConfig:
    token: str | None
    """None: open (only when bound to 127.0.0.1)."""
    max_body_bytes: int = MAX_BODY_BYTES


def load_or_create_token(home: Path) -> tuple[str, bool]:
    """(token, created now?) from ``PROTEGE_SERVE_TOKEN`` or ``home/serve-token``.

    A new token file is written whole under a temporary name with mode 0600 and then linked into
    place, so no other user ever sees it and no reader ever sees it half written."""
    if os.environ.get("PROTEGE_SERVE_TOKEN"):
        return checked_token(os.environ["PROTEGE_SERVE_TOKEN"], "PROTEGE_SERVE_TOKEN"), False
    path = home / TOKEN_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(32)
        staging = home / f".{TOKEN_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(token + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.link(staging, path)
            return token, True
        except FileExistsError:
            pass  # another `protege serve` made it first: use theirs
        finally:
            staging.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return checked_token(path.read_text(encoding="utf-8").strip(), str(path)), False


def checked_token(token: str, source: str) -> str:
    """``token``, or a ValueError: an empty or short token would let anyone in."""
    if not TOKEN_PATTERN.match(token):
        remedy = f" (delete {source} to have a new one made)" if source.endswith(TOKEN_FILE) else ""
        raise ValueError(f"the token in {source} must be 16 to 256 characters of letters, digits and ._~+/=-{remedy}")
    return token


def needs_token(host: str, *, required: bool = False) -> bool:
    return required or bool(os.environ.get("PROTEGE_SERVE_TOKEN")) or host != "127.0.0.1"


def who(request) -> str:
    """Who made ``request``: the name they gave (``X-Protege-User``), how they proved it, from where."""
    state = request.scope.get("protege_auth", "open")
    client = request.client.host if request.client else "unknown"
    user = (request.headers.get("x-protege-user") or "").strip()[:64]
    name = f"{user}@{client}" if user else client
    return f"{name} ({state})"


class Guard:
    """The middleware: auth, origin, host and body-size checks before any route runs."""

    def __init__(self, app, config: AuthConfig):
        self.app = app
        self.config = config

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] != "http":  # no websocket route exists; refuse rather than pass it by the checks
            return await send({"type": "websocket.close", "code": 1008})
        send = _with_security_headers(send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            return await _reply(scope, send, *refusal)
        if scope["path"] == "/login":
            return await self._login(scope, send)
        length = headers.get("content-length")
        limit = self.config.max_body_bytes
        if length is not None and not (length.isascii() and length.isdigit() and int(length) <= limit):
            return await _reply(scope, send, 413, f"request body over {limit} bytes")
        return await self.app(scope, self._limited(receive), send)

    def _refusal(self, scope, headers: dict) -> tuple[int, str] | None:
        origin = headers.get("origin")
        host = headers.get("host", "")
        if origin and origin != "null" and urlsplit(origin).netloc != host:
            return 403, "cross-origin requests are refused (CORS is closed)"
        if origin == "null":
            return 403, "requests from an opaque origin are refused"
        if self.config.token is None:
            if _hostname(host) not in LOCAL_HOSTS:
                return 403, f"host {host!r} refused: an open server answers only 127.0.0.1 or localhost"
            scope["protege_auth"] = "open"
            return None
        if scope["path"] == "/login":
            return None
        sent = _bearer(headers.get("authorization", ""))
        how = "token"
        if sent is None:
            sent = _cookie(headers.get("cookie", ""))
            how = "cookie"
        if not sent or not _same(sent, self.config.token):
            return 401, "a token is required: send 'Authorization: Bearer TOKEN' (see `protege serve` output)"
        scope["protege_auth"] = how
        return None

    async def _login(self, scope, send):
        """``GET /login?token=...``: check the token and hand it to the browser as a cookie."""
        given = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]
        if self.config.token is not None and not _same(given, self.config.token):
            return await _reply(scope, send, 401, "wrong token")
        cookie = f"{COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict" if self.config.token else ""
        headers = [(b"location", b"/dashboard")] + ([(b"set-cookie", cookie.encode())] if cookie else [])
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _limited(self, receive):
        limit = self.config.max_body_bytes
        seen = 0

        async def wrapped():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped


class BodyTooLarge(Exception):
    """A chunked body went over the limit while being read (the app answers 413)."""

    def __init__(self, limit: int):
        super().__init__(f"request body over {limit} bytes")


def _bearer(value: str) -> str | None:
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _hostname(host: str) -> str | None:
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:  # a malformed Host header: no name at all
        return None


def _cookie(header: str) -> str | None:
    """Our cookie's value. Read by hand: ``SimpleCookie`` drops every cookie when one is malformed,
    and browsers send this host's cookies from other ports too."""
    for pair in header.split(";"):
        name, sep, value = pair.strip().partition("=")
        if sep and name == COOKIE:
            return value.strip().strip('"')
    return None


def _same(sent: str, token: str) -> bool:
    """Constant-time comparison (the time taken says nothing about how much of the token matched)."""
    return hmac.compare_digest(sent.encode(), token.encode())


def error_body(path: str, message: str, status: int) -> dict:
    """An error in the shape of the API the path belongs to: Ollama's ``{"error": "..."}`` under
    ``/api/``, OpenAI's ``{"error": {"message", "type", "code"}}`` elsewhere."""
    if path.startswith("/api/"):
        return {"error": message}
    kind = "auth_error" if status in (401, 403) else "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "code": status}}


def _with_security_headers(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
        await send(message)

    return wrapped


async def _reply(scope, send, status: int, message: str) -> None:
    body = json.dumps(error_body(scope["path"], message, status)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
