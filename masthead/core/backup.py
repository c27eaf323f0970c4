"""`masthead backup` and `masthead restore`: the database and the uploaded media in one archive.

An archive is a tar file holding `manifest.json`, the database (`database.sqlite3`, a copy made
with SQLite's online backup API; or `database.pgdump`, `pg_dump`'s custom format) and `media/`,
the files of MEDIA_ROOT. The database is copied first, in one consistent snapshot, while the
site runs; media are copied after it, so every file the copy names is there (files uploaded
meanwhile come along too, unused). The archive is written under a temporary name and renamed
once complete: there is never half an archive under the name asked for.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from masthead.core.storage import PARTIAL_PREFIX

FORMAT = 1
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def vendor():
    if connection.vendor not in DUMP_NAMES:
        raise CommandError(f"Backups know SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def human(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def postgres_command(program):
    """pg_dump or pg_restore, with the connection's settings as options and environment."""
    db = connection.settings_dict
    found = shutil.which(program)
    if found is None:
        raise CommandError(f"{program} is not installed (apt-get install postgresql-client).")
    args = [found, "--no-password"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env, db["NAME"]


def run(args, env, what):
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise CommandError(f"{what} failed:\n{result.stderr.strip()}")


def dump_database(target, progress):
    """Copy the database into the file `target`, consistently, while the site writes to it."""
    if vendor() == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # In one step: a backup made in steps starts again whenever the site writes
            # between two of them, and might never end on a busy site. In WAL mode the copy
            # holds only a read snapshot, so the site goes on writing meanwhile.
            connection.connection.backup(destination, pages=-1)
        finally:
            destination.close()
        progress(f"  database: {human(Path(target).stat().st_size)}")
    else:
        args, env, name = postgres_command("pg_dump")
        run([*args, "--format=custom", f"--file={target}", f"--dbname={name}"], env, "pg_dump")


def media_files(root):
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink() and not path.name.startswith(PARTIAL_PREFIX)
    )


def create(path, progress):
    """Write the archive to `path`; returns its manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = vendor()
    with tempfile.TemporaryDirectory(prefix=".masthead-backup-", dir=path.parent) as work:
        dump = Path(work) / DUMP_NAMES[kind]
        progress(f"Copying the {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} database...")
        dump_database(dump, progress)
        files = media_files(settings.MEDIA_ROOT)
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database": {"vendor": kind, "file": dump.name, "bytes": dump.stat().st_size},
            "media": {
                "files": len(files),
                "bytes": sum(file.stat().st_size for file in files),
            },
        }
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(time.time())
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            progress(f"Copying {len(files)} media files ({human(manifest['media']['bytes'])})...")
            root = Path(settings.MEDIA_ROOT)
            for number, file in enumerate(files, 1):
                try:
                    archive.add(file, arcname=f"media/{file.relative_to(root).as_posix()}")
                except FileNotFoundError:  # deleted while we copied: the database named it not
                    continue
                if number % 100 == 0 or number == len(files):
                    progress(f"  media: {number}/{len(files)} files")
        os.replace(partial, path)
    return manifest


def read_manifest(archive):
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise CommandError("This is not a Masthead backup: it has no manifest.json.")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def has_content():
    """Whether the database has anything in it (applied migrations) or MEDIA_ROOT any file."""
    return "django_migrations" in connection.introspection.table_names() or bool(
        media_files(settings.MEDIA_ROOT)
    )


def restore_database(dump, kind, progress):
    if kind == "sqlite":
        name = connection.settings_dict["NAME"]
        connections.close_all()
        source = sqlite3.connect(dump)
        destination = sqlite3.connect(name)
        try:
            source.backup(destination, pages=-1)
        finally:
            source.close()
            destination.close()
        return name
    args, env, name = postgres_command("pg_restore")
    connections.close_all()
    run(
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    return name


def restore(path, force, progress):
    """Bring back the database and media of the archive at `path`; returns its manifest."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"No backup at {path}.")
    kind = vendor()
    with tarfile.open(path, "r") as archive:
        manifest = read_manifest(archive)
        if manifest["database"]["vendor"] != kind:
            raise CommandError(
                f"This backup holds a {manifest['database']['vendor']} database; this site "
                f"runs on {kind}."
            )
        if not force and has_content():
            raise CommandError(
                "The database or MEDIA_ROOT is not empty: restoring would replace what is "
                "there. Run again with --force to replace it."
            )
        media_root = Path(settings.MEDIA_ROOT)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            prefix=".masthead-restore-", dir=media_root.parent
        ) as work:
            work = Path(work)
            progress(f"Reading the backup of {manifest['created']}...")
            archive.extract(manifest["database"]["file"], work, filter="data")
            new_media = work / "media"
            new_media.mkdir()
            members = [m for m in archive.getmembers() if m.name.startswith("media/")]
            for number, member in enumerate(members, 1):
                archive.extract(member, work, filter="data")
                if number % 100 == 0 or number == len(members):
                    progress(f"  media: {number}/{len(members)} files")
            progress("Restoring the database...")
            restore_database(work / manifest["database"]["file"], kind, progress)
            progress("Restoring the media...")
            replace_folder(media_root, new_media, work / "old-media")
    return manifest


def replace_folder(folder, new, old):
    """Put `new` in the place of `folder`, in one rename where the folder may be renamed; a
    mount point (a volume, a tmpfs) is emptied and filled instead."""
    try:
        if folder.exists():
            os.replace(folder, old)
        os.replace(new, folder)
        return
    except OSError:
        if old.exists() and not folder.exists():
            os.replace(old, folder)
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in new.iterdir():
        shutil.move(str(entry), folder / entry.name)
