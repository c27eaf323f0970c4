"""Benchmark of Masthead's serving, from static files to the caches, and a newsroom under load.

What it does, in one run, all on 127.0.0.1 and in a fresh temporary data folder:

1. builds the corpus with `masthead migrate` and `masthead demo --articles N` (SQLite by
   default; on PostgreSQL when DATABASE_URL is set, in a database of the run's own, created
   and dropped like bench/pages.py does), runs collectstatic, and serves it with gunicorn
   (sync workers) in production settings: DEBUG off, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1,localhost;
2. picks a random sample of articles and the home page, and requests each once (the first
   requests make the image renditions), keeping their HTML;
3. loads four groups with wrk, each for a warm-up then a measured time, random articles of the
   sample (a Lua script picks a path per request) and, separately, the home page:
   a. nginx serving that HTML as static files (a generated config, on a port of its own): the
      ceiling any cache of full pages could reach on this machine;
   b. Masthead uncached (PAGE_CACHE=0): every request renders its page, from parts (an
      article's content, the chrome) that each worker keeps in its own memory; and b2, the
      same with those parts shared by the workers in Redis, as a production server has them;
   c. Masthead with its own page cache, shared by the workers in Redis (REDIS_URL, a database
      of the benchmark's own, flushed at start and at the end);
   d. Masthead behind Varnish, started first as `deploy/varnish/run LISTEN_PORT
      127.0.0.1:GUNICORN_PORT WORK_DIR 127.0.0.1` (skipped when that script is not there or
      Varnish does not start), with VARNISH_URL pointing Masthead's purges at it, and loaded
      once its health probe lets requests through;
   and prints for each requests/s, its ratio to nginx's, p50 and p99 latency, the count of
   non-2xx answers (a group with any is flagged) and the share of X-Cache: HIT answers;
4. simulates a newsroom against the fastest stack there is (Varnish in front if present, else
   Masthead's own cache), restarted with empty caches: reader threads over keep-alive
   connections request the home page and 10,000 articles (the corpus is extended to that many
   when smaller) with a Zipf popularity (s = 1.1; the home page is the most read, then the
   articles in a random order), first for --cold-duration seconds (20) from those empty
   caches, counted apart as the cold start; then a crawl asks, by one connection per gunicorn
   worker, for every one of those pages nobody has asked for yet (unless --no-crawl), so that
   the caches are warm as a newsroom's are after running a while and misses come from purges;
   then readers
   read alone for --simulation-warmup seconds (5, not counted), and for the
   measured time a publisher process (Django set up with the same
   environment, so its signal handlers purge the caches) edits an article (a new headline with
   a unique token; the article picked by the same popularity) or publishes a new one (in a
   random section, a token in its headline) every two seconds, alternately. A checker polls
   the changed page (the edited article, or the home page for a new article) until the token
   shows. It prints the hit ratio (X-Cache of the front-most cache, over the readers'
   responses, and over the second half of the run), the median and worst time from publish
   (when `publish()` returned in the publisher) to visible (the first response with the token,
   a reader's or the checker's), and the stale pages served: readers' responses received more
   than a second after publish() returned, for a page that should show the token (the edited
   article's page; the home page while the new article is among its latest) and does not
   (requests sent before publish() returned are left out: a page rendered from the old
   content and slow to arrive is slow, not stale; error pages count as non-2xx, not stale);
5. prints all of it as tables with the machine's load average at the start and the end, and
   stops every process and removes every temporary folder on exit, on Ctrl-C too.

It needs wrk, and for the groups that use them nginx, Redis on 127.0.0.1:6379 and Varnish 7
with the xkey module (Debian: `apt-get install wrk nginx redis-server varnish
varnish-modules`); it says which are missing and skips what cannot run.

Usage:  .venv/bin/python bench/cache.py [options]     (or `make bench-cache`)

  --quick                  check that everything works: 100 articles, a sample of 20, 3 s
                           groups after a 1 s warm-up, a 15 s simulation (after 3 s of
                           warm-up) over the same corpus
  --articles N             articles in the corpus (default 5000)
  --sample K               random articles loaded in the groups (default 200)
  --duration S             measured seconds of load per group (default 10)
  --warmup S               seconds of load before each measurement, not counted (default 3)
  --connections C          wrk connections (default 16)
  --threads T              wrk threads (default 2)
  --workers W              gunicorn sync workers (default 4)
  --redis-url URL          Redis database for the cached stacks, flushed at start and end
                           (default redis://127.0.0.1:6379/7)
  --skip-simulation        stop after the groups
  --simulation-duration S  seconds of the newsroom simulation (default 60)
  --simulation-articles N  articles the readers spread over (default 10000; the corpus is
                           extended to that many when smaller)
  --cold-duration S        seconds the readers read from empty caches first, counted apart
                           as the cold start (default 20; 0 leaves it out)
  --no-crawl               no crawl after the cold start: the measured time then counts the
                           first requests for pages nobody had asked for yet
  --simulation-warmup S    seconds the readers read, not counted, after the crawl and before
                           the measured time and the first publish (default 5)
  --readers R              concurrent reader threads in the simulation (default 16)
  --seed S                 seed of the samples, the readers and the publisher (default 1)
"""

import argparse
import bisect
import contextlib
import http.client
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import (
    BUILD_TIMEOUT,
    MASTHEAD,
    ROOT,
    WRK,
    Interrupted,
    PostgresDatabase,
    Process,
    Server,
    build_corpus,
    catch_signals,
    free_port,
    get,
    ignore_signals,
    load_with_wrk,
    log,
    production_env,
    run,
)

VARNISH_RUN = ROOT / "deploy" / "varnish" / "run"
SYSTEM_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"  # nginx, varnishd as a user
NGINX = shutil.which("nginx", path=SYSTEM_PATH)
VARNISHD = shutil.which("varnishd", path=SYSTEM_PATH)

DEFAULTS = {
    "articles": 5000,
    "sample": 200,
    "duration": 10,
    "warmup": 3,
    "simulation_duration": 60,
    "simulation_warmup": 5,
    "simulation_articles": 10000,
    "cold_duration": 20,
}
QUICK = {
    "articles": 100,
    "sample": 20,
    "duration": 3,
    "warmup": 1,
    "simulation_duration": 15,
    "simulation_warmup": 2,
    "cold_duration": 5,
}

ZIPF_S = 1.1
EVENT_INTERVAL = 2.0  # seconds between two publishes or edits
STALE_AFTER = 1.0  # seconds after publish() returned when a page must show the change
VISIBLE_TIMEOUT = 15.0  # the checker gives up on a change after this long
POLL_INTERVAL = 0.05
HELPER_TIMEOUT = 60  # for one answer of the Django helper (a publish, a sample)
READER_TIMEOUT = 30
DRAIN_TIMEOUT = 120

TARGET_HIT_RATIO = 0.95
TARGET_VISIBLE = 1.0

NGINX_CONF = """daemon off;
worker_processes 2;
pid %(dir)s/nginx.pid;
error_log %(dir)s/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    types { text/html html; }
    default_type application/octet-stream;
    client_body_temp_path %(dir)s/client_body;
    proxy_temp_path %(dir)s/proxy;
    fastcgi_temp_path %(dir)s/fastcgi;
    uwsgi_temp_path %(dir)s/uwsgi;
    scgi_temp_path %(dir)s/scgi;
    server {
        listen 127.0.0.1:%(port)d;
        root %(root)s;
    }
}
"""


# The Django helper: a process of its own (this script with --django-helper) with Django set
# up in the environment of the stack under test, answering one JSON line per JSON line read.


def django_helper():
    replies = sys.stdout
    sys.stdout = sys.stderr  # whatever Django prints must not get mixed into the answers
    import django

    django.setup()
    from django.db import close_old_connections
    from django.utils import timezone
    from wagtail.models import Site

    from masthead.articles.models import ArticlePage
    from masthead.images.models import NewsImage
    from masthead.sections import models as sections

    home = sections.HomePage.objects.live().order_by("path").first()
    if home is None:
        raise SystemExit("no home page: did `masthead demo` run?")

    def path_of(url_path):
        return "/" + url_path[len(home.url_path) :]

    rng = random.Random()
    headlines = {}  # the headline an article had before the benchmark edited it

    def sample(size, ranked, seed, port=None):
        if port:
            # The address readers use, so that what Wagtail purges is what they requested;
            # saved (not updated) so that Wagtail forgets the site's address it had cached.
            for site in Site.objects.filter(root_page=home):
                site.hostname, site.port = "127.0.0.1", port
                site.save()
        rows = list(ArticlePage.objects.published().order_by("pk").values_list("pk", "url_path"))
        if rows:
            first = ArticlePage.objects.get(pk=rows[0][0])
            if first.get_url_parts()[2] != path_of(rows[0][1]):
                raise SystemExit("article addresses are not their url_path under the home page")
        chosen = random.Random(seed).sample(rows, min(size, len(rows)))
        order = random.Random(seed + 1).sample(rows, min(ranked, len(rows)))
        rng.seed(seed + 2)
        return {
            "home": path_of(home.url_path),
            "articles": [path_of(url_path) for _, url_path in chosen],
            "ranked": [[pk, path_of(url_path)] for pk, url_path in order],
            "public": len(rows),
            "home_latest": getattr(sections, "HOME_LATEST_COUNT", 8),
        }

    def answer(kind, page, mark, began, published):
        path = path_of(page.url_path)
        took = published - began
        return {"kind": kind, "path": path, "token": mark, "published_at": published, "took": took}

    def token():
        return f"zq{rng.getrandbits(40):010x}"

    def edit(pk):
        page = ArticlePage.objects.get(pk=pk)
        mark = token()
        base = headlines.setdefault(pk, page.title)
        page.title = f"{base} (update {mark})"[:255]
        began = time.monotonic()
        page.save_revision().publish()
        published = time.monotonic()
        return answer("edit", page, mark, began, published)

    def publish():
        section = rng.choice(list(sections.SectionPage.objects.live().descendant_of(home)))
        images = list(NewsImage.objects.order_by("pk")[:50])
        image = rng.choice(images) if images else None
        mark = token()
        paragraph = f"<p>A story the benchmark published ({mark}).</p>"
        page = ArticlePage(
            title=f"Breaking {mark}: the newsroom publishes",
            slug=f"breaking-{mark}",
            standfirst="Published by bench/cache.py.",
            date=timezone.now(),
            live=False,
            lead_image=image,
            body=json.dumps([{"type": "paragraph", "value": paragraph}]),
        )
        section.add_child(instance=page)
        began = time.monotonic()
        page.save_revision().publish()
        published = time.monotonic()
        page.refresh_from_db(fields=["url_path"])
        return answer("new", page, mark, began, published)

    for line in sys.stdin:
        request = json.loads(line)
        close_old_connections()
        try:
            if request["cmd"] == "sample":
                reply = sample(
                    request["sample"], request["ranked"], request["seed"], request.get("port")
                )
            elif request["cmd"] == "edit":
                reply = edit(request["id"])
            elif request["cmd"] == "publish":
                reply = publish()
            else:
                reply = {"error": f"unknown command {request['cmd']}"}
        except Exception as error:  # noqa: BLE001 - the benchmark reports it and goes on
            reply = {"error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


class Helper(Process):
    """This script with --django-helper, spoken to over its stdin and stdout."""

    name = "Django helper"

    def command(self):
        return [sys.executable, __file__, "--django-helper"]

    def spawn(self):
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                self.command(),
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                start_new_session=True,
                text=True,
                bufsize=1,
            )
        self.answers = queue.Queue()
        threading.Thread(target=self.read_answers, daemon=True).start()

    def read_answers(self):
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def call(self, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        try:
            line = self.answers.get(timeout=HELPER_TIMEOUT)
        except queue.Empty:
            raise SystemExit(
                f"The Django helper gave no answer within {HELPER_TIMEOUT} s"
            ) from None
        if line is None:
            raise SystemExit(f"The Django helper exited:\n{self.log_tail()}")
        return json.loads(line)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()  # it ends when its input does
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
        super().stop()


class Nginx(Process):
    name = "nginx"

    def __init__(self, env, log_path, port, root, confdir):
        super().__init__(env, log_path)
        self.port, self.confdir = port, confdir
        confdir.mkdir()
        self.conf = confdir / "nginx.conf"
        self.conf.write_text(NGINX_CONF % {"dir": confdir, "port": port, "root": root})

    def command(self):
        return [NGINX, "-p", str(self.confdir), "-c", str(self.conf), "-e", str(self.log_path)]

    def start(self):
        self.spawn()
        self.wait_until(lambda: get(self.port, "/", timeout=5)[0] == 200)


class Varnish(Process):
    """`deploy/varnish/run LISTEN_PORT BACKEND_HOST:PORT WORK_DIR [HOST_HEADER]`: varnishd in
    the foreground with Masthead's VCL, its working files in WORK_DIR."""

    name = "Varnish (deploy/varnish/run)"

    def __init__(self, env, log_path, port, backend_port, workdir):
        super().__init__(env, log_path)
        self.port, self.backend_port, self.workdir = port, backend_port, workdir

    def command(self):
        backend = f"127.0.0.1:{self.backend_port}"
        return [str(VARNISH_RUN), str(self.port), backend, str(self.workdir), "127.0.0.1"]

    def start(self):
        self.spawn()
        self.wait_until(lambda: get(self.port, "/", timeout=5)[0])

    def wait_for_backend(self):
        """Its health probe must have found gunicorn before it serves anything but 503."""
        self.wait_until(lambda: get(self.port, "/", timeout=5)[0] == 200)


def redis_database(url):
    """The Redis database of the cached runs, or the reason it cannot be used."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        client.ping()
        return client, None
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis for this run
        return None, f"Redis is not reachable at {url} ({error}; apt-get install redis-server)"


# Load


def save_pages(port, paths, site_dir):
    """Request each path once (making renditions); keep its HTML as site_dir/<path>/index.html;
    returns the paths that did not answer 2xx."""
    bad = []
    for path in paths:
        status, _, body = get(port, path)
        if not 200 <= status <= 299:
            bad.append(f"{path} ({status})")
            continue
        if site_dir is not None:
            parts = [part for part in path.split("/") if part]
            if any(part in (".", "..") for part in parts):
                raise SystemExit(f"unexpected path {path}")
            target = site_dir.joinpath(*parts, "index.html")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
    return bad


def drain(port):
    """Wait until the server has taken the requests wrk left queued when it stopped.

    gunicorn's sync workers still render what is in their listen queue after wrk has gone:
    the answer to one more request, queued behind them, says they have been taken."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        get(port, "/robots.txt", timeout=DRAIN_TIMEOUT)


def load_group(port, files, args, workdir):
    """The article sample and the home page in turn: a warm-up, then the measured load."""
    results = {}
    for kind, paths_file in files.items():
        if args.warmup:
            load_with_wrk(port, paths_file, args.warmup, args.connections, workdir, args.threads)
            drain(port)
        results[kind] = load_with_wrk(
            port, paths_file, args.duration, args.connections, workdir, args.threads
        )
        drain(port)
        log(f"    {kind}: {results[kind]['rps']:.1f} requests/s")
    return results


# The newsroom simulation


# What each reader counts: responses, the non-2xx, connection errors, X-Cache HITs, responses
# with an X-Cache header, stale pages, and responses and HITs in the second half of the run.
READER_COUNTS = (
    "requests",
    "non2xx",
    "errors",
    "hits",
    "tagged",
    "stale",
    "half",
    "half_hits",
    "repeats",
    "repeat_hits",
)


def zipf_table(n, s=ZIPF_S):
    """Cumulative weights of ranks 1..n with probability proportional to 1 / rank ** s."""
    table, total = [], 0.0
    for rank in range(1, n + 1):
        total += rank**-s
        table.append(total)
    return table


def pick(table, rng):
    return bisect.bisect_left(table, rng.random() * table[-1])


class Newsroom:
    def __init__(self, port, home, ranked, home_latest, helper, args):
        self.port, self.home, self.helper, self.args = port, home, helper, args
        self.crawlers = args.workers
        self.paths = [home] + [path for _, path in ranked]  # by popularity: home first
        self.article_ids = [pk for pk, _ in ranked]
        self.table = zipf_table(len(self.paths))
        self.article_table = zipf_table(len(self.article_ids))
        self.home_latest = home_latest
        # path -> ((token, published_at), ...): what a response for that path must contain.
        self.expected = {}
        self.first_seen = {}  # token -> when a response first showed it
        self.events = []
        self.readers = []  # one dict of counts per reader thread, in the measured time
        self.cold_readers = []  # the same, in the cold start
        self.checker_stale = 0
        self.asked = set()  # paths some reader has asked for since the stack started
        self.lock = threading.Lock()

    def watch(self, path, body, sent, received):
        """Note the tokens a response shows; True when it is stale: it misses a token, was
        received more than STALE_AFTER after publish() returned, and was asked for after it
        returned (a page rendered from the old content before, and slow to arrive, is slow,
        not stale)."""
        stale = False
        for token, published_at in self.expected.get(path, ()):
            if token in body:
                self.first_seen.setdefault(token, received)
            elif received >= published_at + STALE_AFTER and sent >= published_at:
                stale = True
        return stale

    def reader(self, number, begin, middle, deadline, into):
        rng = random.Random(self.args.seed * 1000 + number)
        counts = dict.fromkeys(READER_COUNTS, 0) | {"bad_status": 0}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=READER_TIMEOUT)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        try:
            while time.monotonic() < deadline:
                path = self.paths[pick(self.table, rng)]
                sent = time.monotonic()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException):
                    counts["errors"] += 1
                    conn.close()  # the next request opens a new connection
                    time.sleep(0.05)
                    continue
                received = time.monotonic()
                # A page asked for before can only miss because a purge (or its expiry) threw
                # it out: the hit ratio over those says how exactly purges aim.
                with self.lock:
                    repeat = path in self.asked
                    self.asked.add(path)
                if received < begin:  # warming the caches up, not counted
                    continue
                counts["requests"] += 1
                if not 200 <= response.status <= 299:
                    counts["non2xx"] += 1
                    counts["bad_status"] = response.status
                cache = response.getheader("X-Cache")
                hit = False
                if cache is not None:
                    counts["tagged"] += 1
                    hit = cache.split(",")[0].strip().upper().startswith("HIT")
                counts["hits"] += hit
                counts["repeats"] += repeat
                counts["repeat_hits"] += hit and repeat
                if received >= middle:
                    counts["half"] += 1
                    counts["half_hits"] += hit
                if 200 <= response.status <= 299:  # an error page is counted as one, not stale
                    counts["stale"] += self.watch(path, body, sent, received)
        finally:
            conn.close()
            with self.lock:
                into.append(counts)

    def check(self, path, token, published_at):
        """Poll the changed page until it shows the token, for VISIBLE_TIMEOUT at most."""
        deadline = published_at + VISIBLE_TIMEOUT
        while (left := deadline - time.monotonic()) > 0 and token not in self.first_seen:
            sent = time.monotonic()
            try:
                status, _, body = get(self.port, path, timeout=max(1.0, left))
            except (OSError, http.client.HTTPException):
                time.sleep(POLL_INTERVAL)
                continue
            if not 200 <= status <= 299:
                time.sleep(POLL_INTERVAL)
                continue
            received = time.monotonic()
            if token in body:
                self.first_seen.setdefault(token, received)
                return
            if received >= published_at + STALE_AFTER and sent >= published_at:
                with self.lock:
                    self.checker_stale += 1
            time.sleep(POLL_INTERVAL)

    def publish_loop(self, start, deadline):
        """One edit or new article every EVENT_INTERVAL seconds, alternately, in the helper."""
        rng = random.Random(self.args.seed + 7)
        checkers, new_tokens = [], []
        for number in range(int(self.args.simulation_duration / EVENT_INTERVAL) + 1):
            at = start + EVENT_INTERVAL * (number + 0.5)
            if at >= deadline - STALE_AFTER:
                break
            time.sleep(max(0.0, at - time.monotonic()))
            if number % 2 == 0:
                answer = self.helper.call(
                    cmd="edit", id=self.article_ids[pick(self.article_table, rng)]
                )
            else:
                answer = self.helper.call(cmd="publish")
            if "error" in answer:
                log(f"  publisher: {answer['error']}")
                self.events.append({"error": answer["error"]})
                continue
            token = answer["token"].encode()
            published_at = answer["published_at"]
            if answer["kind"] == "edit":
                self.expected[answer["path"]] = ((token, published_at),)
                target = answer["path"]
            else:
                new_tokens = [*new_tokens, (token, published_at)][-self.home_latest :]
                self.expected[self.home] = tuple(new_tokens)
                target = self.home
            answer["token"] = token
            answer["target"] = target
            self.events.append(answer)
            checker = threading.Thread(
                target=self.check, args=(target, token, answer["published_at"]), daemon=True
            )
            checker.start()
            checkers.append(checker)
        return checkers

    def crawl(self):
        """Ask once for every page nobody has asked for yet, as a cache warmer or a search
        engine's crawler would, so that the simulation measures a cache that has been running
        for a while: misses come from purges, not from pages nobody asked for yet. Prints its
        progress."""
        with self.lock:
            pending = [path for path in self.paths if path not in self.asked]
        total = len(pending)
        done, failed = [0], {}  # failed: the status, or the error, -> how many
        began = time.monotonic()

        def crawler():
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=READER_TIMEOUT)
            headers = {"Host": f"127.0.0.1:{self.port}"}
            while True:
                with self.lock:
                    if not pending:
                        break
                    path = pending.pop()
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    outcome = None if 200 <= response.status <= 299 else str(response.status)
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    outcome = type(error).__name__
                with self.lock:
                    self.asked.add(path)
                    done[0] += 1
                    if outcome:
                        failed[outcome] = failed.get(outcome, 0) + 1
                    if done[0] % max(1, total // 10) == 0:
                        log(f"  crawled {done[0]:,} of {total:,} pages")
            conn.close()

        # One connection per gunicorn worker keeps them all busy; more only queue behind them,
        # and so does the health probe, which then marks the site sick (503s).
        threads = [threading.Thread(target=crawler, daemon=True) for _ in range(self.crawlers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.crawl_seconds = time.monotonic() - began
        self.crawl_failed = failed
        self.crawled = total

    def read(self, warmup, duration, into):
        """Start the readers: they read for `warmup` seconds, not counted, then `duration`
        seconds counted into `into`; returns their threads and when the counted time begins."""
        begin = time.monotonic() + warmup
        deadline = begin + duration
        middle = begin + duration / 2
        readers = [
            threading.Thread(
                target=self.reader, args=(n, begin, middle, deadline, into), daemon=True
            )
            for n in range(self.args.readers)
        ]
        for thread in readers:
            thread.start()
        return readers, begin, deadline

    def join(self, readers, deadline):
        for thread in readers:
            thread.join(max(0.0, deadline - time.monotonic()) + READER_TIMEOUT + 5)

    def run(self):
        self.crawl_seconds = self.crawl_failed = self.crawled = None
        self.cold = None
        if self.args.cold_duration:
            log(f"  cold start: {self.args.cold_duration} s of reading from empty caches")
            readers, _, deadline = self.read(0, self.args.cold_duration, self.cold_readers)
            self.join(readers, deadline)
            self.cold = self.totals(self.cold_readers) | {"elapsed": self.args.cold_duration}
        if not self.args.no_crawl:
            self.crawl()
        duration = self.args.simulation_duration
        log(f"  measured: {duration} s of reading while the newsroom publishes")
        readers, begin, deadline = self.read(self.args.simulation_warmup, duration, self.readers)
        checkers = self.publish_loop(begin, deadline)
        self.join(readers, deadline)
        for thread in checkers:
            thread.join(VISIBLE_TIMEOUT + 10)
        return self.summary(time.monotonic() - begin)

    @staticmethod
    def totals(readers):
        total = {key: sum(counts[key] for counts in readers) for key in READER_COUNTS}
        total["bad_status"] = max(counts["bad_status"] for counts in readers)
        return total

    def summary(self, elapsed):
        total = self.totals(self.readers)
        events = [event for event in self.events if "error" not in event]
        delays, unseen = [], 0
        for event in events:
            seen = self.first_seen.get(event["token"])
            if seen is None:
                unseen += 1
            else:
                delays.append(max(0.0, seen - event["published_at"]))
        return {
            **total,
            "elapsed": min(elapsed, self.args.simulation_duration),
            "edits": sum(event["kind"] == "edit" for event in events),
            "new": sum(event["kind"] == "new" for event in events),
            "failed_events": len(self.events) - len(events),
            "publish_took": statistics.median(e["took"] for e in events) if events else None,
            "delays": sorted(delays),
            "unseen": unseen,
            "checker_stale": self.checker_stale,
            "crawl_seconds": self.crawl_seconds,
            "crawl_failed": self.crawl_failed,
            "crawled": self.crawled,
            "crawlers": self.crawlers,
            "cold": self.cold,
        }


# Output


def percent(part, whole):
    """A share with two significant figures at least: 97.3%, 0.054%."""
    if not whole:
        return "n/a"
    share = 100 * part / whole
    return f"{share:.1f}%" if share >= 1 or share == 0 else f"{share:.2g}%"


def print_groups(rows, nginx):
    header = (
        f"{'group':<30} {'pages':<9} {'req/s':>8} {'of nginx':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>8} {'errors':>7} {'X-Cache HIT':>12}"
    )
    print(header)
    print("-" * len(header))
    warnings = []
    for group, results, note in rows:
        name = group
        if results is None:
            print(f"{name:<30} {note}")
            continue
        for kind, r in results.items():
            ratio = percent(r["rps"], nginx[kind]["rps"]) if nginx else ""
            tagged = r["hits"] + r["misses"]
            cache = percent(r["hits"], r["requests"]) if tagged else "-"
            flag = " !" if r["non2xx"] or r["errors"] or not r["requests"] else ""
            print(
                f"{name:<30} {kind:<9} {r['rps']:>8.1f} {ratio:>9} {r['p50_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {r['non2xx']:>8} {r['errors']:>7} {cache:>12}{flag}"
            )
            if flag:
                warnings.append(
                    f"! {group}, {kind}: {r['non2xx']} non-2xx answers"
                    + (f" (the last {r['bad_status']})" if r["bad_status"] else "")
                    + f" and {r['errors']} connection errors or timeouts"
                    + f" in {r['requests']} requests"
                    + ("" if r["requests"] else " (none answered within the run)")
                )
            name = ""
        if note:
            print(f"{'':<30} {note}")
    for warning in warnings:
        print(warning)


def failures(failed):
    if not failed:
        return "none failed"
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(failed.items())) + " failed"


def print_simulation(s, stack, args, corpus):
    print(
        f"Newsroom simulation: {s['elapsed']:.0f} s against {stack}; {args.readers} readers over "
        f"the home page and {corpus:,} articles (Zipf s={ZIPF_S}); an edit or a new article "
        f"every {EVENT_INTERVAL:.0f} s ({s['edits']} edits, {s['new']} new articles"
        + (f", {s['failed_events']} failed" if s["failed_events"] else "")
        + ")"
    )
    rate = s["requests"] / s["elapsed"] if s["elapsed"] else 0
    print(
        f"Readers: {s['requests']:,} responses ({rate:.0f}/s), {s['non2xx']} non-2xx"
        + (f" (the last {s['bad_status']})" if s["bad_status"] else "")
        + f", {s['errors']} connection errors"
        + (
            f"; publish() took {s['publish_took'] * 1000:.0f} ms (median)"
            if s["publish_took"] is not None
            else ""
        )
    )
    cold = s["cold"]
    if cold:
        print(
            f"Cold start, before the measured time: {cold['elapsed']} s of reading from empty "
            f"caches, {cold['requests']:,} responses, hit ratio "
            f"{percent(cold['hits'], cold['requests'])} ({cold['non2xx']} non-2xx)"
        )
    if s["crawl_seconds"] is not None:
        print(
            f"Then a crawl asked once for each of the {s['crawled']:,} pages nobody had asked "
            f"for yet ({s['crawl_seconds']:.0f} s by {s['crawlers']} connections, "
            f"{failures(s['crawl_failed'])}): the measured time reads warm caches, as a "
            "newsroom's are after running a while"
        )
    else:
        print("No crawl (--no-crawl): the measured time counts first requests for pages too")
    print()
    header = f"{'figure':<34} {'measured':<34} {'target':<8} {'':<4}"
    print(header)
    print("-" * len(header))

    def row(name, measured, target, ok):
        verdict = "" if ok is None else ("ok" if ok else "MISS")
        print(f"{name:<34} {measured:<34} {target:<8} {verdict:<4}")

    if s["tagged"]:
        ratio = s["hits"] / s["requests"] if s["requests"] else 0
        half = percent(s["half_hits"], s["half"])
        row(
            "hit ratio (front-most X-Cache)",
            f"{percent(s['hits'], s['requests'])} (second half {half})",
            "> 95%",
            ratio > TARGET_HIT_RATIO,
        )
        row(
            "  over pages asked for before",
            f"{percent(s['repeat_hits'], s['repeats'])} of {s['repeats']:,} responses",
            "",
            None,
        )
        if s["tagged"] < s["requests"]:
            row("  responses without X-Cache", f"{s['requests'] - s['tagged']:,}", "", None)
    else:
        row("hit ratio (front-most X-Cache)", "n/a: page cache not available", "> 95%", None)
    delays = s["delays"]
    if delays:
        worst = f"{delays[-1]:.3f} s" if not s["unseen"] else f"> {VISIBLE_TIMEOUT:.0f} s"
        row(
            "publish to visible, median",
            f"{statistics.median(delays):.3f} s",
            "< 1 s",
            statistics.median(delays) < TARGET_VISIBLE,
        )
        row(
            "publish to visible, worst",
            worst,
            "< 1 s",
            not s["unseen"] and delays[-1] < TARGET_VISIBLE,
        )
    else:
        row("publish to visible", "n/a: nothing was published", "< 1 s", None)
    if s["unseen"]:
        row("  changes never seen", f"{s['unseen']} (within {VISIBLE_TIMEOUT:.0f} s)", "", None)
    row("stale pages served (readers)", f"{s['stale']:,}", "0", s["stale"] == 0)
    row("  stale answers to the checker", f"{s['checker_stale']:,}", "0", s["checker_stale"] == 0)


# The run


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run that checks it works")
    parser.add_argument("--articles", type=int, help="articles in the corpus (5000)")
    parser.add_argument("--sample", type=int, help="random articles loaded in the groups (200)")
    parser.add_argument("--duration", type=int, help="measured seconds per group (10)")
    parser.add_argument("--warmup", type=int, help="seconds of load before measuring (3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/7", help="Redis database, flushed"
    )
    parser.add_argument("--skip-simulation", action="store_true", help="only the groups")
    parser.add_argument("--simulation-duration", type=int, help="seconds of simulation (60)")
    parser.add_argument("--simulation-articles", type=int, help="articles read (10000)")
    parser.add_argument(
        "--simulation-warmup", type=int, help="seconds of reading before measuring (20)"
    )
    parser.add_argument(
        "--cold-duration", type=int, help="seconds of reading from empty caches first (20)"
    )
    parser.add_argument(
        "--no-crawl", action="store_true", help="no crawl of the unasked pages after it"
    )
    parser.add_argument("--readers", type=int, default=16, help="reader threads")
    parser.add_argument("--seed", type=int, default=1, help="seed of samples and readers")
    parser.add_argument("--django-helper", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.django_helper:
        return args
    for name, value in (QUICK if args.quick else {}).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.quick and args.simulation_articles is None:
        args.simulation_articles = args.articles
    for name, value in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("articles", "sample", "duration", "connections", "threads", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    for name in ("simulation_duration", "simulation_articles", "readers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if min(args.warmup, args.simulation_warmup, args.cold_duration) < 0:
        parser.error("--warmup, --simulation-warmup and --cold-duration cannot be negative")
    durations = (
        args.duration,
        args.warmup,
        args.simulation_duration,
        args.simulation_warmup,
        args.cold_duration,
    )
    if max(durations) > 600:
        parser.error("--duration, --warmup and the simulation's are at most 600 seconds each")
    if args.connections > 256 or args.readers > 256:
        parser.error("--connections and --readers are at most 256")
    if not WRK:
        parser.error("wrk is not installed: every group needs it (apt-get install wrk)")
    return args


def main():
    args = parse_args()
    if args.django_helper:
        django_helper()
        return 0

    catch_signals()
    load_start = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-cache-"))
    site_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-site-"))
    varnish_dir = Path(tempfile.mkdtemp(prefix="masthead-bench-varnish-"))
    # nginx's workers and varnishd's processes run as users of their own when started as root.
    site_dir.chmod(0o755)
    varnish_dir.chmod(0o755)
    (workdir / "data").mkdir()
    ports = {name: free_port() for name in ("uncached", "cached", "varnish", "nginx")}
    env = production_env(workdir / "data", ports["uncached"])
    database = PostgresDatabase(env["DATABASE_URL"]) if env.get("DATABASE_URL") else None
    redis, redis_missing = redis_database(args.redis_url)
    if not VARNISH_RUN.exists():
        varnish_missing = "skipped: Varnish not set up (no deploy/varnish/run)"
    elif not VARNISHD:
        varnish_missing = (
            "skipped: varnishd is not installed (apt-get install varnish varnish-modules)"
        )
    elif redis_missing:
        varnish_missing = f"skipped: {redis_missing}"
    else:
        varnish_missing = None
    cached_env = dict(env, REDIS_URL=args.redis_url)
    processes = []  # everything started, stopped in reverse order on the way out
    failure_logs = {}  # the end of the logs of the processes that served non-2xx answers

    def note_failures(results, *serving):
        if any(r["non2xx"] or r["errors"] for r in results.values()):
            for process in serving:
                failure_logs[process.log_path.name] = process.log_tail(15)

    def start(process):
        processes.append(process)
        process.start()
        return process

    def stop(*stopping):
        for process in stopping:
            process.stop()
            processes.remove(process)

    def cached_stack():
        """gunicorn with the page cache in Redis (flushed), and Varnish in front if it can:
        started first, so that Masthead purges it only when it runs."""
        nonlocal varnish_missing
        redis.flushdb()
        varnish = None
        if not varnish_missing:
            varnish = Varnish(
                cached_env,
                workdir / "varnish.log",
                ports["varnish"],
                ports["cached"],
                varnish_dir / "varnishd",
            )
            try:
                start(varnish)
            except SystemExit as error:
                stop(varnish)
                varnish = None
                varnish_missing = "skipped: Varnish did not start (see above)"
                log(f"WARNING: {error}")
        front = ports["varnish"] if varnish else ports["cached"]
        cached_env["SITE_URL"] = f"http://127.0.0.1:{front}"
        if varnish:
            cached_env["VARNISH_URL"] = f"http://127.0.0.1:{ports['varnish']}"
        else:
            cached_env.pop("VARNISH_URL", None)
        server = start(
            Server(cached_env, ports["cached"], args.workers, workdir / "gunicorn-cached.log")
        )
        if varnish:
            try:
                varnish.wait_for_backend()
            except SystemExit as error:
                log(f"WARNING: {error}")
        return server, varnish, front

    try:
        engine = f"PostgreSQL (database {database.name})" if database else "SQLite"
        log(f"Masthead serving benchmark: {args.articles} articles on {engine}, data in {workdir}")
        for missing in (
            None if NGINX else "nginx is not installed (apt-get install nginx): group a skipped",
            redis_missing and f"{redis_missing}: groups c, d and the simulation skipped",
            varnish_missing,
        ):
            if missing:
                log(f"  {missing}")
        if database:
            database.create()
        log("Building the corpus: migrate, then demo ...")
        migrate_time, demo_time = build_corpus(env, args.articles)
        log(f"Corpus built in {migrate_time + demo_time:.1f} s")
        run(env, MASTHEAD, "collectstatic", "--noinput", "--verbosity=0")

        sampler = Helper(env, workdir / "helper.log")
        processes.append(sampler)
        sampler.spawn()
        found = sampler.call(cmd="sample", sample=args.sample, ranked=0, seed=args.seed)
        stop(sampler)
        if "error" in found:
            raise SystemExit(f"Could not sample the articles: {found['error']}")
        files = {
            "articles": workdir / "paths-articles.txt",
            "home": workdir / "paths-home.txt",
        }
        files["articles"].write_text("\n".join(found["articles"]) + "\n")
        files["home"].write_text(found["home"] + "\n")
        all_paths = [found["home"], *found["articles"]]
        rows, nginx = [], None

        log(f"Starting gunicorn, uncached (PAGE_CACHE=0), {args.workers} workers ...")
        uncached_env = dict(env, PAGE_CACHE="0")
        uncached = start(
            Server(uncached_env, ports["uncached"], args.workers, workdir / "gunicorn-uncached.log")
        )
        log(f"Warming up: {len(all_paths)} pages once each, keeping their HTML")
        began = time.monotonic()
        bad = save_pages(ports["uncached"], all_paths, site_dir)
        log(f"Warm-up took {time.monotonic() - began:.1f} s")
        if bad:
            raise SystemExit(f"Pages that did not answer 2xx at warm-up: {', '.join(bad)}")
        load_note = (
            f"wrk -t{args.threads} -c{args.connections}, {args.warmup} s warm-up then "
            f"{args.duration} s; articles: {len(found['articles'])} random"
        )
        log(f"Groups ({load_note}):")
        if NGINX:
            log("  a. nginx, static files")
            server = start(
                Nginx(env, workdir / "nginx.log", ports["nginx"], site_dir, workdir / "nginx")
            )
            nginx = load_group(ports["nginx"], files, args, workdir)
            stop(server)
            rows.append(("a. nginx, static files", nginx, ""))
        else:
            rows.append(("a. nginx, static files", None, "skipped: nginx is not installed"))
        log("  b. Masthead uncached, parts in each worker's memory")
        uncached_results = load_group(ports["uncached"], files, args, workdir)
        rows.append(("b. Masthead uncached", uncached_results, "parts per worker"))
        note_failures(uncached_results, uncached)
        stop(uncached)
        if redis_missing:
            rows.append(("b2. uncached, parts in Redis", None, f"skipped: {redis_missing}"))
        else:
            # What a production server runs with the page cache off: the parts and chrome are
            # shared by the workers in Redis, filled by the first request for each page.
            log("Starting gunicorn uncached (PAGE_CACHE=0), parts in Redis ...")
            redis.flushdb()
            shared = start(
                Server(
                    dict(uncached_env, REDIS_URL=args.redis_url),
                    ports["uncached"],
                    args.workers,
                    workdir / "gunicorn-uncached-redis.log",
                )
            )
            bad = save_pages(ports["uncached"], all_paths, None)
            if bad:
                log(f"WARNING: pages that did not answer 2xx: {', '.join(bad)}")
            log("  b2. Masthead uncached, parts in Redis")
            results = load_group(ports["uncached"], files, args, workdir)
            rows.append(("b2. uncached, parts in Redis", results, "parts shared"))
            note_failures(results, shared)
            stop(shared)

        if redis_missing:
            rows.append(("c. Masthead + own cache", None, f"skipped: {redis_missing}"))
            rows.append(("d. Masthead behind Varnish", None, f"skipped: {redis_missing}"))
        else:
            log(f"Starting gunicorn with the page cache in Redis ({args.redis_url}) ...")
            server, varnish, _ = cached_stack()
            bad = save_pages(ports["cached"], all_paths, None)
            if bad:
                log(f"WARNING: pages that did not answer 2xx: {', '.join(bad)}")
            log("  c. Masthead with its own cache")
            results = load_group(ports["cached"], files, args, workdir)
            note_failures(results, server)
            tagged = any(r["hits"] + r["misses"] for r in results.values())
            note = "" if tagged else "page cache not available (no X-Cache header)"
            rows.append(("c. Masthead + own cache", results, note))
            if varnish:
                log("  d. Masthead behind Varnish")
                bad = save_pages(ports["varnish"], all_paths, None)  # Varnish starts empty
                if bad:
                    log(f"WARNING: pages that did not answer 2xx through Varnish: {', '.join(bad)}")
                results = load_group(ports["varnish"], files, args, workdir)
                note_failures(results, varnish, server)
                tagged = any(r["hits"] + r["misses"] for r in results.values())
                note = "" if tagged else "Varnish sets no X-Cache header"
                rows.append(("d. Masthead behind Varnish", results, note))
            else:
                log(f"  d. {varnish_missing}")
                rows.append(("d. Masthead behind Varnish", None, varnish_missing))
            stop(*filter(None, (varnish, server)))

        simulation = None
        if args.skip_simulation:
            simulation_note = "skipped (--skip-simulation)"
        elif redis_missing:
            simulation_note = f"skipped: {redis_missing}"
        else:
            simulation_note = None
            if args.simulation_articles > found["public"]:
                log(f"Extending the corpus to {args.simulation_articles} articles ...")
                articles = f"--articles={args.simulation_articles}"
                run(env, MASTHEAD, "demo", articles, timeout=BUILD_TIMEOUT)
            log("Restarting the cached stack with empty caches for the simulation ...")
            server, varnish, front = cached_stack()
            stack = "Varnish in front of Masthead" if varnish else "Masthead's own cache (Redis)"
            publisher = Helper(cached_env, workdir / "publisher.log")
            processes.append(publisher)
            publisher.spawn()
            ranked = publisher.call(
                cmd="sample", sample=0, ranked=args.simulation_articles, seed=args.seed, port=front
            )
            if "error" in ranked:
                raise SystemExit(f"Could not list the articles: {ranked['error']}")
            log(
                f"Newsroom simulation: {args.simulation_duration} s, {args.readers} readers, "
                f"{len(ranked['ranked'])} articles, against {stack} ..."
            )
            newsroom = Newsroom(
                front,
                ranked["home"],
                ranked["ranked"],
                ranked["home_latest"],
                publisher,
                args,
            )
            simulation = newsroom.run()
            if simulation["non2xx"] or simulation["errors"]:
                for process in filter(None, (varnish, server)):
                    failure_logs[f"{process.log_path.name} (simulation)"] = process.log_tail(15)
            corpus = len(ranked["ranked"])
            stop(publisher, *filter(None, (varnish, server)))

        load_end = os.getloadavg()
        print()
        print(
            f"Masthead: {found['public']:,} public articles on {engine}; gunicorn "
            f"{args.workers} sync workers; {os.cpu_count()} CPU cores shared with the load"
        )
        print(
            "Load average (1, 5, 15 min) at the start "
            + ", ".join(f"{value:.2f}" for value in load_start)
            + ", at the end "
            + ", ".join(f"{value:.2f}" for value in load_end)
            + ": other work on the machine skews the figures"
        )
        print(
            f"Corpus build: {migrate_time + demo_time:.1f} s (migrate {migrate_time:.1f} s, "
            f"demo --articles {args.articles} {demo_time:.1f} s)"
        )
        print(f"Groups: {load_note}")
        print()
        print_groups(rows, nginx)
        print()
        if simulation:
            print_simulation(simulation, stack, args, corpus)
        else:
            print(f"Newsroom simulation: {simulation_note}")
        for name, tail in failure_logs.items():
            print(f"\nThe end of {name}, which served non-2xx answers:\n{tail}")
    except (KeyboardInterrupt, Interrupted) as stopped:
        log(f"\nInterrupted ({str(stopped) or 'SIGINT'}): cleaning up.")
        return 130
    finally:
        ignore_signals()
        for process in reversed(processes):
            try:
                process.stop()
            except Exception as error:  # noqa: BLE001 - report and go on cleaning up
                log(f"Could not stop {process.name}: {error}")
        if redis is not None:
            with contextlib.suppress(Exception):
                redis.flushdb()
        if database:
            try:
                database.drop()
            except Exception as error:  # noqa: BLE001 - report and go on cleaning up
                log(f"Could not drop database {database.name}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(site_dir, ignore_errors=True)
        shutil.rmtree(varnish_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
