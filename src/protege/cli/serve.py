"""`protege serve`: the OpenAI- and Ollama-compatible APIs and the dashboard (FastAPI + uvicorn)."""

from __future__ import annotations

import typer

from protege.cli.common import console, fail
from protege.config import settings
from protege.serve.auth import AuthConfig, load_or_create_token, needs_token

try:  # the web extra (FastAPI, jsonschema) is optional: the rest of the CLI works without it
    from protege.serve.app import create_app
    from protege.serve.sites import ServeConfig
except ImportError as exc:
    create_app, _WEB_MISSING = None, str(exc)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; anything but 127.0.0.1 requires a token."),
    port: int = typer.Option(8765, help="Port to listen on."),
    proxy: list[str] = typer.Option([], help="A proxy site NAME=UPSTREAM, e.g. chat=http://127.0.0.1:8080/v1#model or chat=ollama:qwen2.5:3b (repeatable)."),
    alias: list[str] = typer.Option([], help="MODEL=SITE: requests for MODEL go to SITE (repeatable)."),
    upstream: str = typer.Option(None, help="Where plain clients' requests go, with their model name: 'ollama' or a /v1 URL."),
    import_: list[str] = typer.Option([], "--import", help="A module whose @protege.llm call sites are served (repeatable)."),
    require_token: bool = typer.Option(False, "--require-token", help="Ask for the token on 127.0.0.1 too."),
    max_body_kb: int = typer.Option(1024, min=1, help="Largest request body accepted, in KiB."),
) -> None:
    """Serve call sites over OpenAI- and Ollama-compatible HTTP, with proxy sites and the dashboard.
    Settings in PROTEGE_HOME/serve.toml (upstream, imports, aliases, proxy sites) come first; options add to them."""
    if create_app is None:
        fail(f"protege serve needs the web extra: pip install 'protege[web]' ({_WEB_MISSING})")
    import uvicorn  # only the server needs it, not every `protege` command
    home = settings().home
    try:
        config = ServeConfig.load(home / "serve.toml")
        config.proxies.update(_pairs(proxy, "--proxy"))
        config.aliases.update(_pairs(alias, "--alias"))
        config.upstream = upstream or config.upstream
        config.imports += import_
        token = None
        if needs_token(host, required=require_token):
            token, created = load_or_create_token(home)
            if created:
                console.print(f"[bold]new access token[/] (kept in {home / 'serve-token'}, mode 0600): {token}")
            console.print("clients send 'Authorization: Bearer TOKEN'; a browser opens /login?token=TOKEN once")
        app = create_app(config, auth=AuthConfig(token=token, max_body_bytes=max_body_kb * 1024))
    except (ValueError, ImportError, OSError) as exc:
        fail(str(exc))
    names = app.state.sites.model_names()
    console.print(f"protege serve on http://{host}:{port}  (OpenAI: /v1, Ollama: /api, dashboard: /dashboard)")
    console.print(f"models: {', '.join(names) or 'none'}" + (f"; plain clients -> {config.upstream}" if config.upstream else ""))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key or not target:
            raise ValueError(f"{option} {value!r}: write NAME=VALUE")
        pairs[key.strip()] = target.strip()
    return pairs
