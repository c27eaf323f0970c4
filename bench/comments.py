"""Benchmark of comments: an article with 10,000 comments served cached and uncached, and
comments posted under load.

In a fresh temporary data folder, on 127.0.0.1: builds the demo (`masthead demo`, SQLite, or
PostgreSQL in a database of the run's own when DATABASE_URL is set, as bench/cache.py does),
gives one article 10,000 approved comments (with replies) and another 50, and serves it with
gunicorn (sync workers, production settings). Then it prints, for the article with 10,000
and the one with 50:

  - the first screen: bytes of the article page's HTML, and how many comments it holds;
  - cached: requests/s and p50/p99 with wrk, Masthead's page cache on;
  - uncached: the same with PAGE_CACHE=0 (every request renders the page from its kept parts:
    the article's content and the comments block);
  - rebuilt: the same while a comment is approved on it every 0.2 s, so that its comments
    block and page are built again again and again;

and posting: R readers (signed in, each over a connection of its own) post comments for D
seconds; requests/s, p50/p99, and the comments stored (one for each post answered 302).

Usage:  .venv/bin/python bench/comments.py [--quick] [--duration S] [--readers R]
        [--workers W] [--port P]
"""

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http.client  # noqa: E402

from harness import (  # noqa: E402
    MASTHEAD,
    WRK,
    PostgresDatabase,
    Server,
    build_corpus,
    catch_signals,
    fetch,
    load_with_wrk,
    log,
    production_env,
    run,
)

SEED_COMMENTS = """
import json
from django.contrib.auth import get_user_model
from masthead.articles.models import ArticlePage
from masthead.comments.models import Comment
User = get_user_model()
readers = [User.objects.get_or_create(username=f"bench{n}", defaults={
    "email": f"bench{n}@example.org", "first_name": f"Reader{n}"})[0] for n in range(__READERS__)]
from wagtail.models import Site
from masthead.comments.models import CommentSettings
options = CommentSettings.for_site(Site.objects.get(is_default_site=True))
options.close_after_days = 0  # the demo's older articles are closed by the default 30 days
options.save()
articles = list(ArticlePage.objects.published().order_by("-date")[10:12])
out = {}
for article, size in zip(articles, (10_000, 50)):
    Comment.objects.filter(article=article).delete()
    threads = Comment.objects.bulk_create(
        Comment(article=article, author=readers[n % len(readers)], status="approved",
                body=f"Comment {n}: a reader's view of this, in a sentence or two. " * 2)
        for n in range(size * 9 // 10))
    Comment.objects.bulk_create(
        Comment(article=article, author=readers[n % len(readers)], status="approved",
                parent=threads[n % len(threads)], body=f"Reply {n} to that.")
        for n in range(size - len(threads)))
    out[size] = [article.pk, article.url]
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
sessions = []
for user in readers:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
out["sessions"] = sessions
print("SEED " + json.dumps(out))
"""

APPROVE_ONE = """
import time
from masthead.comments import flows
from masthead.comments.models import Comment
deadline = time.monotonic() + {seconds}
pending = list(Comment.objects.filter(article_id={article}).values_list("pk", flat=True)[:500])
n = 0
while time.monotonic() < deadline:
    flows.moderate([pending[n % len(pending)]], "approve" if n % 2 else "reject")
    n += 1
    time.sleep(0.2)
print("MODERATED", n)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s groups, 4 readers")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8201)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.readers = 3, 4
    return args


def wrk_group(port, path, args, workdir):
    paths = workdir / "paths.txt"
    paths.write_text(path + "\n")
    load_with_wrk(port, paths, 1, args.connections, workdir)  # warm-up
    return load_with_wrk(port, paths, args.duration, args.connections, workdir)


def post_under_load(port, article_id, sessions, seconds):
    """Each reader posts comments over its own keep-alive connection; returns the figures."""
    latencies, statuses, lock = [], {}, threading.Lock()
    stop = time.monotonic() + seconds

    def reader(number, session):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        cookie = f"sessionid={session}"
        conn.request("GET", f"/comments/me/?article={article_id}", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
        cookie += f"; csrftoken={csrf}"
        count = 0
        while time.monotonic() < stop:
            count += 1
            body = urlencode(
                {
                    "csrfmiddlewaretoken": csrf,
                    "body": f"Reader {number} says thing {count} under load.",
                    "token": f"bench-{number}-{count}",
                    "reply_to": "",
                    "homepage": "",
                }
            )
            began = time.perf_counter()
            conn.request(
                "POST",
                f"/comments/post/{article_id}/",
                body=body,
                headers={
                    "Cookie": cookie,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Host": f"127.0.0.1:{port}",
                },
            )
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [
        threading.Thread(target=reader, args=(n, s), daemon=True) for n, s in enumerate(sessions)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    latencies.sort()
    return {
        "posts": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def main():
    args = parse_args()
    if WRK is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    catch_signals()
    site_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-comments-"))
    env = production_env(site_dir, args.port)
    env.update(COMMENT_RATE="1000000/60", SESSION_COOKIE_SECURE="0")
    database = None
    server = None
    if "DATABASE_URL" in env:
        database = PostgresDatabase(env["DATABASE_URL"])
        database.create()
    try:
        log("Building the demo…")
        build_corpus(env, 20)
        run(env, MASTHEAD, "collectstatic", "--noinput", "--verbosity=0")
        output = run(
            env,
            MASTHEAD,
            "shell",
            "-c",
            SEED_COMMENTS.replace("__READERS__", str(args.readers)),
            capture=True,
        )
        seeded = json.loads(output.split("SEED ", 1)[1].splitlines()[0])
        big_id, big_url = seeded["10000"]
        small_id, small_url = seeded["50"]

        rows = []
        for label, extra in (("cached", {}), ("uncached", {"PAGE_CACHE": "0"})):
            server = Server({**env, **extra}, args.port, args.workers, site_dir / "gunicorn.log")
            server.start()
            first_screen = {}
            for size, url in ((10_000, big_url), (50, small_url)):
                status, body = fetch(args.port, url)
                assert status == 200, (url, status)
                first_screen[size] = (len(body), body.count(b'class="comment__body"'))
                result = wrk_group(args.port, url, args, site_dir)
                rows.append((label, size, *first_screen[size], result))
            if label == "cached":
                moderator = threading.Thread(
                    target=run,
                    args=(
                        env,
                        MASTHEAD,
                        "shell",
                        "-c",
                        APPROVE_ONE.format(seconds=args.duration + 2, article=big_id),
                    ),
                    kwargs={"capture": True},
                )
                moderator.start()
                result = wrk_group(args.port, big_url, args, site_dir)
                moderator.join()
                rows.append(("cached, moderated 5/s", 10_000, *first_screen[10_000], result))
                posting = post_under_load(args.port, small_id, seeded["sessions"], args.duration)
            server.stop()
            server = None
        stored = run(
            env,
            MASTHEAD,
            "shell",
            "-c",
            "from masthead.comments.models import Comment\n"
            f"print('STORED', Comment.objects.filter(article_id={small_id}).count() - 50)",
            capture=True,
        )
        posting["stored"] = int(stored.split("STORED ", 1)[1].split()[0])

        log("")
        log(
            f"{'group':<24}{'comments':>9}{'HTML bytes':>12}{'shown':>7}{'req/s':>9}"
            f"{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'hits':>7}"
        )
        for label, size, size_bytes, shown, r in rows:
            hits = f"{100 * r['hits'] / max(r['requests'], 1):.0f}%"
            log(
                f"{label:<24}{size:>9,}{size_bytes:>12,}{shown:>7}{r['rps']:>9.0f}"
                f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['non2xx']:>9}{hits:>7}"
            )
        log("")
        log(
            f"posting: {args.readers} signed-in readers for {args.duration} s, "
            f"{args.workers} workers: {posting['posts']} posts, {posting['rps']:.0f} posts/s, "
            f"p50 {posting['p50_ms']:.1f} ms, p99 {posting['p99_ms']:.1f} ms, "
            f"answers {posting['statuses']}, comments stored {posting['stored']}"
        )
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(site_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
