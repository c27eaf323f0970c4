"""`masthead update_index`: Wagtail's index rebuild, with a progress bar instead of dots.

Wagtail's command prints one dot per thousand objects with no total, which says little on a
paper of 50,000 articles. This one counts each model's objects first and draws a bar:

    default: articles.ArticlePage      [##########··········]  25,000/50,000  50%
"""

from modelsearch.management.commands.rebuild_modelsearch_index import (
    Command as RebuildCommand,
)

from masthead.caching.store import purge

BAR_WIDTH = 20
LABEL_WIDTH = 35


class Command(RebuildCommand):
    help = "Rebuild the search index from scratch, showing progress for each model."

    def handle(self, **options):
        super().handle(**options)
        purge("articles")  # every search result page and live search answer

    def update_backend(self, backend_name, **kwargs):
        self.backend_name = backend_name
        return super().update_backend(backend_name, **kwargs)

    def queryset_chunks(self, qs, chunk_size=1000):
        label = f"{self.backend_name}: {qs.model._meta.label} "
        self.progress = {"label": label, "total": qs.count(), "done": 0}
        yield from super().queryset_chunks(qs, chunk_size)

    def print_iter_progress(self, iterable):
        last_shown = -1
        for chunk in iterable:
            yield chunk
            progress = self.progress
            progress["done"] += len(chunk)
            percent = 100 * progress["done"] // max(progress["total"], 1)
            if self.stdout.isatty():  # redraw the line
                self.write(
                    f"\r{progress['label']:<{LABEL_WIDTH}}{self.bar(progress, percent)}", ending=""
                )
            elif percent // 10 > last_shown // 10:  # logs: a line every 10%
                indent = "" if last_shown < 0 else " " * LABEL_WIDTH
                self.write(indent + self.bar(progress, percent))
            last_shown = percent
            self.stdout.flush()
        if last_shown < 0:
            self.write("(nothing to index)", ending="")

    def bar(self, progress, percent):
        filled = BAR_WIDTH * percent // 100
        return (
            f"[{'#' * filled}{'·' * (BAR_WIDTH - filled)}] "
            f"{progress['done']:>7,}/{progress['total']:,} {percent:>3}%"
        )
