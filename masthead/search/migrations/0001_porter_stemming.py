"""On SQLite, rebuild Wagtail's FTS5 table with the porter tokenizer, so that word forms match.

Wagtail creates `wagtailsearch_indexentry_fts` with FTS5's default tokenizer, which does not
stem: "tariffs" would not find "tariff". The porter tokenizer stems both what is indexed and
what is searched for. PostgreSQL stems through its text search configuration instead
(SEARCH_CONFIG in WAGTAILSEARCH_BACKENDS), so there this migration does nothing.
"""

from django.db import migrations

TABLE = "wagtailsearch_indexentry_fts"
SOURCE = "wagtailsearch_indexentry"


def rebuild(tokenize):
    def operation(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
            return
        options = f", tokenize = '{tokenize}'" if tokenize else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE {TABLE} USING fts5(autocomplete, body, title{options})"
            )
            cursor.execute(
                f"INSERT INTO {TABLE}(rowid, autocomplete, body, title) "
                f"SELECT id, autocomplete, body, title FROM {SOURCE}"
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [("wagtailsearch", "0010_add_text_fields")]

    operations = [
        migrations.RunPython(
            rebuild("porter unicode61 remove_diacritics 2"), rebuild(None), elidable=False
        )
    ]
