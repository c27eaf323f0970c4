"""Benchmark of search: p50/p95 latency of live search and of the results page.

All on 127.0.0.1, in a fresh temporary data folder:

1. migrates a new database and fills it with a generated corpus of N articles (default 50,000)
   in a few bulk inserts (the demo command makes prettier articles, but one by one), then
   rebuilds the search index with `masthead update_index` and times it; on SQLite by default,
   on PostgreSQL when DATABASE_URL is set: the database named in the URL is created for the run
   and dropped after it (it must not exist beforehand); then, as autovacuum would soon do on a
   real site, gathers planner statistics (ANALYZE; VACUUM ANALYZE on PostgreSQL, which also
   merges the GIN indexes' pending lists), also on a reused corpus;
2. serves the site with gunicorn in production settings (DEBUG unset, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1) with the live-search rate limit lifted;
3. from this process, one request at a time, asks /search/live/?q= for prefixes of the
   corpus's words as a reader types them, and /search/?q= for one and two words, and prints
   p50 and p95 latency of each, with the count of non-200 answers; the words are drawn from
   the corpus's vocabulary past its 50 commonest (which are in most articles: "the", "said");
4. stops gunicorn and removes the data folder (and the PostgreSQL database).

Usage:  .venv/bin/python bench/search.py [--articles N] [--requests R] [--workers W]
                                        [--data-dir DIR]

--data-dir DIR keeps the corpus (the SQLite database in DIR, or the PostgreSQL database with
its vocabulary in DIR) and, when DIR already holds one, measures it again without rebuilding
(building 50,000 articles and their index takes minutes).
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

CORPUS_SCRIPT = r"""
import json, random, sys, uuid
from datetime import timedelta
import django
django.setup()
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page, Site
from masthead.articles.models import ArticlePage
from masthead.sections.models import HomePage, SectionPage

count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
syllables = ["ba", "ko", "ri", "ta", "mu", "sel", "dor", "an", "vi", "leg", "tro", "pen", "sa",
             "mar", "ul", "qui", "ne", "zo", "har", "bel", "cas", "to", "fi", "gra", "lo", "ment"]
common = ("the of and to in a is that for on with as by at from was it be are has have said "
          "government market election tariff bank minister report price growth trade court "
          "police health school farmers energy oil city council budget vote party rates").split()
vocabulary = common + sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
                              for _ in range(6000)})
weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

def words(n):
    return " ".join(rng.choices(vocabulary, weights, k=n))

root = Page.objects.get(depth=1)
for page in Page.objects.filter(depth=2):
    page.delete()
home = HomePage(title="The Bench Times", slug="home")
root.add_child(instance=home)
Site.objects.update_or_create(is_default_site=True, defaults={
    "hostname": "127.0.0.1", "port": 80, "root_page": home, "site_name": "The Bench Times"})
sections = []
for name in ["News", "Economics", "Business", "World", "Innovation", "Entertainment"]:
    section = SectionPage(title=name, show_in_menus=True)
    home.add_child(instance=section)
    for sub in ["Politics", "Markets", "Regions"]:
        child = SectionPage(title=f"{name} {sub}", slug=f"{name}-{sub}".lower(), show_in_menus=True)
        section.add_child(instance=child)
        sections.append(child)

content_type = ContentType.objects.get_for_model(ArticlePage)
now = timezone.now()
per_section = {section.pk: 0 for section in sections}
batch = 2000
for start in range(0, count, batch):
    pages, rows = [], []
    for number in range(start, min(count, start + batch)):
        section = sections[number % len(sections)]
        per_section[section.pk] += 1
        title = words(rng.randint(5, 10)).capitalize()
        slug = f"article-{number}"
        date = now - timedelta(minutes=number * 7)
        pages.append(Page(
            title=title, draft_title=title, slug=slug, content_type=content_type,
            path=Page._get_path(section.path, section.depth + 1, per_section[section.pk]),
            depth=section.depth + 1, numchild=0, url_path=f"{section.url_path}{slug}/",
            live=True, has_unpublished_changes=False, first_published_at=date,
            last_published_at=date, locale_id=section.locale_id, translation_key=uuid.uuid4(),
        ))
        body = [{"type": "paragraph", "value": f"<p>{words(60).capitalize()}.</p>",
                 "id": str(uuid.uuid4())} for _ in range(4)]
        rows.append([words(20).capitalize() + ".", date, json.dumps(body)])
    with transaction.atomic():
        created = Page.objects.bulk_create(pages)
        paths = [p.path for p in created]
        ids = dict(Page.objects.filter(path__in=paths).values_list("path", "pk"))
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO articles_articlepage (page_ptr_id, standfirst, date,"
                " lead_image_caption, lead_image_credit, body, show_inline_related)"
                " VALUES (%s, %s, %s, '', '', %s, %s)",
                [[ids[page.path], *row, True] for page, row in zip(pages, rows)],
            )
for section in sections:
    Page.objects.filter(pk=section.pk).update(numchild=per_section[section.pk])
print(json.dumps(rng.sample(vocabulary[50:], 2000)))  # query words: past the 50 commonest
"""

MAINTENANCE_SCRIPT = r"""
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, check=True, cwd=ROOT, **kwargs)


@contextlib.contextmanager
def postgres_database(url, create=True, drop=True):
    if not url or not (create or drop):
        yield
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    if create:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        if drop:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn stopped before answering")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    sys.exit("gunicorn did not answer in time")


def measure(port, paths):
    """Latencies in ms of the paths, one request at a time (gunicorn's sync workers close each
    connection, so each request opens its own, as a browser's would to a sync worker)."""
    latencies, bad = [], 0
    for path in paths:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
        bad += response.status != 200
    return latencies, bad


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def report(name, latencies, bad):
    print(
        f"{name:<14} {len(latencies):>5} requests  p50 {percentile(latencies, 0.5):6.1f} ms  "
        f"p95 {percentile(latencies, 0.95):6.1f} ms  max {max(latencies):6.1f} ms  "
        f"mean {statistics.fmean(latencies):6.1f} ms  non-200: {bad}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, help="keep (or reuse) the corpus here")
    options = parser.parse_args()

    keep = options.data_dir is not None
    data = options.data_dir or Path(tempfile.mkdtemp(prefix="masthead-bench-search-"))
    data.mkdir(parents=True, exist_ok=True)
    reuse = keep and (data / "vocabulary.json").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "SEARCH_URL")}
    env.update(
        MASTHEAD_DATA_DIR=str(data),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SEARCH_LIVE_RATE="1000000/1",
        DJANGO_SETTINGS_MODULE="masthead.settings",
    )
    database = env.get("DATABASE_URL", "")
    print(f"database: {'PostgreSQL' if database else 'SQLite'}, articles: {options.articles:,}")
    gunicorn = None
    try:
        with postgres_database(database, create=not reuse, drop=not keep):
            masthead = str(BIN / "masthead")
            run([masthead, "migrate", "--noinput", "-v0"], env)
            run([masthead, "collectstatic", "--noinput", "-v0"], env)
            if reuse:
                vocabulary = json.loads((data / "vocabulary.json").read_text())
                print("corpus reused")
            else:
                started = time.monotonic()
                corpus = run(
                    [sys.executable, "-c", CORPUS_SCRIPT, str(options.articles), str(options.seed)],
                    env,
                    capture_output=True,
                    text=True,
                )
                print(f"corpus built in {time.monotonic() - started:.0f} s")
                vocabulary = json.loads(corpus.stdout.strip().splitlines()[-1])
                started = time.monotonic()
                run([masthead, "update_index"], env, stdout=subprocess.DEVNULL)
                print(f"masthead update_index took {time.monotonic() - started:.0f} s")
                if keep:
                    (data / "vocabulary.json").write_text(json.dumps(vocabulary))

            # What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) soon does on a real
            # site after so many inserts: statistics for the planner and, on PostgreSQL, the
            # GIN indexes' pending lists merged (otherwise every search reads them through).
            run([sys.executable, "-c", MAINTENANCE_SCRIPT], env)

            port = free_port()
            gunicorn = subprocess.Popen(
                [str(BIN / "gunicorn"), "masthead.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(options.workers), "--log-level", "warning"],
                env=env, cwd=ROOT, start_new_session=True,
            )  # fmt: skip
            wait_for(port, gunicorn)

            rng = random.Random(options.seed)
            words = [word for word in vocabulary if len(word) >= 4]
            live, page = [], []
            while len(live) < options.requests:
                word = rng.choice(words)
                live += [f"/search/live/?q={quote(word[:n])}" for n in range(2, len(word) + 1)]
            for _ in range(options.requests):
                q = " ".join(rng.sample(words, rng.choice([1, 1, 2])))
                page.append(f"/search/?q={quote(q)}")
            measure(port, live[:20] + page[:20])  # warm up both workers' caches
            report("live search", *measure(port, live[: options.requests]))
            report("results page", *measure(port, page))
    finally:
        if gunicorn and gunicorn.poll() is None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(30)
        if not keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
