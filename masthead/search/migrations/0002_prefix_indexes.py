"""On SQLite, give the FTS5 table prefix indexes for two and three characters.

Live search asks for prefixes as the reader types ("el", "ele"...); without a prefix index,
FTS5 merges the lists of every word that starts with them, which on a large paper takes
hundreds of milliseconds for two letters. See migration 0001 for the porter tokenizer.
"""

from django.db import migrations

TABLE = "wagtailsearch_indexentry_fts"
SOURCE = "wagtailsearch_indexentry"
TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"


def rebuild(options):
    def operation(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE {TABLE} USING fts5(autocomplete, body, title, {options})"
            )
            cursor.execute(
                f"INSERT INTO {TABLE}(rowid, autocomplete, body, title) "
                f"SELECT id, autocomplete, body, title FROM {SOURCE}"
            )

    return operation


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0001_porter_stemming")]

    operations = [
        migrations.RunPython(
            rebuild(f"{TOKENIZE}, prefix = '2 3'"), rebuild(TOKENIZE), elidable=False
        )
    ]
