"""Serve Trellis with gunicorn on 127.0.0.1 and measure, in one run, a signed-in member's home page against a
bare Django view (/healthz). Prints requests/s, latency percentiles and the ratio home/bare (goal ≥ 0.5).

    .venv/bin/python bench/pages.py [--seconds 8] [--workers 2] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sign_in(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    csrf_field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf_cookie and csrf_field, "no CSRF token on the login page"
    body = f"csrfmiddlewaretoken={csrf_field.group(1)}&username={email}&password={password}"
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    assert response.status == 302 and session, f"sign-in failed: {response.status}"
    return session.group(1)


def client(port: int, path: str, cookie: str, seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.perf_counter() - start)
    out.put((latencies, errors))


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [mp.Process(target=client, args=(port, path, cookie, seconds, queue)) for _ in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(lat for lats, _ in results for lat in lats)
    errors = sum(e for _, e in results)
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / seconds,
        "p50_ms": latencies[n // 2] * 1000,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="trellis-bench-"))
    env = {
        **os.environ,
        "TRELLIS_ENV": "prod",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRELLIS_VAULT_KEYS": "YmVuY2gtb25seS12YXVsdC1rZXktMzItYnl0ZXMhISE=",
        "SECURE_SSL_REDIRECT": "0",
        "TRELLIS_SQLITE_PATH": str(tmp / "bench.sqlite3"),
        "TRELLIS_LOGIN_THROTTLE": "0",
        "TRELLIS_BASE_URL": "http://127.0.0.1",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "-v0"], ["demo"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([PY, "-m", "trellis", *command], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "trellis.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        session = sign_in(port, "alice@northwind.example", "trellis-demo")
        cookie = f"sessionid={session}"
        load(port, "/healthz", "", 1.0, args.clients)  # warm up both workers
        load(port, "/o/northwind/", cookie, 1.0, args.clients)
        bare = load(port, "/healthz", "", args.seconds, args.clients)
        home = load(port, "/o/northwind/", cookie, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait(10)

    print(
        f"gunicorn sync workers: {args.workers}, load clients: {args.clients}, {args.seconds:.0f} s each, same machine"
    )
    for name, r in (("bare Django view /healthz", bare), ("home page /o/northwind/ (alice)", home)):
        print(
            f"  {name:34s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms"
            f"   errors {r['errors']:.0f}"
        )
    print(f"  ratio home / bare: {home['rps'] / bare['rps']:.2f}  (goal ≥ 0.5)")


if __name__ == "__main__":
    main()
