"""The app under load: gunicorn on 127.0.0.1 serving the demo, 16 concurrent signed-in users browsing
the ten everyday pages, beside `/login` (the floor: a page with no data) measured in the same run.

    .venv/bin/python -m bench.http [--scale small|full] [--users 16] [--workers 4] [--seconds S]

Prints, for `/login` alone and for the ten-page mix: requests, throughput, p50, p99, errors; the
mix's throughput as a ratio of `/login`'s (target >= 0.2x, p99 < 300 ms, no errors); then each
page's server time measured one request at a time (target < 100 ms). The demo database is built
once a day (and when the schema or the demo changes) into bench/out/ and copied for each run.
Everything runs on this machine's loopback address, bounded in time (well under two minutes).
"""

import argparse
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import suppress
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "http"
PYTHON = sys.executable
PASSWORD = "labtrack-demo"  # labtrack.demo.DEMO_PASSWORD
TARGET_RATIO, TARGET_P99_MS, TARGET_PAGE_MS = 0.2, 300.0, 100.0
PAGES = (
    "dashboard",
    "labs list",
    "lab page",
    "scope page",
    "growth",
    "audits list",
    "finding",
    "audit figures",
    "rounds list",
    "round page",
)


# --- the server -------------------------------------------------------------------------------


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABTRACK_", "DATABASE_URL", "REDIS"))}
    env.update(
        LABTRACK_CONFIG="production",
        LABTRACK_INSTANCE=str(db.parent),
        SECRET_KEY="bench-http-not-secret",
        DATABASE_URL=f"sqlite:///{db}",
        RATELIMIT_STORAGE_URI="memory://",
        JOBS_QUEUE_FILE=str(db.parent / "jobs-queue.db"),
    )
    return env


def demo_database(fresh: bool) -> Path:
    """Today's demo database (built with `flask db upgrade` and `flask labtrack demo` when missing)."""
    # A new database each day (the demo is dated from the day it is loaded) and whenever the schema
    # or a demo loader changes.
    sources = sorted((ROOT / "migrations" / "versions").glob("*.py")) + sorted(
        (ROOT / "labtrack").rglob("demo*.py")
    )
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    built = OUT / f"demo-{date.today().isoformat()}-{digest}" / "labtrack.db"
    if built.exists() and not fresh:
        return built
    shutil.rmtree(OUT, ignore_errors=True)
    built.parent.mkdir(parents=True)
    print("building the demo database (once a day) ...", flush=True)
    flask = [PYTHON, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["labtrack", "demo"]):
        subprocess.run([*flask, *args], cwd=ROOT, env=_env(built), check=True, capture_output=True)
    return built


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, workers: int, port: int) -> subprocess.Popen:
    """gunicorn with `workers` sync workers on 127.0.0.1:port; returns once it answers."""
    command = [PYTHON, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=_env(db), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- a browser-like client: one keep-alive connection and its cookies ------------------------


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Accept-Language": "en", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self, username: str) -> None:
        status, page = self.request("GET", "/login")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {
            "username": username,
            "password": PASSWORD,
            **({"csrf_token": match.group(1)} if match else {}),
        }
        status, _ = self.request("POST", "/login", urllib.parse.urlencode(form))
        if status not in (302, 303):
            raise RuntimeError(f"{username} could not sign in ({status})")


# --- the users and their pages -----------------------------------------------------------------


def users_and_pages(db: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """16 signed-in users (staff twice each, lab managers of several labs) with their ten pages:
    a lab manager opens their own lab, a finding and a round of it; staff a lab each."""
    os.environ.update(_env(db))
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from labtrack import create_app
    from labtrack.audits.models import Finding
    from labtrack.extensions import db as database
    from labtrack.labs.models import Lab
    from labtrack.proficiency.models import Result, Round

    app = create_app()
    with app.app_context():
        session = database.session
        busiest = session.execute(
            select(Lab.code, Lab.id).join(Finding, Finding.lab_id == Lab.id).group_by(Lab.id)
            .order_by(func.count().desc(), Lab.code).limit(12)
        ).all()  # fmt: skip
        accounts = [f"{role}" for role in ("quality", "inspector", "viewer", "admin")] * 2
        accounts += [f"manager-{code}" for code, _ in busiest[:8]]
        labs = [busiest[i % len(busiest)] for i in range(8)] + busiest[:8]
        out = []
        for username, (code, lab_id) in zip(accounts, labs, strict=True):
            finding = session.scalar(select(func.max(Finding.id)).where(Finding.lab_id == lab_id))
            round_code = session.scalar(
                select(Round.code).join(Result, Result.round_id == Round.id).where(Result.lab_id == lab_id)
                .order_by(Round.closes_on.desc()).limit(1)
            ) or session.scalar(select(Round.code).order_by(Round.closes_on.desc()).limit(1))  # fmt: skip
            quoted = urllib.parse.quote(round_code, safe="")
            pages = [
                ("dashboard", "/"),
                ("labs list", "/labs/"),
                ("lab page", f"/labs/{code}"),
                ("scope page", f"/scope/labs/{code}"),
                ("growth", "/scope/growth"),
                ("audits list", "/audits/"),
                ("finding", f"/audits/findings/{finding}"),
                ("audit figures", "/audits/figures"),
                ("rounds list", "/rounds/"),
                ("round page", f"/rounds/{quoted}"),
            ]
            out.append((username, pages))
    return out


# --- load --------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(clients: list[Client], paths: list[list[tuple[str, str]]], seconds: float) -> dict:
    """Each client walks its pages in a loop (one request at a time, like a person clicking fast)
    until the time is up; returns the latencies (s) by page and the errors."""
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(index: int) -> None:
        client, pages = clients[index], paths[index]
        step = index  # users start at different pages
        while time.monotonic() < stop:
            name, path = pages[step % len(pages)]
            step += 1
            began = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (http.client.HTTPException, OSError) as exc:
                status = str(exc)
            took = time.perf_counter() - began
            with lock:
                latencies.setdefault(name, []).append(took)
                if status != 200:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(clients))]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": errors, "seconds": time.monotonic() - began}


def summary(result: dict) -> dict:
    every = [x for values in result["latencies"].values() for x in values]
    return {
        "requests": len(every),
        "rps": len(every) / result["seconds"],
        "p50": percentile(every, 0.5) * 1000,
        "p99": percentile(every, 0.99) * 1000,
        "errors": len(result["errors"]),
    }


def line(label: str, s: dict) -> str:
    return (
        f"{label:<18} {s['requests']:>7,} requests  {s['rps']:8.1f} /s  p50 {s['p50']:7.1f} ms  "
        f"p99 {s['p99']:7.1f} ms  errors {s['errors']}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, help="per phase (default: 8 small, 20 full)")
    parser.add_argument("--fresh", action="store_true", help="rebuild today's demo database")
    args = parser.parse_args(argv)
    seconds = args.seconds or (8.0 if args.scale == "small" else 20.0)

    built = demo_database(args.fresh)
    run_dir = OUT / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    db = run_dir / "labtrack.db"
    shutil.copy(built, db)
    plan = users_and_pages(db)
    plan = [plan[i % len(plan)] for i in range(args.users)]
    port = free_port()
    server = start_server(db, args.workers, port)
    try:
        print(
            f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; {os.cpu_count()} cores; {args.users} users"
        )
        # Warm-up: every user signs in and opens each of their pages once (all must answer 200).
        clients = []
        for username, pages in plan:
            client = Client(port)
            client.sign_in(username)
            for _name, path in pages:
                status, _ = client.request("GET", path)
                if status != 200:
                    raise RuntimeError(f"{username} {path}: {status}")
            clients.append(client)
        anonymous = [Client(port) for _ in plan]
        floor = summary(drive(anonymous, [[("login", "/login")]] * len(plan), seconds))
        mixed = drive(clients, [pages for _u, pages in plan], seconds)
        mix = summary(mixed)
        # Server time of each page, alone: one user, one request at a time (median of 5).
        alone = {}
        for name, path in plan[0][1]:
            times = []
            for _ in range(5):
                began = time.perf_counter()
                clients[0].request("GET", path)
                times.append((time.perf_counter() - began) * 1000)
            alone[name] = (path, sorted(times)[2])
    finally:
        stop_server(server)

    print(line("/login (floor)", floor))
    print(line("ten-page mix", mix))
    ratio = mix["rps"] / floor["rps"] if floor["rps"] else float("nan")
    verdict = "ok" if ratio >= TARGET_RATIO and mix["p99"] < TARGET_P99_MS and not mix["errors"] else "MISSED"
    print(
        f"ratio: mix {ratio:.3f}x of /login's throughput (target >= {TARGET_RATIO}x); "
        f"p99 {mix['p99']:.0f} ms (target < {TARGET_P99_MS:.0f}); errors {mix['errors']}: {verdict}"
    )
    if mixed["errors"]:
        print("  first errors:", "; ".join(mixed["errors"][:5]))
    print(
        f"per page under load (p50 / p99 ms), and alone as {plan[0][0]} (median of 5, target < {TARGET_PAGE_MS:.0f} ms):"
    )
    for name in PAGES:
        values = mixed["latencies"].get(name, [])
        path, ms = alone[name]
        flag = "" if ms < TARGET_PAGE_MS else "  OVER"
        print(
            f"  {name:<14} {percentile(values, 0.5) * 1000:7.1f} / {percentile(values, 0.99) * 1000:7.1f}"
            f"   alone {ms:6.1f} ms  {path}{flag}"
        )


if __name__ == "__main__":
    main()
