"""Soak benchmark: mixed traffic at a steady rate for ten minutes, watching errors, latency and
the workers' memory over time. The target: no error, and memory flat.

What it does, all on 127.0.0.1 and in a fresh temporary data folder:

1. builds the demo corpus (`masthead migrate`, `masthead demo --articles N`; SQLite, or
   PostgreSQL in a database of the run's own when DATABASE_URL is set, as bench/pages.py does),
   runs collectstatic, and starts a private redis-server on a free port when the binary is
   there (the page cache, sessions and rate limits in Redis, as in production; otherwise each
   worker's local memory);
2. serves it with gunicorn (sync workers, production settings) beside the task worker
   (`masthead db_worker --backend worker`, which sends the contact form's e-mails: printed
   to its log), and a publisher that edits an article's headline and publishes it every
   `--publish-every` seconds (purging the pages that show it);
3. sends requests open loop, at `--rate` a second whatever the answers' speed (a request is
   timed from the moment it was due, so a backlog shows as latency): readers (home page,
   sections, articles), searches (the results page and live search) and form posts (the
   contact form: a GET for its CSRF token, then the POST, which must redirect);
4. prints a row every `--interval` seconds: requests, errors (a status other than 200, 302 for
   a form post, or no answer), p50, p99 and the worst latency, the RSS of each gunicorn worker
   and of the task worker, and publishes so far; then the totals and each process's memory
   growth from the first row to the last.

The contact form's and live search's rate limits are raised for the run: every request comes
from 127.0.0.1.

Usage:  .venv/bin/python bench/soak.py [options]

  --duration S        seconds of load (default 600)
  --rate R            requests a second (default 20)
  --interval S        seconds a row (default 60)
  --publish-every S   seconds between two publishes (default 60)
  --workers W         gunicorn sync workers (default 3)
  --articles N        articles in the corpus (default 300)
  --threads T         most requests in flight (default 64)
  --seed S            seed of the traffic (default 1)
"""

import argparse
import contextlib
import json
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import (
    MASTHEAD,
    Interrupted,
    PostgresDatabase,
    Process,
    Server,
    build_corpus,
    catch_signals,
    free_port,
    ignore_signals,
    log,
    production_env,
    rss,
    run,
)

REDIS_SERVER = shutil.which("redis-server")
TIMEOUT = 30

URLS_SCRIPT = """
import json
from masthead.articles.models import ArticlePage
from masthead.sections.models import SectionPage
print(json.dumps({
    "articles": [p.url for p in ArticlePage.objects.live().public()],
    "sections": [p.url for p in SectionPage.objects.live().public()],
}))
"""

PUBLISHER_SCRIPT = """
import random, time
from masthead.articles.models import ArticlePage
every, until, rng = {every!r}, {until!r}, random.Random({seed!r})
ids = list(ArticlePage.objects.live().values_list("pk", flat=True))
number, due = 0, time.time() + every
while True:
    time.sleep(max(0.0, due - time.time()))
    if time.time() >= until:
        break
    due += every
    number += 1
    page = ArticlePage.objects.get(pk=rng.choice(ids))
    page.title = page.title.split(" [")[0] + f" [update {{number}}]"
    page.save_revision().publish()
    print("PUBLISHED", number, flush=True)
"""  # formatted with every, until and seed

SEARCH_WORDS = ["harbour", "budget", "election", "storm", "market", "school", "football", "rail"]


class Redis(Process):
    name = "redis-server"

    def __init__(self, env, port, workdir, log_path):
        super().__init__(env, log_path)
        self.port, self.workdir = port, workdir

    def command(self):
        return [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip


class Command(Process):
    """A long-running masthead command (the task worker, the publisher)."""

    def __init__(self, env, log_path, name, *args):
        super().__init__(env, log_path)
        self.name, self.args = name, args

    def command(self):
        return list(self.args)

    def pid(self):
        return self.process.pid if self.process and self.process.poll() is None else None


class Traffic:
    """Open-loop requests: one due every 1/rate seconds, sent by a pool of threads."""

    def __init__(self, port, found, seed, threads):
        self.port, self.rng = port, random.Random(seed)
        self.articles, self.sections = found["articles"], found["sections"]
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.lock = threading.Lock()
        self.done = []  # (due, kind, latency s, ok, detail)

    def pick(self):
        roll = self.rng.random()
        if roll < 0.12:
            return "home", "/"
        if roll < 0.27:
            return "section", self.rng.choice(self.sections)
        if roll < 0.80:
            return "article", self.rng.choice(self.articles)
        word = self.rng.choice(SEARCH_WORDS)
        if roll < 0.86:
            return "search", f"/search/?q={word}"
        if roll < 0.92:
            return "live search", f"/search/live/?q={word[:3]}"
        return "form post", "/contact/"

    def request(self, method, path, headers=None, body=None):
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def form_post(self, number):
        status, headers, body = self.request("GET", "/contact/")
        if status != 200:
            return status
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        cookie = re.search(r"csrftoken=([^;]+)", " ".join(headers.get_all("Set-Cookie") or []))
        if not token or not cookie:
            return "no CSRF token"
        from urllib.parse import urlencode

        form = urlencode({
            "csrfmiddlewaretoken": token.group(1).decode(),
            "name": f"Soak reader {number}",
            "email": f"reader{number}@example.org",
            "subject": "A question from the soak",
            "message": "Is the paper still fast after ten minutes of this?",
            "homepage": "",
        })  # fmt: skip
        status, _, _ = self.request(
            "POST",
            "/contact/",
            {
                "Cookie": f"csrftoken={cookie.group(1)}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            form,
        )
        return status

    def one(self, due, kind, path, number):
        try:
            if kind == "form post":
                status = self.form_post(number)
                ok = status == 302
            else:
                status = self.request("GET", path)[0]
                ok = status == 200
        except OSError as error:
            status, ok = type(error).__name__, False
        latency = time.monotonic() - due
        with self.lock:
            self.done.append((due, kind, latency, ok, f"{kind} {path}: {status}"))

    def send(self, due, number):
        kind, path = self.pick()
        self.pool.submit(self.one, due, kind, path, number)

    def take(self):
        with self.lock:
            done, self.done = self.done, []
        return done

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=False)


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def megabytes(size):
    return f"{size / 1024 / 1024:.0f}"


def worker_pids(server):
    """Pids of gunicorn's workers, by the parent pid in /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == server.process.pid:
                    pids.append(int(entry.name))
    return sorted(pids)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--interval", type=float, default=60)
    parser.add_argument("--publish-every", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    catch_signals()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-soak-"))
    (workdir / "data").mkdir()
    port = free_port()
    env = production_env(workdir / "data", port)
    env.update(CONTACT_RATE="1000000/60", SEARCH_LIVE_RATE="1000000/10")
    database = PostgresDatabase(env["DATABASE_URL"]) if env.get("DATABASE_URL") else None
    redis = None
    if REDIS_SERVER:
        redis = Redis(env, free_port(), workdir, workdir / "redis.log")
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
    server = Server(env, port, args.workers, workdir / "gunicorn.log")
    task_worker = Command(
        env, workdir / "worker.log", "task worker", MASTHEAD, "db_worker", "--backend", "worker"
    )
    publisher = None
    traffic = None
    try:
        engine = f"PostgreSQL (database {database.name})" if database else "SQLite"
        cache = "Redis (a private redis-server)" if redis else "each worker's local memory"
        log(f"Soak: {args.articles} articles on {engine}, cache in {cache}, data in {workdir}")
        if database:
            database.create()
        if redis:
            redis.spawn()
        migrate_time, demo_time = build_corpus(env, args.articles)
        log(f"Corpus built in {migrate_time + demo_time:.0f} s")
        run(env, MASTHEAD, "collectstatic", "--noinput", "--verbosity=0")
        output = run(env, MASTHEAD, "shell", "-c", URLS_SCRIPT, capture=True)
        found = json.loads(output.strip().splitlines()[-1])
        server.start()
        task_worker.spawn()
        log(f"gunicorn: {args.workers} workers on http://127.0.0.1:{port}/; warming up ...")
        traffic = Traffic(port, found, args.seed, args.threads)
        for path in ["/", *found["sections"], *found["articles"]]:
            traffic.request("GET", path)
        script = PUBLISHER_SCRIPT.format(
            every=args.publish_every, until=time.time() + args.duration, seed=args.seed
        )
        publisher = Command(
            env, workdir / "publisher.log", "publisher", MASTHEAD, "shell", "-c", script
        )
        publisher.spawn()
        first_pids = worker_pids(server)

        log(
            f"{args.duration:.0f} s at {args.rate:g} requests/s (open loop): readers, searches, "
            f"contact form posts, a publish every {args.publish_every:g} s"
        )
        header = (
            f"{'time':>6} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'max ms':>7}  gunicorn workers RSS MB    task worker MB  publishes"
        )
        print(header)
        rows, failures = [], []
        start = time.monotonic()
        number, next_row = 0, start + args.interval
        end = start + args.duration
        while True:
            due = start + number / args.rate
            if due >= end:
                break
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            traffic.send(due, number)
            number += 1
            if time.monotonic() >= next_row or start + number / args.rate >= end:
                time.sleep(0.5 if start + number / args.rate >= end else 0)
                rows.append(report(traffic, server, task_worker, workdir, start, failures))
                next_row += args.interval
        traffic.close()
        if traffic.done:
            rows.append(report(traffic, server, task_worker, workdir, start, failures))
        summary(rows, failures, first_pids, worker_pids(server), args)
    except (KeyboardInterrupt, Interrupted) as stop:
        log(f"Interrupted ({stop}); stopping.")
    finally:
        ignore_signals()
        for process in (publisher, task_worker, server, redis):
            if process is not None:
                with contextlib.suppress(Exception):
                    process.stop()
        if database:
            with contextlib.suppress(Exception):
                database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def report(traffic, server, task_worker, workdir, start, failures):
    done = traffic.take()
    latencies = [latency * 1000 for _, _, latency, _, _ in done]
    errors = [detail for _, _, _, ok, detail in done if not ok]
    failures.extend(errors)
    workers = [rss(pid) for pid in worker_pids(server)]
    task_pid = task_worker.pid()
    task_rss = rss(task_pid) if task_pid else 0
    publishes = 0
    with contextlib.suppress(OSError):
        publishes = (workdir / "publisher.log").read_text().count("PUBLISHED")
    row = {
        "time": time.monotonic() - start,
        "requests": len(done),
        "errors": len(errors),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=0.0),
        "workers": workers,
        "task": task_rss,
        "publishes": publishes,
    }
    print(
        f"{row['time']:>5.0f}s {row['requests']:>8} {row['errors']:>6} {row['p50']:>7.0f} "
        f"{row['p99']:>7.0f} {row['max']:>7.0f}  "
        f"{' '.join(megabytes(size) for size in workers):<26}"
        f"{megabytes(task_rss):>14} {publishes:>10}",
        flush=True,
    )
    return row


def summary(rows, failures, first_pids, last_pids, args):
    if not rows:
        return
    total = sum(row["requests"] for row in rows)
    errors = sum(row["errors"] for row in rows)
    print()
    print(f"Requests: {total} in {rows[-1]['time']:.0f} s ({total / rows[-1]['time']:.1f}/s)")
    print(f"Errors: {errors}" + (f" (first: {failures[:5]})" if failures else ""))
    print(f"p99 per row: {min(r['p99'] for r in rows):.0f}-{max(r['p99'] for r in rows):.0f} ms")
    first, last = rows[0], rows[-1]
    growth = [
        f"{megabytes(before)} -> {megabytes(after)} MB"
        for before, after in zip(first["workers"], last["workers"], strict=False)
    ]
    print(f"gunicorn workers' RSS, first row to last: {', '.join(growth)}")
    print(f"task worker's RSS: {megabytes(first['task'])} -> {megabytes(last['task'])} MB")
    task_worker_died = not all(row["task"] for row in rows)
    if task_worker_died:
        print("ERROR: the task worker was not running at every row (see its worker.log)")
    if first_pids != last_pids:
        print(f"WARNING: gunicorn's workers changed: {first_pids} -> {last_pids}")
    print(f"Publishes: {last['publishes']}")
    verdict = "no error" if not errors else f"{errors} errors"
    if task_worker_died:
        verdict += ", and the task worker died"
    print(f"Target: no error, memory flat. This run: {verdict}.")
    if errors or task_worker_died:
        sys.exit(1)


if __name__ == "__main__":
    main()
