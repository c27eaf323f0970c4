import time

from django.core.management.base import BaseCommand, CommandError

from masthead.demo.content import (
    DEFAULT_ARTICLES,
    EDITOR_USERNAME,
    REVISION_LIMIT,
    build_demo,
    demo_exists,
    login_lines,
)
from masthead.demo.newsroom import served_to_world


class Command(BaseCommand):
    help = (
        "Fill the site with the demo newspaper: a home page, the section tree, standard pages, "
        "a dozen authors, pictures and articles, and an editor account "
        f"('{EDITOR_USERNAME}', a superuser with a published password: for trying Masthead, never "
        "for a public site) and one account for each newsroom role. These accounts are refused "
        "when ALLOWED_HOSTS or SITE_URL names a public host; --content-only builds the content "
        "without them. The content is the same on every run, dated relative to today. "
        "Running it again creates only what is missing, so it never duplicates anything: with "
        "--articles N on a database that already has articles, it adds only as many as are "
        "missing to make N (none when there are N or more). "
        f"Articles beyond the first {REVISION_LIMIT} get no revision of their own, which keeps "
        "large runs fast."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=DEFAULT_ARTICLES,
            help=f"How many articles the demo has (default {DEFAULT_ARTICLES}); an existing "
            "demo with fewer gets the missing ones.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the login) when a home page with articles exists.",
        )
        parser.add_argument(
            "--content-only",
            action="store_true",
            help="The demo content without any account (no published password): the one way "
            "to run the demo on a site served to the world.",
        )

    def handle(self, *args, articles, if_empty, content_only, **options):
        if articles < 0:
            raise CommandError("--articles cannot be negative.")
        public = served_to_world()
        if public and not content_only:
            raise CommandError(
                f"This site is served to the world ({', '.join(public)} in ALLOWED_HOSTS or "
                "SITE_URL): the demo's accounts have published passwords, so none is created. "
                "Run `masthead demo --content-only` for the demo content without accounts."
            )
        if if_empty and demo_exists():
            self.stdout.write("The site already has content; the demo was not added.")
        else:
            started = time.monotonic()
            self.stdout.write(f"Building the demo newspaper ({articles:,} articles)...")
            summary = build_demo(
                articles=articles, report=self.stdout.write, accounts=not content_only
            )
            elapsed = time.monotonic() - started
            if summary.anything_created:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Demo ready in {elapsed:.1f} s: {summary.articles_created:,} articles, "
                        f"{summary.pages_created} other pages, {summary.authors_created} authors, "
                        f"{summary.pictures_created} pictures, "
                        f"{summary.listings_created} job listings and "
                        f"{summary.comments_created} comments and "
                        f"{summary.staff_created} newsroom accounts created; "
                        f"{summary.articles_total:,} articles in all."
                    )
                )
            else:
                self.stdout.write(
                    f"The demo content was already there ({summary.articles_total:,} articles); "
                    "nothing was added."
                )
        for line in login_lines():
            self.stdout.write(line)
