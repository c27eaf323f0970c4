from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand

from masthead.core import backup


class Command(BaseCommand):
    help = (
        "Bring back the database and MEDIA_ROOT from an archive made by `masthead backup`. "
        "Refuses to replace a database or media that are not empty unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive `masthead backup` wrote.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database and MEDIA_ROOT even though they hold content.",
        )

    def handle(self, *, archive, force, verbosity, **options):
        def progress(message):
            if verbosity:
                self.stdout.write(message)

        manifest = backup.restore(archive, force, progress)
        # Pages kept from the content that is gone: without their purge times, every process
        # counts them as purged. A Redis cache forgets only what is under the site's prefix.
        for alias in {settings.PAGE_CACHE_ALIAS, settings.PAGE_CACHE_PURGES_ALIAS}:
            store = caches[alias]
            getattr(store, "forget_everything", store.clear)()
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created']}: the database and "
                f"{manifest['media']['files']} media files. Restart Varnish if it runs, so that it "
                "serves nothing of what was there before."
            )
        )
