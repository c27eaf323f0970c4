from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from masthead.newsletter import fragments
from masthead.newsletter.admin_views import NewsletterListViewSet, SubscriberViewSet


# Subscribing (issue 12): the article's sign-up form, lists and subscribers in the admin.
@hooks.register("article_slots")
def article_slots(request, article):
    return fragments.article_slots(request, article)


class NewsletterGroup(ViewSetGroup):
    menu_label = "Newsletter"
    menu_icon = "mail"
    menu_order = 230
    items = (NewsletterListViewSet, SubscriberViewSet)


@hooks.register("register_admin_viewset")
def register_newsletter_viewsets():
    return NewsletterGroup()
