"""Concurrent clients against a live `protege serve` (not a test; prints what it measured).

Starts `protege serve` on a free port in a fresh temporary home, gives the ShowIntent labelled
teacher labels for generated operator messages, and sends them from N client threads at once
(default 4 clients x 100 requests, each a distinct message, OpenAI wire format), then checks that
every request was answered with its label and recorded in the store exactly once.

    .venv/bin/python bench/serve.py [--clients 4] [--requests 100]

Prints: answered / lost / wrong, latency p50 / p95 / max per request, wall time and requests/s,
and the same for one client alone (the serial baseline) when --serial is given.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import protege
from protege.apps.showintent.generator import generate_rows

SITE = "protege.apps.showintent.callsite:parse_show_intent"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument("--serial", action="store_true", help="also run one client alone first")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="protege-bench-serve-"))
    total = args.clients * args.requests + (args.requests if args.serial else 0)
    rows = generate_rows(total, seed=7)
    warm = generate_rows(5, seed=8)  # these warm the server up: first store writes, imports
    labels = home / "labels.jsonl"
    labels.write_text("".join(json.dumps({"inputs": r.inputs, "output": r.expected_intent}) + "\n" for r in rows + warm))
    port = free_port()
    env = {**os.environ, "PROTEGE_HOME": str(home / ".protege"), "PROTEGE_SHOWINTENT_LABELS": str(labels)}
    env.pop("PROTEGE_DB_URL", None)
    server = subprocess.Popen([str(Path(sys.executable).parent / "protege"), "serve", "--port", str(port)],
                              cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    try:
        wait_for(f"http://127.0.0.1:{port}/api/version")
        send(url, warm)
        offset = 0
        if args.serial:
            report("1 client (serial baseline)", *run(url, [rows[:args.requests]]))
            offset = args.requests
        batches = [rows[offset + i * args.requests: offset + (i + 1) * args.requests] for i in range(args.clients)]
        report(f"{args.clients} clients x {args.requests} requests", *run(url, batches))
    finally:
        server.terminate()
        server.wait(15)
    protege.configure(home=home / ".protege", db_url=None)
    recorded = protege.Store.default().calls(SITE, limit=100000, role="teacher")
    sent = {protege.inputs_hash(r.inputs) for r in rows + warm}
    hashes = [protege.inputs_hash(c["inputs"]) for c in recorded]
    print(f"store: {len(recorded)} teacher calls recorded for {len(sent)} distinct requests sent "
          f"({len(sent - set(hashes))} missing, {len(hashes) - len(set(hashes))} recorded twice)")


def run(url: str, batches: list[list]) -> tuple[list[float], int, int, float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(batch):
        for row in batch:
            started = time.perf_counter()
            try:
                content = send(url, [row])[0]
                ok = json.loads(content) == row.expected_intent
            except Exception as exc:  # counted, never hidden
                ok, content = False, repr(exc)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                if not ok:
                    failures.append(content[:200])

    threads = [threading.Thread(target=client, args=(b,)) for b in batches]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if failures:
        print("first failure:", failures[0])
    return latencies, sum(len(b) for b in batches), len(failures), wall


def send(url: str, rows: list) -> list[str]:
    answers = []
    for row in rows:
        body = {"model": "protege/showintent", "messages": [{"role": "user", "content": json.dumps(row.inputs)}]}
        request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            answers.append(json.loads(response.read())["choices"][0]["message"]["content"])
    return answers


def report(title: str, latencies: list[float], sent: int, wrong: int, wall: float) -> None:
    ordered = sorted(latencies)
    p50, p95 = protege.percentile_nearest_rank(ordered, 50), protege.percentile_nearest_rank(ordered, 95)
    print(f"{title}: sent {sent}, answered {len(latencies)}, lost {sent - len(latencies)}, wrong or failed {wrong}; "
          f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms; "
          f"wall {wall:.1f} s, {len(latencies) / wall:.1f} requests/s")


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up in {seconds} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
