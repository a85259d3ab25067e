"""`protege serve` live: a real server subprocess answered by the OpenAI SDK and by a plain
Ollama-protocol client (urllib), for the ShowIntent site (its labelled teacher, through the router)
and for a proxy site in front of a real llama.cpp server running the bundled SmolLM2 GGUF."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import openai
import pytest
from servers import free_port
from servers import llama_server as start_llama_server

import protege
from protege import inputs_hash
from protege.serve.auth import load_or_create_token
from protege.store import Store

pytest.importorskip("fastapi", reason="needs the web extra")
pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")

SUBSET = ["doors_idle", "premium_tropical", "neon_pulse", "supernova_bloom", "golden_hour_fade", "fog_short_burst"]
STATE = {"current_mood": "warm", "panic": False, "pending_approvals": [], "recent_effects": [], "now": "2026-06-20T22:00:00Z"}
SHOWINTENT = "protege.apps.showintent.callsite:parse_show_intent"
PROXY = "protege.serve.proxy:smalltalk"
MOOD_SCHEMA = {"type": "object", "properties": {"mood": {"type": "string", "enum": ["calm", "hype", "warm", "dark"]},
                                                "intensity": {"type": "number"}}, "required": ["mood", "intensity"]}
# (what the client sends as the last user message, the call site inputs it means, the label)
SHAPES = {
    "dry_run": ({"message": {"text": "deixa mais premium", "chat_role": "operator", "user_role": "foh"}},
                {"message": "deixa mais premium", "show_state": STATE, "cue_catalog_subset": [],
                 "chat_role": "operator", "user_role": "foh", "locale": "pt-BR"},
                {"type": "change_mood", "mood": "premium"}),
    "site_keys": ({"message": "bring the energy up for the drop", "show_state": STATE, "cue_catalog_subset": SUBSET,
                   "chat_role": "operator", "user_role": "foh", "locale": "en"},
                  {"message": "bring the energy up for the drop", "show_state": STATE, "cue_catalog_subset": SUBSET,
                   "chat_role": "operator", "user_role": "foh", "locale": "en"},
                  {"type": "change_mood", "mood": "hype"}),
    "controller": ({"task": "Return one ShowIntent JSON object and no prose.", "locale": "pt-BR", "show_state": STATE,
                    "cue_catalog_subset": SUBSET, "operator_message": "/fog"},
                   {"message": "/fog", "show_state": STATE, "cue_catalog_subset": SUBSET,
                    "chat_role": "operator", "user_role": "foh", "locale": "pt-BR"},
                   {"type": "arm_effect", "effect": "fog", "duration_seconds": 3, "intensity": 0.35}),
}
CONTROLLER_SYSTEM = "You translate AI Party operator messages into ShowIntent JSON. Answer with JSON only."



def wait_until_up(url: str, proc: subprocess.Popen, headers: dict | None = None, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2)
            return
        except urllib.error.HTTPError:
            return  # up, and answering (perhaps 401)
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{proc.args[:3]} exited at start with code {proc.returncode}")
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{url} did not come up in {seconds} s")


def start_serve(home: Path, *args: str, env: dict | None = None, host: str = "127.0.0.1") -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = home / f"serve-{port}.log"
    full_env = {**os.environ, "PROTEGE_HOME": str(home / ".protege"), **(env or {})}
    full_env.pop("PROTEGE_DB_URL", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "protege"), "serve", "--host", host, "--port", str(port), *args],
                            cwd=home, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}/api/version", proc)
    return proc, f"http://127.0.0.1:{port}", log


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def http(method: str, url: str, body=None, headers: dict | None = None, raw: bytes | None = None) -> tuple[int, dict, bytes]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture(scope="module")
def llama_server():
    with start_llama_server() as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory, llama_server):
    home = tmp_path_factory.mktemp("serve")
    labels = home / "labels.jsonl"
    labels.write_text("".join(json.dumps({"inputs": i, "output": o}) + "\n" for _, i, o in SHAPES.values()))
    proc, url, log = start_serve(home, "--proxy", f"smalltalk={llama_server}#smollm2", "--proxy", f"moods={llama_server}#smollm2", "--alias", "qwen2.5:3b=showintent",
                                 env={"PROTEGE_SHOWINTENT_LABELS": str(labels)})
    yield url, home
    stop(proc)


@pytest.fixture
def store_of(server):
    url, home = server
    protege.configure(home=home / ".protege", db_url=None)
    yield Store.default()
    Store.forget_default()


def client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


def user(content) -> list[dict]:
    return [{"role": "user", "content": content if isinstance(content, str) else json.dumps(content)}]


def all_calls(store: Store) -> int:
    return sum(len(store.calls(name, limit=100000)) for name in store.site_names())


def test_models_are_listed_by_both_apis(server):
    url, _ = server
    assert {"protege/showintent", "protege/smalltalk", "qwen2.5:3b"} <= {m.id for m in client(url).models.list()}
    status, _, body = http("GET", f"{url}/api/tags")
    assert status == 200 and "protege/smalltalk" in [m["name"] for m in json.loads(body)["models"]]
    assert json.loads(http("GET", f"{url}/api/version")[2])["version"] == protege.__version__


@pytest.mark.parametrize("shape", list(SHAPES))
def test_showintent_through_the_openai_sdk_as_in_process(server, store_of, shape):
    url, _ = server
    sent, inputs, label = SHAPES[shape]
    messages = ([{"role": "system", "content": CONTROLLER_SYSTEM}] if shape == "controller" else []) + user(sent)
    reply = client(url).chat.completions.create(model="protege/showintent", messages=messages,
                                                response_format={"type": "json_object"})
    assert json.loads(reply.choices[0].message.content) == label
    served = store_of.calls(SHOWINTENT, limit=1)[0]
    assert inputs_hash(served["inputs"]) == inputs_hash(inputs) and served["parsed_output"] == label

    # the same inputs in-process: the same site, fingerprint, teacher and answer
    from protege.apps.showintent.callsite import LABELS, parse_show_intent

    LABELS.add(inputs, label)
    in_process = parse_show_intent(**inputs)
    assert in_process.model_dump(exclude_unset=True, mode="json") == label
    local = store_of.calls(SHOWINTENT, limit=1)[0]
    assert local["id"] != served["id"]
    for key in ("site", "fingerprint", "role", "model", "inputs", "parsed_output", "verdicts"):
        assert local[key] == served[key], key


def test_showintent_through_a_plain_ollama_client_and_an_alias(server, store_of):
    url, _ = server
    sent, _, label = SHAPES["controller"]
    body = {"model": "qwen2.5:3b", "messages": [{"role": "system", "content": CONTROLLER_SYSTEM}] + user(sent),
            "format": "json", "stream": False}
    status, headers, raw = http("POST", f"{url}/api/chat", body)
    reply = json.loads(raw)
    assert status == 200 and reply["done"] is True and json.loads(reply["message"]["content"]) == label
    assert headers["x-protege-site"] == SHOWINTENT and reply["protege"]["answered_by"] == "teacher"
    # Ollama streams NDJSON unless told otherwise; the pieces join to the same answer
    status, headers, raw = http("POST", f"{url}/api/chat", {**body, "stream": True})
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    assert headers["content-type"].startswith("application/x-ndjson") and lines[-1]["done"] and not lines[0]["done"]
    assert json.loads("".join(line["message"]["content"] for line in lines)) == label
    assert {"model", "created_at", "done_reason", "total_duration", "eval_count"} <= set(lines[-1])
    # `ollama run` loads the model first with no messages: nothing to answer, nothing recorded
    before = all_calls(store_of)
    for path, empty in (("/api/chat", {"messages": []}), ("/api/generate", {"prompt": ""})):
        status, _, raw = http("POST", url + path, {"model": "qwen2.5:3b", **empty})
        assert status == 200 and json.loads(raw)["done_reason"] == "load", raw
    assert all_calls(store_of) == before


def test_openai_streaming_joins_to_the_answer(server):
    url, _ = server
    sent, _, label = SHAPES["site_keys"]
    stream = client(url).chat.completions.create(model="protege/showintent", messages=user(sent), stream=True)
    chunks = list(stream)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert json.loads("".join(c.choices[0].delta.content or "" for c in chunks)) == label


def test_proxy_site_forwards_to_llama_cpp_and_captures_the_call(server, store_of):
    url, _ = server
    messages = [{"role": "system", "content": "You set the mood of a party from the operator's message."},
                {"role": "user", "content": "make it calm and soft"}]
    reply = client(url).chat.completions.create(
        model="protege/smalltalk", messages=messages,
        response_format={"type": "json_schema", "json_schema": {"name": "mood", "schema": MOOD_SCHEMA}})
    answer = json.loads(reply.choices[0].message.content)
    jsonschema.validate(answer, MOOD_SCHEMA)
    call = store_of.calls(PROXY, limit=1)[0]
    assert call["inputs"] == {"messages": messages} and call["parsed_output"] == answer
    assert call["model"] and call["tokens_in"] > 20 and call["role"] == "teacher"
    assert "[system]\nYou set the mood" in call["prompt"]  # the upstream saw the client's own messages
    assert store_of.site_fingerprints(PROXY)[0]["output_schema"] == MOOD_SCHEMA
    assert store_of.examples(PROXY)[0].output == answer

    # a plain Ollama client, free text, through /api/generate
    status, _, raw = http("POST", f"{url}/api/generate", {"model": "protege/smalltalk", "stream": False,
                                                          "prompt": "Say hello in one word to ana.souza@example.com."})
    assert status == 200 and json.loads(raw)["response"].strip()
    stored = store_of.calls(PROXY, limit=1)[0]
    assert stored["inputs"]["messages"][0]["content"].startswith("Say hello in one word to ")
    assert "ana.souza@example.com" not in json.dumps(stored, default=str)  # redacted before storage, as in-process
    # Ollama's format with a JSON schema
    status, _, raw = http("POST", f"{url}/api/chat", {"model": "protege/smalltalk", "messages": messages,
                                                      "format": MOOD_SCHEMA, "stream": False})
    jsonschema.validate(json.loads(json.loads(raw)["message"]["content"]), MOOD_SCHEMA)


def test_bad_and_hostile_requests_get_4xx_and_change_nothing(server, store_of):
    url, _ = server
    before = all_calls(store_of)
    chat = f"{url}/v1/chat/completions"
    cases = [
        (http("POST", chat, raw=b"{not json"), 400, "not valid JSON"),
        (http("POST", chat, raw=b"[" * 200_000), 400, "nested too deeply"),
        # shallow enough for the JSON reader, too deep for what reads it next (schemas, the store)
        (http("POST", chat, raw=b'{"model": "protege/smalltalk", "messages": [], "x": ' + b"[" * 100 + b"]" * 100 + b"}"),
         400, "more than 64 levels"),
        (http("POST", chat, raw=b'{"model": "protege/showintent", "n": ' + b"9" * 5000 + b"}"), 400, "not valid JSON"),
        (http("POST", chat, {"messages": user("hi")}), 400, "'model' is required"),
        (http("POST", chat, {"model": "protege/nosuch", "messages": user("hi")}), 404, "unknown call site"),
        (http("POST", chat, {"model": "gpt-4o", "messages": user("hi")}), 404, "names no call site"),
        (http("POST", chat, {"model": "protege/showintent", "messages": []}), 400, "non-empty list"),
        (http("POST", chat, {"model": "protege/showintent", "messages": [{"role": "hacker", "content": "x"}]}), 400, "role"),
        (http("POST", chat, {"model": "protege/showintent", "messages": user({"message": "x", "chat_role": "root"})}), 400,
         "chat_role 'root' is not one of"),
        (http("POST", chat, {"model": "protege/smalltalk", "messages": user("hi"), "response_format": {"type": "xml"}}), 400,
         "not supported"),
        (http("POST", chat, {"model": "protege/smalltalk", "messages": user("hi"),
                             "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": 12}}}}),
         400, "not valid"),
        (http("POST", chat, {"model": "protege/showintent", "messages": user("hi")}, {"Origin": "https://evil.example"}), 403,
         "cross-origin"),
        (http("POST", chat, {"model": "protege/showintent", "messages": user("hi")}, {"Host": "evil.example"}), 403, "host"),
        (http("POST", chat, {"model": "protege/smalltalk", "messages": user("hi"),
                             "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}), 400, "tools"),
        (http("POST", f"{url}/api/chat", {"model": "protege/smalltalk", "messages": user("hi"), "format": 5}), 400, "format"),
        (http("POST", f"{url}/api/chat", {"model": "protege/smalltalk", "messages": user("hi"), "stream": False},
              {"Origin": "http://127.0.0.1.evil.example"}), 403, "cross-origin"),
        (http("POST", f"{url}/api/chat", {"model": "protege/smalltalk", "messages": [{"role": "user", "content": "x",
                                                                                      "images": ["AAAA"]}]}), 400, "images"),
    ]
    for (status, headers, body), expected, words in cases:
        assert status == expected, body[:300]
        assert words in body.decode(), body[:300]
        assert headers["x-frame-options"] == "DENY" and "traceback" not in body.decode().lower()
    # each API's own error shape: Ollama's {"error": "..."}, OpenAI's {"error": {"message": ...}}
    assert all(isinstance(json.loads(body)["error"], str) for (_, _, body), _, _ in cases[-3:])
    assert all(json.loads(body)["error"]["message"] for (_, _, body), _, _ in cases[:-3])
    assert all_calls(store_of) == before


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_refused(server, store_of, chunked):
    url, _ = server
    before = all_calls(store_of)
    port = int(url.rsplit(":", 1)[1])
    body = b'{"model": "protege/showintent", "messages": "' + b"a" * (2 << 20) + b'"}'
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % len(body)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + framing + b"\r\n\r\n")
        try:
            for start in range(0, len(body), 65536):
                piece = body[start:start + 65536]
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            s.sendall(b"0\r\n\r\n" if chunked else b"")
        except OSError:
            pass  # the server may answer and close before we finish
        answer = b""
        while b"}" not in answer:
            piece = s.recv(1000)
            if not piece:
                break
            answer += piece
    assert answer.startswith(b"HTTP/1.1 413") and b"request body over 1048576 bytes" in answer
    assert all_calls(store_of) == before


def test_a_plain_client_gets_a_site_from_its_system_prompt_and_schema(tmp_path, llama_server):
    (tmp_path / ".protege").mkdir()
    (tmp_path / ".protege" / "serve.toml").write_text(
        f'upstream = "{llama_server}"\n[aliases]\n"party-model" = "showintent"\n')
    proc, url, _ = start_serve(tmp_path, "--import", "sites_for_tests", env={"PYTHONPATH": str(Path(__file__).parents[1] / "core")})
    try:
        assert "party-model" in {m.id for m in client(url).models.list()}
        # a Python call site served with --import: its inputs as a JSON user message
        level = "protege/sites_for_tests:create_next_level"
        reply = client(url).chat.completions.create(model=level, messages=user({"last_levels": [], "difficulty": 2}))
        assert json.loads(reply.choices[0].message.content) == {"name": "level-2", "difficulty": 3}
        status, _, raw = http("POST", f"{url}/v1/chat/completions", {"model": level, "messages": user({"difficulty": 2})})
        assert status == 400 and b"missing a required argument: 'last_levels'" in raw
        sites = []
        for system, text in (("Answer in one word.", "hi"), ("Answer in one word.", "bye"), ("Answer briefly.", "hi")):
            status, headers, raw = http("POST", f"{url}/api/chat", {
                "model": "smollm2", "stream": False,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}]})
            assert status == 200 and json.loads(raw)["message"]["content"].strip(), raw
            sites.append(headers["x-protege-site"])
        assert sites[0] == sites[1] != sites[2] and sites[0].startswith("protege.serve.proxy:auto-")
        protege.configure(home=tmp_path / ".protege", db_url=None)
        calls = Store.default().calls(sites[0])
        assert [c["inputs"]["messages"][1]["content"] for c in calls] == ["bye", "hi"] and calls[0]["model"]
    finally:
        Store.forget_default()
        stop(proc)


def non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
        return None if address.startswith("127.") else address
    except OSError:
        return None


def test_any_other_bind_needs_the_token(tmp_path):
    proc, url, log = start_serve(tmp_path, host="0.0.0.0")
    try:
        token_file = tmp_path / ".protege" / "serve-token"
        token = token_file.read_text().strip()
        assert oct(token_file.stat().st_mode & 0o777) == "0o600" and len(token) >= 32
        assert [p.name for p in token_file.parent.iterdir() if "serve-token" in p.name] == ["serve-token"]
        assert token in log.read_text()  # printed once, on first start
        address = non_loopback_address()
        remote = url.replace("127.0.0.1", address) if address else url
        for base in {url, remote}:
            status, _, body = http("GET", f"{base}/v1/models")
            assert status == 401 and b"token is required" in body
            assert http("GET", f"{base}/api/tags", headers={"Authorization": "Bearer wrong"})[0] == 401
            assert http("GET", f"{base}/dashboard")[0] == 401
            # every other door too: static files, the eval report, the JSON, an empty or a wrong cookie
            for path in ("/dashboard/static/dashboard.css", "/dashboard/site/x/report?file=x/y.html",
                         "/dashboard/api/sites", "/", "/nowhere"):
                assert http("GET", base + path)[0] == 401, path
            for cookie in ("protege_token=", "protege_token=wrong", f"protege_token={token[:-1]}"):
                assert http("GET", f"{base}/api/tags", headers={"Cookie": cookie})[0] == 401, cookie
        with pytest.raises(openai.AuthenticationError):
            client(remote).models.list()
        assert "protege/showintent" in {m.id for m in client(remote, key=token).models.list()}
        # a browser: /login?token= hands it a cookie that opens every page
        status, _, _ = http("GET", f"{remote}/login?token=wrong")
        assert status == 401
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"{remote}/login?token={token}")
        assert redirect.value.code == 303 and redirect.value.headers["location"] == "/dashboard"
        assert "HttpOnly" in redirect.value.headers["set-cookie"]
        cookie = redirect.value.headers["set-cookie"].split(";")[0]
        assert http("GET", f"{remote}/api/tags", headers={"Cookie": cookie})[0] == 200
        assert http("GET", f"{remote}/dashboard", headers={"Cookie": cookie})[0] == 200
    finally:
        stop(proc)


def test_the_token_file_is_private_and_never_empty(tmp_path, monkeypatch):
    monkeypatch.delenv("PROTEGE_SERVE_TOKEN", raising=False)
    token, created = load_or_create_token(tmp_path / "home")
    assert created and oct((tmp_path / "home" / "serve-token").stat().st_mode & 0o777) == "0o600"
    assert load_or_create_token(tmp_path / "home") == (token, False)
    (tmp_path / "home" / "serve-token").write_text("\n")  # an empty token would let anyone in
    with pytest.raises(ValueError, match="16 to 256 characters"):
        load_or_create_token(tmp_path / "home")
    monkeypatch.setenv("PROTEGE_SERVE_TOKEN", "short")
    with pytest.raises(ValueError, match="PROTEGE_SERVE_TOKEN"):
        load_or_create_token(tmp_path / "home")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


MOOD_MESSAGES = [
    "make it calm and soft", "bring the energy up", "the crowd is bored, wake them up", "slow dance now",
    "dim everything for the speech", "it's the drop, go wild", "keep it cosy for dinner", "spooky vibes please",
    "sunset mood, gentle", "full party mode", "relax the room", "make it dark and mysterious",
    "warm welcome for the guests", "the band is starting, hype!", "quiet moment for the toast", "lights down, eerie",
]


@pytest.mark.slow
def test_proxy_calls_train_a_student_that_answers_through_the_endpoint(server, store_of):
    """Done when: a proxy site's captured calls train a student (real LoRA steps on the CPU) that
    then answers through the same endpoint once it is routed to the student."""
    url, home = server
    site = "protege.serve.proxy:moods"
    system = {"role": "system", "content": "Pick the party mood for the operator's message."}
    fmt = {"type": "json_schema", "json_schema": {"name": "mood", "schema": MOOD_SCHEMA}}
    llm = client(url)
    started = time.perf_counter()
    for text in MOOD_MESSAGES:
        reply = llm.chat.completions.create(model="protege/moods", messages=[system, {"role": "user", "content": text}],
                                            response_format=fmt)
        assert reply.model_extra["protege"]["answered_by"] == "teacher"
    examples = len(store_of.examples(site))
    assert examples == len(MOOD_MESSAGES)

    cli = [str(Path(sys.executable).parent / "protege")]
    env = {**os.environ, "PROTEGE_HOME": str(home / ".protege")}
    env.pop("PROTEGE_DB_URL", None)
    phases = {"teacher calls": time.perf_counter() - started}
    for args in (["train", site, "--max-steps", "20"], ["models", "rollback", site, "--to", "1"], ["route", site, "student"]):
        started = time.perf_counter()
        done = subprocess.run(cli + args, cwd=home, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        phases[args[0]] = time.perf_counter() - started

    time.sleep(1.1)  # the server re-reads a route at most once a second
    reply = llm.chat.completions.create(model="protege/moods", messages=[system, {"role": "user", "content": "calm it down"}],
                                        response_format=fmt)
    assert reply.model_extra["protege"]["answered_by"] == "student", reply.model_extra
    jsonschema.validate(json.loads(reply.choices[0].message.content), MOOD_SCHEMA)
    call = store_of.calls(site, limit=1)[0]
    assert call["role"] == "student" and call["model"] == f"{site}@v1" and call["inputs"]["messages"][1]["content"] == "calm it down"
    assert len(store_of.examples(site)) == examples  # student answers never become training data
    print("phases (s):", {k: round(v, 1) for k, v in phases.items()})
