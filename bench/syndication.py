"""Benchmark of feeds and sitemaps on a large paper: time, peak memory and SQL queries.

What it does, in a fresh temporary data folder (MASTHEAD_DATA_DIR) with SQLite, or in the empty
PostgreSQL database named by DATABASE_URL:

1. migrates, then writes N articles straight into the tables (Wagtail pages with
   treebeard-correct paths, their authors and tags) in batches, which takes seconds where
   creating pages one by one through Wagtail would take hours; articles are spread over
   about three years, with a lead image on most of them;
2. requests each feed and sitemap once (the first requests make image renditions), then
   measures each again in the same process: wall time (best of 3), peak memory allocated
   by Python while answering (tracemalloc), response size and SQL queries;
3. prints a table, and the process's peak resident memory;
4. removes the temporary data folder (a PostgreSQL database is left to its owner).

Usage:  .venv/bin/python bench/syndication.py [--articles N]     (default 100000)
"""

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 2000
SECTIONS = {
    "News": ["World", "Politics", "Education"],
    "Economics": ["Finance", "Markets"],
    "Business": ["Energy", "Real estate"],
    "Innovation": ["Technology"],
}


def setup(data_dir):
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MASTHEAD_DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Keep one connection for the whole run, as a served site does (CONN_MAX_AGE), so that the
    # figures are the requests' own and the query counter sees every query.
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)


def build_paper(articles_count, seed=1):
    """A home page, sections, authors, tags, images and `articles_count` articles, in bulk."""
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.images import ImageFile
    from django.db import connection, transaction
    from django.utils import timezone
    from PIL import Image as PILImage
    from taggit.models import Tag
    from wagtail.models import Locale, Page, Site

    from masthead.articles.models import ArticleAuthor, ArticlePage, ArticleTag
    from masthead.authors.models import Author
    from masthead.images.models import NewsImage
    from masthead.sections.models import HomePage, SectionPage

    rng = random.Random(seed)
    root = Page.objects.get(depth=1)
    for page in Page.objects.filter(depth=2):
        page.delete()
    home = root.add_child(instance=HomePage(title="The Bench Times", slug="home"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Bench"},
    )
    leaves = []
    for top, subs in SECTIONS.items():
        section = home.add_child(instance=SectionPage(title=top, show_in_menus=True))
        for sub in subs:
            leaves.append(section.add_child(instance=SectionPage(title=sub, show_in_menus=True)))
    authors = Author.objects.bulk_create(
        [Author(name=f"Writer {n}", slug=f"writer-{n}") for n in range(200)]
    )
    tags = Tag.objects.bulk_create([Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(2000)])
    images = []
    for n in range(20):
        buffer = io.BytesIO()
        PILImage.new("RGB", (1600, 1067), (n * 12, 90, 160)).save(buffer, "JPEG")
        images.append(
            NewsImage.objects.create(
                title=f"Picture {n}", file=ImageFile(buffer, name=f"picture-{n}.jpg")
            )
        )

    content_type = ContentType.objects.get_for_model(ArticlePage)
    locale = Locale.get_default()
    now = timezone.now()
    span = timedelta(days=3 * 365)
    body = [
        {"type": "paragraph", "value": "<p>A first paragraph of the bench article.</p>"},
        {"type": "subheading", "value": "A subheading"},
        {"type": "paragraph", "value": "<p>A second paragraph, a little longer than one.</p>"},
    ]
    local_fields = [
        field for field in ArticlePage._meta.local_concrete_fields if field.name != "page_ptr"
    ]
    columns = ", ".join(
        [connection.ops.quote_name("page_ptr_id")]
        + [connection.ops.quote_name(f.column) for f in local_fields]
    )
    placeholders = ", ".join(["%s"] * (len(local_fields) + 1))
    insert = (
        f"INSERT INTO {connection.ops.quote_name(ArticlePage._meta.db_table)} "
        f"({columns}) VALUES ({placeholders})"
    )

    per_leaf = {leaf.pk: 0 for leaf in leaves}
    made = 0
    while made < articles_count:
        size = min(BATCH, articles_count - made)
        with transaction.atomic():
            pages, details = [], []
            for n in range(made, made + size):
                leaf = leaves[n % len(leaves)]
                per_leaf[leaf.pk] += 1
                date = now - span * (n / articles_count) - timedelta(minutes=1)
                slug = f"bench-article-{n}"
                pages.append(
                    Page(
                        title=f"Bench article {n}: prices, rates and the harbour",
                        draft_title=f"Bench article {n}",
                        slug=slug,
                        content_type=content_type,
                        path=Page._get_path(leaf.path, leaf.depth + 1, per_leaf[leaf.pk]),
                        depth=leaf.depth + 1,
                        numchild=0,
                        url_path=f"{leaf.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=date,
                        last_published_at=date,
                        locale=locale,
                        translation_key=uuid.uuid4(),
                    )
                )
                details.append(
                    ArticlePage(
                        standfirst=f"Standfirst of bench article {n}.",
                        date=date,
                        lead_image=images[n % len(images)] if n % 5 else None,
                        lead_image_caption="A caption" if n % 5 else "",
                        body=body,
                    )
                )
            Page.objects.bulk_create(pages)
            rows = []
            for page, article in zip(pages, details, strict=True):
                rows.append(
                    [page.pk]
                    + [
                        field.get_db_prep_save(getattr(article, field.attname), connection)
                        for field in local_fields
                    ]
                )
            with connection.cursor() as cursor:
                cursor.executemany(insert, rows)
            ArticleAuthor.objects.bulk_create(
                [
                    ArticleAuthor(page_id=page.pk, author=rng.choice(authors), sort_order=0)
                    for page in pages
                ]
            )
            ArticleTag.objects.bulk_create(
                [
                    ArticleTag(content_object_id=page.pk, tag=tag)
                    for page in pages
                    for tag in rng.sample(tags, 2)
                ]
            )
        made += size
    for leaf in leaves:
        Page.objects.filter(pk=leaf.pk).update(numchild=per_leaf[leaf.pk])
    # What autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would soon do on a real site:
    # give the planner statistics for the tables just filled.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return home


def measure(client, path, repeat=3):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # renditions, caches
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    client.get(path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    count = len(queries)
    reset_queries()
    return min(times), peak, len(response.content), count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the SQLite corpus in DIR, and reuse it when DIR already holds one",
    )
    args = parser.parse_args()

    reuse = bool(args.keep) and (Path(args.keep) / "masthead.sqlite3").exists()
    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="masthead-bench-syndication-"))
    try:
        setup(data_dir)
        from django.db import connection
        from django.test import Client, RequestFactory
        from django.utils import timezone

        from masthead.core.models import SiteSettings
        from masthead.syndication.scopes import SiteContext
        from masthead.syndication.sitemaps import ARTICLES_PER_SITEMAP, article_months

        if reuse:
            from masthead.sections.models import HomePage

            home = HomePage.objects.get()
            print(f"reusing the corpus in {data_dir} ({connection.vendor})")
        else:
            start = time.perf_counter()
            home = build_paper(args.articles)
            built = time.perf_counter() - start
            print(
                f"{args.articles} articles written in {built:.1f} s "
                f"({connection.vendor}, {ARTICLES_PER_SITEMAP} URLs per sitemap page)",
                flush=True,
            )

        client = Client(HTTP_HOST="localhost")
        here = SiteContext(RequestFactory().get("/", HTTP_HOST="localhost"))
        months = list(article_months(here))
        biggest = max(months, key=lambda row: row["count"])
        month = f"/sitemaps/articles-{biggest['month']:%Y-%m}.xml"
        last_page = -(-biggest["count"] // ARTICLES_PER_SITEMAP)
        paths = [
            "/sitemap.xml",
            month,
            f"{month}?page={last_page}" if last_page > 1 else month,
            "/sitemaps/news.xml",
            "/sitemaps/sections.xml",
            "/sitemaps/tags.xml",
            "/sitemaps/authors.xml",
            "/feeds/rss/",
            "/feeds/atom/",
            "/feeds/json/",
            "/feeds/sections/economics/rss/",
            "/feeds/tags/topic-7/rss/",
            "/feeds/authors/writer-3/json/",
        ]
        print(f"largest month: {biggest['count']} articles; {len(months)} months")
        print(f"{'address':44} {'time':>9} {'peak mem':>10} {'size':>10} {'queries':>8}")
        for path in paths:
            seconds, peak, size, queries = measure(client, path)
            print(
                f"{path:44} {seconds * 1000:7.1f} ms {peak / 2**20:7.2f} MiB "
                f"{size / 1024:7.1f} KiB {queries:8d}",
                flush=True,
            )
        site_settings = SiteSettings.for_site(home.get_site())
        site_settings.feed_full_text = True
        site_settings.save()
        try:
            for path in ["/feeds/rss/", "/feeds/json/"]:
                seconds, peak, size, queries = measure(client, path)
                label = path + " (full text)"
                print(
                    f"{label:44} {seconds * 1000:7.1f} ms {peak / 2**20:7.2f} MiB "
                    f"{size / 1024:7.1f} KiB {queries:8d}"
                )
        finally:  # a kept corpus starts the next run as it started this one
            site_settings.feed_full_text = False
            site_settings.save()
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS (including building the corpus): {peak_rss:.0f} MiB")
        print(f"finished {timezone.now():%Y-%m-%d %H:%M} UTC")
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
