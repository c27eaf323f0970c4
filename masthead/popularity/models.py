from django.db import models, transaction
from django.db.models import F, Sum
from django.db.utils import IntegrityError
from django.utils import timezone

from masthead.articles.models import ArticlePage

# Most read is counted over this many hours before now.
MOST_READ_HOURS = 24


def this_hour(moment=None):
    return (moment or timezone.now()).replace(minute=0, second=0, microsecond=0)


class ArticleViews(models.Model):
    """How many times an article was read in one hour: nothing about who read it."""

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "article views in an hour"
        verbose_name_plural = "article views per hour"
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="one_count_per_article_hour")
        ]

    def __str__(self):
        return f"{self.article_id} at {self.hour:%Y-%m-%d %H}:00: {self.count}"


def count_view(article_id, moment=None):
    """Add one to the article's count of this hour (the row is made by the first view)."""
    hour = this_hour(moment)
    rows = ArticleViews.objects.filter(article_id=article_id, hour=hour)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ArticleViews.objects.create(article_id=article_id, hour=hour, count=1)
    except IntegrityError:  # another view of the same hour made the row meanwhile
        rows.update(count=F("count") + 1)


def most_read(count, within=None, hours=MOST_READ_HOURS):
    """[(article id, views)] of the published articles read most in the last hours, most first;
    `within` a section page: its articles only."""
    since = this_hour() - timezone.timedelta(hours=hours - 1)
    articles = ArticlePage.objects.published()
    if within is not None:
        articles = articles.filter(path__startswith=within.path)
    return list(
        ArticleViews.objects.filter(hour__gte=since, article__in=articles.values("pk"))
        .values("article_id")
        .annotate(views=Sum("count"))
        .order_by("-views", "-article_id")
        .values_list("article_id", "views")[:count]
    )
