from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.core import backup


class Command(BaseCommand):
    help = (
        "Copy the database (SQLite's online backup, or pg_dump) and MEDIA_ROOT into one archive "
        "with a manifest, while the site runs. `masthead restore ARCHIVE` brings it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive",
            nargs="?",
            help="Where to write the archive (default: backups/masthead-DATE-TIME.tar in the "
            "data folder). It appears there only once complete.",
        )

    def handle(self, *, archive, verbosity, **options):
        if archive is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            archive = Path(settings.DATA_DIR) / "backups" / f"masthead-{stamp}.tar"

        def progress(message):
            if verbosity:
                self.stdout.write(message)

        manifest = backup.create(archive, progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {manifest['database']['vendor']} database "
                f"({backup.human(manifest['database']['bytes'])}) and "
                f"{manifest['media']['files']} media files "
                f"({backup.human(manifest['media']['bytes'])}) to {archive}"
            )
        )
