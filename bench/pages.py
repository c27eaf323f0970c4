"""Benchmark of Masthead's public pages: a corpus of N articles served by gunicorn, under load.

What it does, all on 127.0.0.1 and in a fresh temporary data folder (MASTHEAD_DATA_DIR):

1. builds the corpus with `masthead migrate` and `masthead demo --articles N`, and times it;
   on SQLite by default, on PostgreSQL when DATABASE_URL is set: the database named in the
   URL is created for the run and dropped after it (it must not exist beforehand);
2. runs `masthead collectstatic` and serves the site with gunicorn in production settings
   (DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,localhost, no Redis cache);
3. picks the URLs: the home page, a top-level section (/economics/), a third-level one
   (/economics/finance/banking/) and a random sample of articles;
4. requests every URL once (the first requests make the image renditions), then loads each
   group in turn from a second process, wrk (Debian's `wrk`) or else a Python load generator,
   with a fixed number of connections for a fixed time;
5. prints requests/s, p50 and p99 latency and the count of non-2xx answers per group, the
   corpus build time and the memory (RSS) of gunicorn's processes after the load;
6. stops gunicorn and removes the data folder (and the PostgreSQL database), on Ctrl-C too.

Masthead's full-page cache is off (PAGE_CACHE=0): every request renders its page. The data
caches of masthead.caching.store.cached() (chrome, site and settings, rendered parts of pages)
stay on, as in production: each gunicorn worker fills its own, since the local memory cache is
one process's.

Usage:  .venv/bin/python bench/pages.py [options]     (or `make bench`)

  --articles N        articles in the corpus (default 5000)
  --duration S        seconds of load per group (default 10)
  --connections C     concurrent connections of the load generator (default 8)
  --workers W         gunicorn sync workers (default 2 x CPU cores)
  --sample K          random articles in the article group (default 200)
  --seed S            seed of the article sample (default 1)
  --load-generator G  auto (wrk if installed, else Python), wrk or python (default auto)
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import (
    MASTHEAD,
    WRK,
    Interrupted,
    PostgresDatabase,
    Server,
    build_corpus,
    catch_signals,
    fetch,
    free_port,
    ignore_signals,
    load_with_wrk,
    log,
    production_env,
    run,
)

URLS_SCRIPT = """
import json, random, sys
import django
django.setup()
from wagtail.models import Page
from masthead.articles.models import ArticlePage
from masthead.sections.models import HomePage, SectionPage

sample, seed = int(sys.argv[1]), int(sys.argv[2])

def path(page):
    return page.get_url_parts()[2]

home = HomePage.objects.live().order_by("path").first()
if home is None:
    sys.exit("no home page: did `masthead demo` run?")
sections = list(SectionPage.objects.live().descendant_of(home).order_by("path"))
top_level = [s for s in sections if s.depth == home.depth + 1]
# Prefer /economics/ and /economics/finance/banking/, else the first section three levels deep.
preferred = {"economics": 0, "finance": 1, "banking": 2}

def rank(section):
    return preferred.get(section.slug, 9), section.path

def depth_under(top):
    return min(home.depth + 3, max(s.depth for s in sections if s.path.startswith(top.path)))

top = min(top_level, key=lambda s: (-depth_under(s), *rank(s)))
deep = min(
    (s for s in sections if s.path.startswith(top.path) and s.depth == depth_under(top)), key=rank
)
ids = list(ArticlePage.objects.published().order_by("pk").values_list("pk", flat=True))
chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
pages = {page.pk: page for page in Page.objects.filter(pk__in=chosen)}
print(json.dumps({
    "home": path(home),
    "section": path(top),
    "deep_section": path(deep),
    "deep_level": deep.depth - home.depth,
    "articles": [path(pages[pk]) for pk in chosen],
    "public_articles": len(ids),
}))
"""

# Load generators: each runs in a process of its own and reports one dict.


def load_with_python(port, paths_file, duration, connections, workdir):
    spec = workdir / "load.json"
    spec.write_text(
        json.dumps(
            {"port": port, "paths": str(paths_file), "duration": duration, "conns": connections}
        )
    )
    output = subprocess.run(
        [sys.executable, __file__, "--run-load-generator", str(spec)],
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=False,
    )
    if output.returncode:
        raise SystemExit(f"The load generator failed:\n{output.stderr}")
    return json.loads(output.stdout)


def python_load_generator(spec_path):
    """Threads sending requests over http.client for a fixed time; prints a JSON summary."""
    spec = json.loads(Path(spec_path).read_text())
    paths = Path(spec["paths"]).read_text().split()
    port, duration, connections = spec["port"], spec["duration"], spec["conns"]
    latencies, non2xx, errors = [], [0], [0]
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + duration

    def worker(number):
        rng = random.Random(number)
        mine, bad, failed = [], 0, 0
        while time.monotonic() < deadline:
            began = time.monotonic()
            try:
                status, _ = fetch(port, rng.choice(paths), timeout=30)
            except OSError:
                failed += 1
                continue
            mine.append(time.monotonic() - began)
            bad += not 200 <= status <= 299
        with lock:
            latencies.extend(mine)
            non2xx[0] += bad
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 60)
    elapsed = time.monotonic() - start
    latencies.sort()

    def percentile(p):
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "rps": len(latencies) / elapsed,
                "p50_ms": percentile(50),
                "p99_ms": percentile(99),
                "non2xx": non2xx[0],
                "errors": errors[0],
            }
        )
    )


# The run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the corpus")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per group")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers"
    )
    parser.add_argument("--sample", type=int, default=200, help="random articles to request")
    parser.add_argument("--seed", type=int, default=1, help="seed of the article sample")
    parser.add_argument(
        "--load-generator", choices=["auto", "wrk", "python"], default="auto", help="wrk or Python"
    )
    parser.add_argument("--run-load-generator", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in ("articles", "duration", "connections", "workers", "sample"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.duration > 600:
        parser.error("--duration is at most 600 seconds")
    if args.connections > 256:
        parser.error("--connections is at most 256")
    if args.load_generator == "wrk" and not WRK:
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def megabytes(n):
    return f"{n / 2**20:.0f} MB"


def main():
    args = parse_args()
    if args.run_load_generator:
        python_load_generator(args.run_load_generator)
        return
    use_wrk = args.load_generator == "wrk" or (args.load_generator == "auto" and WRK)
    load = load_with_wrk if use_wrk else load_with_python

    catch_signals()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    (workdir / "data").mkdir()
    port = free_port()
    env = production_env(workdir / "data", port)
    env["PAGE_CACHE"] = "0"
    database = PostgresDatabase(env["DATABASE_URL"]) if env.get("DATABASE_URL") else None
    server = Server(env, port, args.workers, workdir / "gunicorn.log")
    load_before = os.getloadavg()[0]
    try:
        engine = f"PostgreSQL (database {database.name})" if database else "SQLite"
        log(f"Masthead benchmark: {args.articles} articles on {engine}, data in {workdir}")
        if database:
            database.create()

        log("Building the corpus: migrate, then demo ...")
        migrate_time, demo_time = build_corpus(env, args.articles)
        log(
            f"Corpus built in {migrate_time + demo_time:.1f} s "
            f"(migrate {migrate_time:.1f} s, demo {demo_time:.1f} s)"
        )
        run(env, MASTHEAD, "collectstatic", "--noinput", "--verbosity=0")

        found = json.loads(
            run(
                env,
                sys.executable,
                "-c",
                URLS_SCRIPT,
                str(args.sample),
                str(args.seed),
                capture=True,
            )
        )
        groups = [
            ("home", [found["home"]]),
            ("section, level 1", [found["section"]]),
            (f"section, level {found['deep_level']}", [found["deep_section"]]),
            (f"article ({len(found['articles'])} random)", found["articles"]),
        ]

        log(f"Starting gunicorn: {args.workers} workers on http://127.0.0.1:{port}/ ...")
        server.start()

        all_paths = [path for _, paths in groups for path in paths]
        log(f"Warming up: {len(all_paths)} URLs once each (the first requests make renditions)")
        began = time.monotonic()
        cold = {}
        for path in all_paths:
            started = time.monotonic()
            status, _ = fetch(port, path)
            cold[path] = time.monotonic() - started
            if not 200 <= status <= 299:
                log(f"WARNING: {path} answered {status} at warm-up")
        log(f"Warm-up took {time.monotonic() - began:.1f} s")

        generator = "wrk" if use_wrk else "Python load generator"
        log(
            f"Loading each group for {args.duration} s with {args.connections} connections "
            f"({generator}) ..."
        )
        results = []
        for name, paths in groups:
            paths_file = workdir / f"paths-{len(results)}.txt"
            paths_file.write_text("\n".join(paths) + "\n")
            result = load(port, paths_file, args.duration, args.connections, workdir)
            label = paths[0] if len(paths) == 1 else ""
            results.append((name, label, result))
            log(f"  {name}: {result['rps']:.1f} requests/s")
        master_rss, worker_rss = server.memory()

        print()
        print(
            f"Masthead: {found['public_articles']} public articles on {engine}; "
            f"gunicorn {args.workers} sync workers; {generator}, {args.connections} connections, "
            f"{args.duration} s a group; {os.cpu_count()} CPU cores shared with the load"
        )
        print(
            f"Load average (1 min) before the run {load_before:.2f}, after it "
            f"{os.getloadavg()[0]:.2f}: other work on the machine skews the figures"
        )
        print(
            f"Corpus build: {migrate_time + demo_time:.1f} s "
            f"(migrate {migrate_time:.1f} s, demo --articles {args.articles} {demo_time:.1f} s)"
        )
        print()
        header = (
            f"{'group':<22} {'path':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'non-2xx':>8} {'errors':>7}"
        )
        print(header)
        print("-" * len(header))
        for name, label, r in results:
            print(
                f"{name:<22} {label:<30} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {r['non2xx']:>8} {r['errors']:>7}"
            )
        print()
        slowest = max(cold, key=cold.get)
        print(f"Slowest cold request at warm-up: {slowest} in {cold[slowest] * 1000:.0f} ms")
        print(
            f"gunicorn RSS after the load: workers {', '.join(megabytes(w) for w in worker_rss)}"
            f" (total {megabytes(sum(worker_rss))}), master {megabytes(master_rss)}"
        )
        failed = [(name, r) for name, _, r in results if r["non2xx"] or r["errors"]]
        for name, r in failed:
            print(
                f"WARNING: {name}: {r['non2xx']} non-2xx answers and {r['errors']} "
                "connection errors (the end of gunicorn's log follows)."
            )
        if failed:
            print(server.log_tail())
    except (KeyboardInterrupt, Interrupted) as stop:
        log(f"\nInterrupted ({str(stop) or 'SIGINT'}): cleaning up.")
        return 130
    finally:
        # Ctrl-C during the clean-up must not leave gunicorn or the database behind.
        ignore_signals()
        server.stop()
        if database:
            try:
                database.drop()
            except Exception as error:  # noqa: BLE001 - report and go on cleaning up
                log(f"Could not drop database {database.name}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
