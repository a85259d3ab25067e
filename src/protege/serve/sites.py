"""Which call site an HTTP chat request belongs to, and how it becomes that site's inputs.

A request names its site, in this order:

1. the ``X-Protege-Site`` header;
2. the model field: ``protege/NAME``, or an alias the user configured (``qwen2.5:3b`` ->
   ``showintent``), so an unmodified client can be pointed at a site;
3. nothing: a plain client that can name no site is given one derived from its system prompt and
   output schema (``auto-<hash>``), a proxy site in front of the configured ``upstream`` with the
   client's own model name.

NAME is a served Python call site (its full ``module:qualname``, or the short name of its chat
adapter) or a proxy site (:mod:`protege.serve.proxy`).

Apps declare how a chat request becomes their call site's inputs with a *chat adapter*, found in
the ``protege.chat`` entry point group (the core never imports an app). A chat adapter is any
object with:

- ``names``: the short names a client may use (``protege/showintent``);
- ``function``: the ``@protege.llm`` function it serves;
- ``inputs(messages) -> dict``: the call's inputs from the chat messages (``[{"role",
  "content"}]``); raise ``ValueError`` with a message the client can act on;
- ``content(output, inputs) -> str``: the message content the client expects back.

Call sites of modules given with ``protege serve --import MODULE`` get the default adapter: the
last user message holds the inputs as a JSON object in the call site's own argument names.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import threading
import tomllib
import typing
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError

from protege.callsite import CallSite
from protege.parsing import canonical_json
from protege.router import Router
from protege.serve.proxy import MODULE as PROXY_MODULE
from protege.serve.proxy import NAME_PATTERN, ProxyCallSite
from protege.teachers.openai_compat import OLLAMA_URL, OpenAITeacher

log = logging.getLogger("protege.serve")
SITE_HEADER = "x-protege-site"
MODEL_PREFIX = "protege/"
MAX_PROXY_SITES = 256
"""Proxy sites kept built in memory; one used again after it was dropped is simply built again."""


class RequestError(ValueError):
    """A request the server cannot answer as sent: a 4xx with this message; nothing changes."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class ChatAdapter(Protocol):
    names: tuple[str, ...]
    function: Any

    def inputs(self, messages: list[dict]) -> dict: ...

    def content(self, output: Any, inputs: dict) -> str: ...


@dataclass
class ServeConfig:
    """What ``protege serve`` answers, from ``PROTEGE_HOME/serve.toml`` and the command line."""

    proxies: dict[str, str] = field(default_factory=dict)
    """Proxy site short name -> upstream teacher spec (``http://host/v1#model``, ``ollama:qwen2.5:3b``)."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Model name a client sends -> site name (short or full)."""
    upstream: str | None = None
    """Where plain clients' requests go, with their own model name: ``ollama`` or a ``/v1`` base URL."""
    imports: list[str] = field(default_factory=list)
    """Modules whose ``@protege.llm`` call sites are served with the default adapter."""

    @classmethod
    def load(cls, path: Path) -> ServeConfig:
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: {exc}") from exc
        proxy = {name: (spec.get("teacher") if isinstance(spec, dict) else spec)
                 for name, spec in _table(data, "proxy", path).items()}
        config = cls(proxies=proxy, aliases=_table(data, "aliases", path), upstream=data.get("upstream"),
                     imports=data.get("imports", []))
        if not all(isinstance(v, str) and v for v in [*config.proxies.values(), *config.aliases.values()]):
            raise ValueError(f"{path}: each [proxy] NAME is an upstream string (or has teacher = \"...\"), "
                             "each [aliases] MODEL a site name")
        if not (config.upstream is None or isinstance(config.upstream, str)):
            raise ValueError(f"{path}: upstream must be a string: 'ollama' or a /v1 URL")
        if not (isinstance(config.imports, list) and all(isinstance(m, str) for m in config.imports)):
            raise ValueError(f"{path}: imports must be a list of module names")
        return config


def _table(data: dict, key: str, path: Path) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{path}: [{key}] must be a table")
    return dict(value)


@dataclass
class Answer:
    content: str
    site: str
    info: dict
    """The router's ``last_call()``: route, answered_by, model, fallback."""


class JsonInputsAdapter:
    """The default: the last user message is a JSON object of the call site's arguments."""

    def __init__(self, function: Any):
        self.function = function
        site: CallSite = function.site
        self.names = (site.name,)
        hints = typing.get_type_hints(site.fn)
        self._adapters = {name: TypeAdapter(hints.get(name, Any)) for name in site.signature.parameters}

    def inputs(self, messages: list[dict]) -> dict:
        data = json_of_last_user_message(messages)
        unknown = sorted(set(data) - set(self._adapters))
        if unknown:
            raise ValueError(f"unknown argument(s) {unknown}; this call site takes {sorted(self._adapters)}")
        try:
            values = {name: self._adapters[name].validate_python(value) for name, value in data.items()}
        except ValidationError as exc:
            raise ValueError(f"the arguments do not match the call site: {exc.errors(include_url=False)[:3]}") from exc
        try:
            self.function.site.signature.bind(**values)
        except TypeError as exc:
            raise ValueError(f"{exc}; this call site takes {sorted(self._adapters)}") from exc
        return values

    def content(self, output: Any, inputs: dict) -> str:
        return json.dumps(self.function.site.dump_output(output), ensure_ascii=False)


def json_of_last_user_message(messages: list[dict]) -> dict:
    """The JSON object in the last user message, or a ValueError that says what was expected."""
    users = [m for m in messages if m.get("role") == "user"]
    if not users:
        raise ValueError("no user message: send the inputs as a JSON object in a user message")
    try:
        data = json.loads(users[-1]["content"])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the user message is not JSON ({exc.msg}); send the inputs as a JSON object") from exc
    if not isinstance(data, dict):
        raise ValueError("the user message must be a JSON object of the call site's inputs")
    return data


class Sites:
    """Resolves requests to call sites and answers them through one router."""

    def __init__(self, config: ServeConfig, *, router: Router, adapters: list | None = None):
        self.config = config
        self.router = router
        self._adapters: dict[str, Any] = {}
        for adapter in (discover_adapters() if adapters is None else adapters):
            self._add_adapter(adapter)
        for module in config.imports:
            for function in _sites_in(importlib.import_module(module)):
                if function.site.name not in self._adapters:
                    self._add_adapter(JsonInputsAdapter(function))
        bad = [name for name in config.proxies if not NAME_PATTERN.match(name)]
        if bad:
            raise ValueError(f"proxy site names {bad}: use letters, digits, '_' and '-'")
        for name, spec in config.proxies.items():  # a spec that can never work fails now, not per request
            _check_upstream(f"proxy site {name}", spec, client_model=None)
        if config.upstream:
            _check_upstream("upstream", config.upstream, client_model="the client's")
        self._proxies: OrderedDict[tuple, ProxyCallSite] = OrderedDict()
        self._lock = threading.Lock()

    def _add_adapter(self, adapter: Any) -> None:
        site = adapter.function.site
        for name in (site.name, *adapter.names):
            self._adapters[name] = adapter

    def model_names(self) -> list[str]:
        """What ``/v1/models`` and ``/api/tags`` list."""
        shorts = {min(a.names, key=len) for a in self._adapters.values() if a.names}
        return sorted({MODEL_PREFIX + n for n in shorts | set(self.config.proxies)} | set(self.config.aliases))

    # ----- answering
    def answer(self, model: str | None, header: str | None, messages: list[dict], schema: dict | None) -> Answer:
        """Answer one chat request (called in a worker thread: the router blocks on the model).

        ``schema`` is the output JSON schema the client asked for ({"type": "object"} for plain
        JSON mode), or None for free text; a Python call site answers in its own schema."""
        name = self._named_site(model, header)
        if name is not None and name in self._adapters:
            return self._answer_python(self._adapters[name], messages)
        if name is not None:
            short = name.removeprefix(f"{PROXY_MODULE}:")
            if short not in self.config.proxies:
                raise RequestError(f"unknown call site {name!r}; served here: {', '.join(self.model_names()) or 'none'}", 404)
            site = self._proxy(short, schema, self.config.proxies[short], client_model=None)
        else:
            if not self.config.upstream:
                raise RequestError(
                    f"model {model!r} names no call site: use model 'protege/SITE' or the X-Protege-Site header, "
                    "configure an alias, or start `protege serve --upstream URL` to proxy plain clients", 404)
            site = self._proxy(auto_site_name(messages, schema), schema, self.config.upstream, client_model=model)
        return self._answer_proxy(site, messages)

    def _named_site(self, model: str | None, header: str | None) -> str | None:
        if header:
            return header.strip().removeprefix(MODEL_PREFIX)
        if model and model.startswith(MODEL_PREFIX):
            return model.removeprefix(MODEL_PREFIX)
        if model and model in self.config.aliases:
            return self.config.aliases[model].removeprefix(MODEL_PREFIX)
        return None

    def _answer_python(self, adapter: Any, messages: list[dict]) -> Answer:
        try:
            inputs = adapter.inputs(messages)
        except (ValueError, KeyError, TypeError) as exc:
            raise RequestError(f"{adapter.names[0] if adapter.names else 'call site'}: {exc}") from exc
        site = adapter.function.site
        output = self.router.call(site, (), inputs)
        return Answer(adapter.content(output, inputs), site.name, self.router.last_call())

    def _answer_proxy(self, site: ProxyCallSite, messages: list[dict]) -> Answer:
        output = self.router.call(site, (), {"messages": messages})
        content = output if site.free_text else json.dumps(output, ensure_ascii=False)
        return Answer(content, site.name, self.router.last_call())

    def _proxy(self, short: str, schema: dict | None, upstream: str, *, client_model: str | None) -> ProxyCallSite:
        key = (short, canonical_json(schema), upstream, client_model)
        with self._lock:
            site = self._proxies.get(key)
        if site is None:
            teacher = upstream_teacher(upstream, client_model=client_model, structured=schema is not None)
            try:
                site = ProxyCallSite(short, output_schema=schema, teacher=teacher)
            except ValueError as exc:
                raise RequestError(str(exc)) from exc
            with self._lock:
                site = self._proxies.setdefault(key, site)
        with self._lock:  # the newest sites stay built; clients that vary their schema cannot grow this without end
            self._proxies.move_to_end(key)
            while len(self._proxies) > MAX_PROXY_SITES:
                self._proxies.popitem(last=False)
        return site


def auto_site_name(messages: list[dict], schema: dict | None) -> str:
    """The site of a plain client: its system prompt and output schema, hashed."""
    system = "\n".join(m["content"] for m in messages if m.get("role") in ("system", "developer"))
    digest = hashlib.sha256(canonical_json({"system": system, "schema": schema}).encode()).hexdigest()
    return f"auto-{digest[:12]}"


def upstream_teacher(spec: str, *, client_model: str | None, structured: bool) -> OpenAITeacher:
    """The teacher behind a proxy site. ``spec`` names the model (``ollama:qwen2.5:3b``,
    ``http://host/v1#model``) or only the server (``ollama``, ``http://host/v1``), in which case
    the client's model name is used."""
    options = {"structured_output": structured, "timeout": 120.0}
    if spec == "ollama" or (spec.startswith(("http://", "https://")) and "#" not in spec):
        if not client_model:
            named = "ollama:MODEL" if spec == "ollama" else f"{spec}#MODEL"
            raise RequestError(f"upstream {spec!r} names no model (write {named}) and the request sent none")
        base = os.environ.get("OLLAMA_BASE_URL", OLLAMA_URL) if spec == "ollama" else spec
        return OpenAITeacher(client_model, base_url=base, **options)
    return OpenAITeacher.from_spec(spec, **options)


def _check_upstream(what: str, spec: str, *, client_model: str | None) -> None:
    try:
        upstream_teacher(spec, client_model=client_model, structured=False)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from exc


def discover_adapters() -> list:
    """The chat adapters apps declare in the ``protege.chat`` entry point group."""
    found = []
    for ep in entry_points(group="protege.chat"):
        try:
            found.append(ep.load())
        except Exception as exc:  # a broken app must not take the server down
            log.warning("chat adapter %s failed to load: %s", ep.name, exc)
    return found


def _sites_in(module: Any) -> list:
    return [obj for obj in vars(module).values() if isinstance(getattr(obj, "site", None), CallSite)]
