"""Wagtail's database search backend, with what a newspaper needs on top. The one place for it.

Set as ``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]``; it picks SQLite FTS5 or PostgreSQL full
text as Wagtail's own ``wagtail.search.backends.database`` does, and changes these things:

- Ties in relevance go to the queryset's own ordering (``-date`` for articles: recent articles
  win ties) instead of the primary key. Wagtail's "title_norm" factor is left out of the rank:
  it is only computed for entries as they are added, so two identical articles indexed a day
  apart would not tie.
- On SQLite, a match in the title weighs more than one in the body (Wagtail's SQLite backend
  ranks every column alike; PostgreSQL already weighs the title through its ``boost``).
- On SQLite, the last word typed in live search also matches its shorter forms. Word forms
  match because the FTS5 table uses the porter tokenizer (migration 0001), which stores stems:
  "election" is stored as "elect", so the half-typed "electi" would otherwise find nothing
  until the word is complete.
- On SQLite, one query joins the full-text matches to the filtered pages (see ``search``).
- Unranked searches for a few results in the queryset's order (live search: the five newest
  articles) do not fetch every match when a short prefix matches most of the paper: they walk
  the articles newest first and stop at the fifth that matches (see ``newest``).

Anything else (OpenSearch, Elasticsearch) is configured in settings and needs none of this.
"""

from django.db import connection, connections
from django.db.models import Case, FloatField, Func, Value, When
from modelsearch.backends import database
from modelsearch.query import PlainText

TITLE_WEIGHT = 10.0  # SQLite: a headline word counts as much as ten body words
SHORTEST_STEM = 3  # SQLite: how short the truncated last word of live search may get
LONGEST_SUFFIX = 4  # SQLite: the most letters porter takes off a word ("ation" → "ate" etc.)
PREFIX_INDEXES = (2, 3)  # SQLite: the prefix lengths FTS5 indexes (migration 0002)
# Unranked searches for a few results (live search: the newest five) walk the articles newest
# first instead of joining every match: on SQLite when they have at least this many matches,
# on PostgreSQL among the newest articles (see ``newest`` of each).
DENSE_MATCHES = 200  # SQLite
NEWEST_WINDOW = 1000  # PostgreSQL: how many of the newest articles it tests one by one
NEWEST_MAX_STOP = 50  # ...when they ask for no more than this many results


def wants_newest(compiler, start, stop):
    """Whether a search asks for a few results in the queryset's own order, unranked."""
    return (
        not compiler.order_by_relevance
        and bool(compiler.queryset.query.order_by)
        and stop is not None
        and stop - start <= NEWEST_MAX_STOP
    )


def with_tiebreak(queryset, rank, ordering):
    """Order by rank, then by the queryset's own ordering; the primary key last."""
    return queryset.order_by(rank, *ordering, "-pk")


def SearchBackend(params):  # noqa: N802  (modelsearch looks this name up in the module)
    if connection.vendor == "postgresql":
        return PostgresBackend(params)
    if connection.vendor == "sqlite":
        backend = database.SearchBackend(params)
        if isinstance(backend, SQLiteBackendBase):
            return SQLiteBackend(params)
        return backend  # SQLite without FTS5: Wagtail's fallback
    return database.SearchBackend(params)


INTEGER_KEYS = ("AutoField", "BigAutoField", "IntegerField", "OneToOneField")

if connection.vendor == "postgresql":
    from modelsearch.backends.database.postgres import postgres
    from modelsearch.query import Fuzzy, MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    class PostgresTiebreakMixin:
        def get_index_vectors(self, search_query):
            vectors = super().get_index_vectors(search_query)
            return [(vector, 1.0) for vector, _title_norm in vectors]

        def _apply_ordering_and_scoring(self, queryset, rank, start, stop, score_field=None):
            ordering = self.queryset.query.order_by
            if not (self.order_by_relevance and ordering):
                return super()._apply_ordering_and_scoring(queryset, rank, start, stop, score_field)
            queryset = with_tiebreak(queryset, rank.desc(), ordering)
            if score_field is not None:
                queryset = queryset.annotate(**{score_field: rank})
            return queryset[start:stop]

        def tsquery(self, config):
            compiler = self.queryset.query.get_compiler(using=self.queryset.db)
            return self.build_tsquery(self.query, config=config).as_sql(
                compiler, compiler.connection
            )

        def newest(self, query_sql, query_params, content_types, start, stop):
            """The matches start:stop in the queryset's own order (newest first), unranked,
            looked for among the newest NEWEST_WINDOW articles first.

            Fetching every match from the GIN index to sort them by date costs tens of
            milliseconds when a two-letter prefix matches most articles, and estimating
            their number from the index costs as much. Instead PostgreSQL walks the newest
            articles by date, tests each one's index entry, and stops at the `stop`-th. None
            (``search`` then joins and sorts the matches: a rare prefix has few) when the
            window holds fewer, or the ordering does not start with a descending field.
            """
            ordering = self.queryset.query.order_by
            first = ordering[0] if ordering else None
            if not (isinstance(first, str) and first.startswith("-")):
                return None
            edge = self.queryset.order_by(*ordering).values_list(first[1:], flat=True)
            edge = list(edge[NEWEST_WINDOW - 1 : NEWEST_WINDOW])
            if not edge:
                return None  # a small paper: joining its matches is cheap
            entries = postgres.IndexEntry._meta.db_table
            vector = " || ".join(f"{entries}.{column}" for column in self.INDEX_COLUMNS)
            model = self.queryset.model
            window = (
                self.queryset.filter(**{f"{first[1:]}__gte": edge[0]})
                .extra(
                    # A scalar subquery, tested row by row: as EXISTS, PostgreSQL would
                    # rather fetch every match from the GIN index to join them.
                    where=[
                        f"(SELECT ({vector}) @@ {query_sql} FROM {entries} WHERE"
                        f" {entries}.content_type_id IN"
                        f" ({', '.join(['%s'] * len(content_types))}) AND {entries}.object_id"
                        f" = CAST({model._meta.db_table}.{model._meta.pk.column} AS TEXT)"
                        " LIMIT 1)"
                    ],
                    params=[*query_params, *content_types],
                )
                .order_by(*ordering)[start:stop]
            )
            return window if len(window) == stop - start else None  # evaluated: no new query

        def joinable(self):
            model = self.queryset.model
            return not (
                isinstance(self.query, (MatchAll, Not, Fuzzy))
                or self.fields is not None
                or model._meta.pk.get_internal_type() not in INTEGER_KEYS
            )

        def ranked_ids(self, config):
            """Every match's primary key in order, fetched once: the count and any page of
            results come from this list instead of a second pass over the matches (each pass
            reads every match's index entry; 100 ms or more for a word in 20,000 articles)."""
            if not hasattr(self, "_ranked_ids"):
                self._ranked_ids = None
                if self.joinable():
                    queryset = self.joined(config, 0, None)
                    self._ranked_ids = list(queryset.values_list("pk", flat=True))
            return self._ranked_ids

        def search(self, config, start, stop, score_field=None, backend=None):
            if score_field is None and not wants_newest(self, start, stop):
                ids = self.ranked_ids(config)
                if ids is not None:
                    ids = ids[start:stop]
                    position = Case(
                        *(When(pk=pk, then=n) for n, pk in enumerate(ids)), default=len(ids)
                    )
                    return self.queryset.filter(pk__in=ids).order_by(position)
            if not self.joinable():
                return super().search(config, start, stop, score_field, backend)
            return self.joined(config, start, stop, score_field)

        def joined(self, config, start, stop, score_field=None):
            """Join the index entries to the queryset by integer key, from the matches.

            Wagtail joins them on `object_id = CAST(pk AS text)`, which no index serves from
            the entry's side: PostgreSQL reads every article to hash them (150 ms on 50,000
            articles whatever the query). Casting the entry's object_id instead lets it start
            from the GIN index and look each article up by primary key.
            """
            model = self.queryset.model
            query_sql, query_params = self.tsquery(config)
            entries = postgres.IndexEntry._meta.db_table
            columns = [f"{entries}.{column}" for column in self.INDEX_COLUMNS]
            content_types = get_descendants_content_types_pks(model)
            if wants_newest(self, start, stop) and score_field is None:
                queryset = self.newest(query_sql, query_params, content_types, start, stop)
                if queryset is not None:
                    return queryset
            ranked = self.order_by_relevance or score_field is not None
            score_field = score_field or "_score"
            queryset = self.queryset.extra(
                select={
                    score_field: " + ".join(
                        f"ts_rank(%s::real[], {column}, {query_sql})" for column in columns
                    )
                }
                if ranked
                else {},
                select_params=[
                    param for _ in columns for param in (self.sql_weights, *query_params)
                ]
                if ranked
                else [],
                tables=[entries],
                where=[
                    f"({' || '.join(columns)}) @@ {query_sql}",  # as indexed (migration 0003)
                    f"{entries}.content_type_id IN ({', '.join(['%s'] * len(content_types))})",
                    f"{model._meta.db_table}.{model._meta.pk.column}"
                    f" = CAST({entries}.object_id AS INTEGER)",
                ],
                params=[*query_params, *content_types],
            )
            ordering = self.queryset.query.order_by
            if self.order_by_relevance:
                queryset = with_tiebreak(queryset, f"-{score_field}", ordering)
            elif not ordering:
                queryset = queryset.order_by("-pk")
            return queryset[start:stop]

    class PostgresQueryCompiler(PostgresTiebreakMixin, postgres.PostgresSearchQueryCompiler):
        INDEX_COLUMNS = ("title", "body")

    class PostgresAutocompleteCompiler(
        PostgresTiebreakMixin, postgres.PostgresAutocompleteQueryCompiler
    ):
        INDEX_COLUMNS = ("autocomplete",)

    class PostgresResults(postgres.PostgresSearchResults):
        def _do_count(self):
            ids = self.query_compiler.ranked_ids(self.query_compiler.get_config(self.backend))
            if ids is None:
                return super()._do_count()
            return len(ids[self.start : self.stop])

    class PostgresBackend(postgres.PostgresSearchBackend):
        query_compiler_class = PostgresQueryCompiler
        autocomplete_query_compiler_class = PostgresAutocompleteCompiler
        results_class = PostgresResults


if connection.vendor == "sqlite":
    from modelsearch.backends.database.sqlite import query as sqlite_query
    from modelsearch.backends.database.sqlite import sqlite
    from modelsearch.backends.database.sqlite.utils import fts5_available
    from modelsearch.query import MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    FTS_TABLE = sqlite_query.SQLiteFTSIndexEntry._meta.db_table

    SQLiteBackendBase = sqlite.SQLiteSearchBackend if fts5_available() else type(None)

    class WeightedBM25(Func):
        """bm25() with a weight per column of the FTS5 table: (autocomplete, body, title)."""

        output_field = FloatField()

        def as_sql(self, compiler, connection, **extra):
            return f"bm25({FTS_TABLE}, 1.0, 1.0, {TITLE_WEIGHT})", []

    class SQLiteTiebreakMixin:
        def get_search_vectors(self):
            vector, _title_norm = self.get_index_vectors()[0]
            return [(vector, 1.0)]  # one weighted bm25() over the columns, no title_norm

        def build_tsrank(self, vector, query, config=None, boost=1.0):
            rank = super().build_tsrank(vector, query, config=config, boost=boost)
            if isinstance(rank, sqlite_query.BM25):
                return WeightedBM25()
            return rank

        def match(self, config):
            """The FTS5 MATCH condition with its parameters and the model's content types;
            None where a joined query does not apply (a query that matches everything or
            nothing, a model without integer keys)."""
            query = sqlite_query.normalize(self.query)
            model = self.queryset.model
            if (
                isinstance(query, (MatchAll, Not))
                or model._meta.pk.get_internal_type() not in INTEGER_KEYS
            ):
                return None
            match = sqlite_query.MatchExpression(
                self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config)
            )
            compiler = self.queryset.query.get_compiler(using=self.queryset.db)
            match_sql, match_params = match.as_sql(compiler, compiler.connection)
            return match_sql, match_params, get_descendants_content_types_pks(model)

        def ranked(self, config, score_field="_score"):
            """The queryset ordered by rank, in one query that joins the FTS5 matches to it.

            Wagtail's SQLite backend filters with `pk IN (matches)` and ranks each row through
            a correlated subquery that runs the full-text query again per row: seconds on a
            paper of 50,000 articles. Here the FTS5 table is joined once, so SQLite starts
            from the matches and looks each page up by primary key. None where this does not
            apply (see ``match``). Unranked (in the queryset's order) without relevance.
            """
            match = self.match(config)
            if match is None:
                return None
            match_sql, match_params, content_types = match
            model = self.queryset.model
            entry = sqlite_query.SQLiteFTSIndexEntry._meta.get_field("index_entry")
            entries, fts = entry.related_model._meta.db_table, FTS_TABLE
            select = {score_field: f"bm25({fts}, 1.0, 1.0, {TITLE_WEIGHT})"}
            queryset = self.queryset.extra(
                select=select if self.order_by_relevance else {},
                tables=[entries, fts],
                where=[
                    match_sql,
                    f"{fts}.rowid = {entries}.id",
                    # The unary + keeps SQLite from starting at this column's index and
                    # running the full-text query once per row: it starts from the matches.
                    f"+{entries}.content_type_id IN ({', '.join(['%s'] * len(content_types))})",
                    f"{model._meta.db_table}.{model._meta.pk.column}"
                    f" = CAST({entries}.object_id AS INTEGER)",
                ],
                params=[*match_params, *content_types],
            )
            ordering = self.queryset.query.order_by
            if self.order_by_relevance:  # bm25: lower is better
                return with_tiebreak(queryset, score_field, ordering)
            return queryset if ordering else queryset.order_by("-pk")

        def cheap_probe(self):
            """Whether FTS5 can tell cheaply if one given row matches: true unless the query
            has a prefix longer than the prefix indexes (migration 0002), which FTS5 expands
            into every word that starts with it again for each row it is asked about."""
            return True

        def newest(self, config, start, stop):
            """The matches start:stop in the queryset's own order (newest first), unranked.

            Few matches (under DENSE_MATCHES): joined and sorted, as in ``ranked``. Many (a
            two-letter prefix matches most articles): joining them all costs hundreds of
            milliseconds, so SQLite walks the articles newest first instead and stops at the
            `stop`-th that matches, asking FTS5 about each (``cheap_probe``) or, for a long
            prefix, about the set of matching rows read once.
            """
            match = self.match(config)
            if match is None:
                return None
            match_sql, match_params, content_types = match
            fts = FTS_TABLE
            with connections[self.queryset.db].cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM (SELECT 1 FROM {fts} WHERE {match_sql} LIMIT %s)",
                    [*match_params, DENSE_MATCHES],
                )
                (count,) = cursor.fetchone()
            if count < DENSE_MATCHES:
                return self.ranked(config)[start:stop]
            model = self.queryset.model
            entries = sqlite_query.SQLiteFTSIndexEntry._meta.get_field(
                "index_entry"
            ).related_model._meta.db_table
            if self.cheap_probe():
                matches = (
                    f"EXISTS (SELECT 1 FROM {fts} WHERE {match_sql} AND {fts}.rowid = {entries}.id)"
                )
            else:
                matches = f"{entries}.id IN (SELECT rowid FROM {fts} WHERE {match_sql})"
            return self.queryset.extra(
                where=[
                    f"EXISTS (SELECT 1 FROM {entries} WHERE {entries}.content_type_id IN"
                    f" ({', '.join(['%s'] * len(content_types))}) AND {entries}.object_id"
                    f" = CAST({model._meta.db_table}.{model._meta.pk.column} AS TEXT)"
                    f" AND {matches})"
                ],
                params=[*content_types, *match_params],
            )[start:stop]

        def ranked_ids(self, config):
            """Every match's primary key in order, fetched once: the count and any page of
            results come from this list instead of a second pass over the matches."""
            if not hasattr(self, "_ranked_ids"):
                queryset = self.ranked(config)
                self._ranked_ids = (
                    None if queryset is None else list(queryset.values_list("pk", flat=True))
                )
            return self._ranked_ids

        def search(self, config, start, stop, score_field=None):
            if wants_newest(self, start, stop) and not hasattr(self, "_ranked_ids"):
                queryset = self.newest(config, start, stop)
                if queryset is not None:
                    return queryset
            if score_field is not None:
                queryset = self.ranked(config, score_field)
                if queryset is None:
                    return super().search(config, start, stop, score_field=score_field)
                return queryset[start:stop]
            ids = self.ranked_ids(config)
            if ids is None:
                return super().search(config, start, stop)
            # The page's rows are fetched whole only now: sorting every match with its body
            # would cost ten times more than sorting the (pk, rank) pairs.
            ids = ids[start:stop]
            position = Case(*(When(pk=pk, then=n) for n, pk in enumerate(ids)), default=len(ids))
            return self.queryset.filter(pk__in=ids).order_by(position)

    class SQLiteQueryCompiler(SQLiteTiebreakMixin, sqlite.SQLiteSearchQueryCompiler):
        pass

    def fts_string(word):
        return '"' + word.replace('"', '""') + '"'

    class SQLiteAutocompleteCompiler(SQLiteTiebreakMixin, sqlite.SQLiteAutocompleteQueryCompiler):
        def cheap_probe(self):
            words = self.query.query_string.split() if isinstance(self.query, PlainText) else []
            return not words or len(words[-1]) <= max(PREFIX_INDEXES)

        def build_search_query_content(self, query, config=None):
            if not isinstance(query, PlainText):
                return super().build_search_query_content(query, config=config)
            words = query.query_string.split()
            if not words:
                return None
            last = words.pop()
            shortest = max(SHORTEST_STEM, len(last) - LONGEST_SUFFIX)
            forms = [fts_string(last) + "*"] + [
                fts_string(last[:length]) for length in range(len(last) - 1, shortest - 1, -1)
            ]
            match = " AND ".join(["(" + " OR ".join(forms) + ")", *map(fts_string, words)])
            return sqlite_query.SearchQueryExpression(Value(match), config=config)

    class SQLiteResults(sqlite.SQLiteSearchResults):
        def _do_count(self):
            ids = self.query_compiler.ranked_ids(self.query_compiler.get_config(self.backend))
            if ids is None:
                return super()._do_count()
            return len(ids[self.start : self.stop])

    class SQLiteBackend(sqlite.SQLiteSearchBackend):
        query_compiler_class = SQLiteQueryCompiler
        autocomplete_query_compiler_class = SQLiteAutocompleteCompiler
        results_class = SQLiteResults

else:
    SQLiteBackendBase = type(None)
