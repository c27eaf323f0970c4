"""Subscribing to the newsletters (issue 12): double opt-in through a real SMTP server, the links
of the received e-mails followed, the forms in cached pages, bad input, the admin, and a
reader's data."""

import io
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from masthead.accounts.data import delete_account, export_data
from masthead.newsletter import links
from masthead.newsletter.models import NewsletterList, Subscriber, SubscriberImport, Subscription

pytestmark = pytest.mark.django_db

User = get_user_model()
LINK = re.compile(r"http://testserver(/newsletter/[a-z]+/[^/\s]+/)")
_capture = {}


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, settings):
    _capture["on_commit"] = django_capture_on_commit_callbacks
    settings.SITE_URL = "http://testserver"


def committed():
    """What waits for the commit (the e-mail tasks) runs at the end of this block."""
    return _capture["on_commit"](execute=True)


@pytest.fixture
def lists(db):
    return [
        NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing", position=0),
        NewsletterList.objects.create(name="Breaking News", slug="breaking-news", position=1),
    ]


def browser():
    return Client(enforce_csrf_checks=True)


def sign_up(client, email, chosen, **extra):
    data = {"email": email, "lists": [str(n.pk) for n in chosen], "homepage": ""}
    with committed():
        return client.post("/newsletter/subscribe/", data, **extra)


def links_in(message):
    return LINK.findall(message.get_content())


def test_one_confirmation_for_two_lists_then_a_welcome_per_list(smtp_server, lists):
    response = sign_up(browser(), "ana@example.org", lists)
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    assert len(smtp_server.messages) == 1
    confirmation = smtp_server.messages[0]
    assert confirmation["To"] == "ana@example.org"
    assert "List-Unsubscribe" not in confirmation
    text = confirmation.get_content()
    assert "Daily Briefing" in text and "Breaking News" in text
    assert Subscription.objects.filter(confirmed_at=None).count() == 2
    (confirm_path,) = links_in(confirmation)
    assert confirm_path.startswith("/newsletter/confirm/")

    client = browser()
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"Confirm my subscription" in page.content
    assert "no-store" in page["Cache-Control"]
    assert len(smtp_server.messages) == 1  # opening the link confirms nothing
    with committed():
        done = client.post(confirm_path)
    assert done.status_code == 200
    assert b"you are subscribed to Daily Briefing, Breaking News" in done.content
    welcomes = smtp_server.messages[1:]
    assert sorted(m["Subject"] for m in welcomes) == [
        "Welcome to Breaking News",
        "Welcome to Daily Briefing",
    ]
    for welcome in welcomes:
        assert (
            str(welcome["List-Unsubscribe"])
            .strip()
            .startswith("<http://testserver/newsletter/unsubscribe/")
        )
        assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    subscriber = Subscriber.objects.get(email="ana@example.org")
    assert subscriber.confirmed_at is not None
    assert set(Subscriber.objects.receiving(lists[0])) == {subscriber}
    assert set(Subscriber.objects.receiving(lists[1])) == {subscriber}

    with committed():
        again = client.post(confirm_path)  # the second click of a double click
    assert again.status_code == 200
    assert b"already confirmed" in again.content
    assert len(smtp_server.messages) == 3
    with committed():
        assert client.get(confirm_path).status_code == 200
    assert len(smtp_server.messages) == 3


def test_signing_up_an_address_already_subscribed_sends_nothing_and_answers_the_same(
    smtp_server, lists
):
    first = sign_up(browser(), "ben@example.org", lists[:1])
    (confirm_path,) = links_in(smtp_server.messages[0])
    with committed():
        assert browser().post(confirm_path).status_code == 200
    sent = len(smtp_server.messages)
    again = sign_up(browser(), "ben@example.org", lists[:1])
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert len(smtp_server.messages) == sent
    new = sign_up(browser(), "someone-new@example.org", lists[:1])
    assert (new.status_code, new["Location"]) == (first.status_code, first["Location"])
    assert len(smtp_server.messages) == sent + 1


def test_the_welcome_mails_links_unsubscribe_in_one_click_and_change_preferences(
    smtp_server, lists
):
    sign_up(browser(), "cleo@example.org", lists)
    (confirm_path,) = links_in(smtp_server.messages[0])
    with committed():
        browser().post(confirm_path)
    welcome = next(m for m in smtp_server.messages if m["Subject"] == "Welcome to Daily Briefing")
    preferences_path, unsubscribe_path = links_in(welcome)
    header = str(welcome["List-Unsubscribe"]).strip().strip("<>").removeprefix("http://testserver")
    assert header == unsubscribe_path

    # A mail client's one click: a POST without cookie nor CSRF token (RFC 8058).
    asks = browser().get(unsubscribe_path)
    assert asks.status_code == 200 and b"Stop receiving Daily Briefing?" in asks.content
    one_click = browser().post(
        unsubscribe_path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert b"unsubscribed from Daily Briefing" in one_click.content
    subscriber = Subscriber.objects.get(email="cleo@example.org")
    assert not Subscriber.objects.receiving(lists[0]).exists()
    assert Subscriber.objects.receiving(lists[1]).get() == subscriber
    assert browser().post(unsubscribe_path).status_code == 200  # twice is once

    client = browser()
    page = client.get(preferences_path)
    assert page.status_code == 200
    assert b"cleo@example.org" in page.content
    with committed():
        saved = client.post(preferences_path, {"lists": [str(lists[0].pk)]})
    assert saved.status_code == 200 and b"Your choice is saved." in saved.content
    assert Subscriber.objects.receiving(lists[0]).get() == subscriber
    assert not Subscriber.objects.receiving(lists[1]).exists()
    assert smtp_server.messages[-1]["Subject"] == "Welcome to Daily Briefing"
    left = client.post(preferences_path, {"leave": "1"})
    assert left.status_code == 200 and b"left all our newsletters" in left.content
    assert not Subscription.objects.filter(unsubscribed_at=None).exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your e-mail address."),
        ("not-an-address", "not an e-mail address we can send to"),
        ("ana@", "not an e-mail address we can send to"),
        ("a" * 10_000 + "@example.org", "at most 254 characters"),
        ("ana@example.org\nBcc: all@example.net", "Please write this on one line."),
        ("ana@example.org\r\nBcc: all@example.net", "Please write this on one line."),
        ("<script>alert(1)</script>@example.org", "not an e-mail address we can send to"),
        ("x'; DROP TABLE newsletter_subscriber; --@example.org", "not an e-mail address"),
    ],
)
def test_bad_addresses_get_a_clear_message_and_nothing_is_sent(smtp_server, lists, email, message):
    response = sign_up(browser(), email, lists[:1])
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"<script>alert" not in response.content
    assert "no-store" in response["Cache-Control"]
    assert not Subscriber.objects.exists()
    assert smtp_server.messages == []


def test_an_internationalised_domain_is_accepted_and_kept_in_ascii(smtp_server, lists):
    response = sign_up(browser(), "  Ana@Bücher.Example ", lists[:1])
    assert response.status_code == 302
    assert Subscriber.objects.get().email == "Ana@xn--bcher-kva.example"
    assert sign_up(browser(), "Ana@xn--bcher-kva.example", lists[:1]).status_code == 302
    assert Subscriber.objects.count() == 1
    assert smtp_server.messages[0]["To"] == "Ana@xn--bcher-kva.example"


def test_lists_gone_or_malformed_or_none_get_a_clear_message(smtp_server, lists):
    gone = NewsletterList.objects.create(name="Weekend", slug="weekend")
    gone_id = gone.pk
    gone.delete()
    for chosen, message in [
        ([str(gone_id)], "no longer exists"),
        (["x" * 10_000], "no longer exists"),
        (["1 OR 1=1"], "no longer exists"),
        ([], "Choose at least one newsletter."),
    ]:
        with committed():
            response = browser().post(
                "/newsletter/subscribe/", {"email": "dee@example.org", "lists": chosen}
            )
        assert response.status_code == 400
        assert message in response.content.decode()
    archived = lists[1]
    archived.archived = True
    archived.save()
    response = sign_up(browser(), "dee@example.org", [archived])
    assert response.status_code == 400 and b"no longer exists" in response.content
    assert not Subscriber.objects.exists() and smtp_server.messages == []
    assert b'value="dee@example.org"' in response.content  # what was typed is kept


def test_other_sites_pages_and_robots_cannot_sign_anyone_up(smtp_server, lists):
    for headers in (
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
    ):
        response = sign_up(browser(), "eve@example.org", lists, **headers)
        assert response.status_code == 403
        assert b"only be sent from our own pages" in response.content
    own = sign_up(
        browser(),
        "eve@example.org",
        lists[:1],
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN="http://testserver",
    )
    assert own.status_code == 302
    assert len(smtp_server.messages) == 1
    with committed():
        robot = browser().post(
            "/newsletter/subscribe/",
            {"email": "bot@example.org", "lists": [str(lists[0].pk)], "homepage": "http://spam"},
        )
    assert robot.status_code == 302
    assert not Subscriber.objects.filter(email="bot@example.org").exists()
    assert len(smtp_server.messages) == 1


def test_the_rate_limit_comes_from_the_one_table(smtp_server, lists, settings):
    settings.NEWSLETTER_RATE = "2/3600/key,100/3600/ip"
    for _ in range(2):
        assert sign_up(browser(), "flo@example.org", lists[:1]).status_code == 302
    third = sign_up(browser(), "flo@example.org", lists[:1])
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert b"Please wait" in third.content
    assert len(smtp_server.messages) == 2
    assert sign_up(browser(), "gus@example.org", lists[:1]).status_code == 302


def test_tampered_expired_and_gone_links_get_a_clear_message(smtp_server, lists, monkeypatch):
    sign_up(browser(), "hal@example.org", lists[:1])
    (confirm_path,) = links_in(smtp_server.messages[0])
    token = confirm_path.split("/")[3]
    for path in (
        f"/newsletter/confirm/{token[:-2]}xx/",
        f"/newsletter/confirm/{'A' * 10_000}/",
        "/newsletter/preferences/<script>/",
        "/newsletter/unsubscribe/%27%20OR%201=1/",
    ):
        for method in ("get", "post"):
            response = getattr(browser(), method)(path)
            assert response.status_code == 400, path
            assert b"This link is not valid" in response.content
    monkeypatch.setattr(links, "CONFIRM_MAX_AGE", -1)
    expired = browser().post(confirm_path)
    assert expired.status_code == 400 and b"This link is not valid" in expired.content
    assert Subscriber.objects.get().confirmed_at is None

    subscriber = Subscriber.objects.get()
    gone = NewsletterList.objects.create(name="Gone", slug="gone")
    path = links.unsubscribe_url(subscriber, gone).removeprefix("http://testserver")
    gone.delete()
    response = browser().post(path)
    assert response.status_code == 404 and b"no longer exists" in response.content


def test_unsubscribe_headers_for_the_sending_half(lists):
    subscriber = Subscriber.objects.create(email="ida@example.org")
    headers = links.unsubscribe_headers(subscriber, lists[0])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(subscriber, lists[0])}>"
    assert links.subscription_to_end(headers["List-Unsubscribe"][1:-1].split("/")[-2]) == (
        subscriber,
        lists[0].pk,
    )


# --- the forms in cached pages ---------------------------------------------------------------


def test_the_forms_of_a_cached_article_page_carry_no_token_and_work(smtp_server, lists, paper):
    article = paper.article(title="Harbour fees rise")
    client = browser()
    assert client.get(article.url).status_code == 200
    page = client.get(article.url)
    assert page.status_code == 200
    assert page["X-Cache"] == "HIT"
    html = page.content.decode()
    assert html.count('action="/newsletter/subscribe/"') == 2  # the article's and the footer's
    assert 'id="newsletter-article-email"' in html and 'id="newsletter-footer-email"' in html
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]', html)
    assert "<!--slot:newsletter-->" not in html
    response = sign_up(client, "jo@example.org", lists[:1])
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1


def test_the_newsletter_page_is_one_cached_document_and_follows_the_lists(lists, paper):
    client = browser()
    assert client.get("/newsletter/").status_code == 200
    page = client.get("/newsletter/")
    assert page.status_code == 200 and page["X-Cache"] == "HIT"
    assert b"Daily Briefing" in page.content
    assert not re.search(rb'name="csrfmiddlewaretoken" value="[^"]', page.content)
    with committed():
        NewsletterList.objects.create(name="Weekend Reads", slug="weekend-reads")
    fresh = client.get("/newsletter/")
    assert fresh.status_code == 200 and b"Weekend Reads" in fresh.content


def test_a_signed_in_reader_subscribes_in_one_click_with_the_token_of_accounts_me(
    smtp_server, lists
):
    user = User.objects.create_user("kim", "kim@example.org", "pw-of-kim-1234")
    EmailAddress.objects.create(user=user, email="kim@example.org", verified=True, primary=True)
    client = browser()
    client.force_login(user)
    data = {"lists": [str(lists[1].pk)]}
    assert client.post("/newsletter/subscribe/account/", data).status_code == 403  # no token
    me = client.get("/newsletter/me/")
    assert me.status_code == 200 and "no-store" in me["Cache-Control"]
    answer = me.json()
    assert answer["email"] == "kim@example.org" and answer["lists"] == []
    token = client.get("/accounts/me/").json()["csrf_token"]
    with committed():
        done = client.post("/newsletter/subscribe/account/", {**data, "csrfmiddlewaretoken": token})
    assert done.status_code == 200 and b"You are subscribed to Breaking News" in done.content
    assert [m["Subject"] for m in smtp_server.messages] == ["Welcome to Breaking News"]
    subscriber = Subscriber.objects.get(user=user)
    assert Subscriber.objects.receiving(lists[1]).get() == subscriber
    assert client.get("/newsletter/me/").json()["lists"] == [lists[1].pk]
    anonymous = browser().post("/newsletter/subscribe/account/", data)
    assert anonymous.status_code == 403


def test_an_unverified_account_address_is_confirmed_by_e_mail_first(smtp_server, lists):
    user = User.objects.create_user("lou", "lou@example.org", "pw-of-lou-1234")
    client = Client()
    client.force_login(user)
    with committed():
        done = client.post("/newsletter/subscribe/account/", {"lists": [str(lists[0].pk)]})
    assert done.status_code == 200 and b"Almost done" in done.content
    assert [m["Subject"] for m in smtp_server.messages][0].startswith("Confirm your subscription")
    assert not Subscriber.objects.receiving(lists[0]).exists()
    bad = client.post("/newsletter/subscribe/account/", {"lists": ["999999"]})
    assert bad.status_code == 400 and b"no longer exists" in bad.content


# --- a reader's data ---------------------------------------------------------------------------


def test_a_readers_newsletters_are_in_their_export_and_go_with_their_account(lists):
    user = User.objects.create_user("max", "max@example.org", "pw-of-max-1234")
    EmailAddress.objects.create(user=user, email="max@example.org", verified=True, primary=True)
    subscriber = Subscriber.objects.create(email="max@example.org")
    Subscription.objects.create(subscriber=subscriber, newsletter=lists[0])
    other = Subscriber.objects.create(email="other@example.org")
    data = json.loads(json.dumps(export_data(user)))
    assert data["newsletter"][0]["email"] == "max@example.org"
    assert data["newsletter"][0]["subscriptions"][0]["newsletter"] == "Daily Briefing"
    delete_account(user)
    assert list(Subscriber.objects.all()) == [other]
    assert not Subscription.objects.exists()


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    user = User.objects.create_superuser("desk", "desk@example.org", "pw-for-the-desk")
    client = Client()
    client.force_login(user)
    return client


def upload(editor, text, lists=(), consented=False):
    data = {"file": SimpleUploadedFile("list.csv", text.encode(), "text/csv")}
    data["lists"] = [str(n.pk) for n in lists]
    if consented:
        data["consented"] = "on"
    with committed():  # the import's task runs on commit
        response = editor.post("/admin/newsletter-subscribers/import/", data)
    assert response.status_code == 302
    job = SubscriberImport.objects.latest("pk")
    assert response["Location"] == f"/admin/newsletter-subscribers/import/{job.pk}/"
    return editor.get(response["Location"])


def test_an_import_with_a_bad_row_imports_nothing_and_says_which_line(editor, lists):
    Subscriber.objects.create(email="kept@example.org")
    text = (
        "email,lists\n"
        "one@example.org,Daily Briefing\n"
        "not an address,\n"
        "two@example.org,Weekly Nonsense\n"
        "one@example.org,\n"
        "\n"
        f"{'x' * 10_000}@example.org,\n"
    )
    response = upload(editor, text, lists[:1])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 4 rows of the file are refused" in html
    for line, reason in [
        (3, "not an e-mail address"),
        (4, "No newsletter is named “Weekly Nonsense”"),
        (5, "The same address as line 2"),
        (7, "at most 254 characters"),
    ]:
        assert re.search(rf"<td>{line}</td><td>[^<]*</td><td>[^<]*{reason}", html), line
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["kept@example.org"]


def test_an_import_confirms_only_with_consent_else_sends_the_confirmation(
    editor, lists, smtp_server
):
    text = "email,lists\nna@example.org,breaking-news\nnb@example.org,\n"
    response = upload(editor, text, lists[:1], consented=True)
    assert response.status_code == 200 and b"Imported 2 rows" in response.content
    assert Subscriber.objects.receiving(lists[1]).get().email == "na@example.org"
    assert Subscriber.objects.receiving(lists[0]).get().email == "nb@example.org"
    assert smtp_server.messages == []
    response = upload(editor, "nc@example.org\nnd@example.org\n", lists)
    assert response.status_code == 200 and b"2 confirmation e-mails" in response.content
    assert sorted(m["To"] for m in smtp_server.messages) == ["nc@example.org", "nd@example.org"]
    assert not Subscriber.objects.receiving(lists[0]).filter(email="nc@example.org").exists()
    for bad in ("", "\xff\xfe"):
        data = {"file": SimpleUploadedFile("b.csv", bad.encode("latin-1"), "text/csv")}
        assert editor.post("/admin/newsletter-subscribers/import/", data).status_code == 400
    empty = upload(editor, "email\n", lists)
    assert empty.status_code == 200 and "The file has no address in it." in empty.content.decode()
    job = SubscriberImport.objects.latest("pk")
    assert job.status == SubscriberImport.Status.REFUSED and job.text == ""


def test_a_waiting_import_shows_its_progress_and_that_no_worker_runs(editor, lists, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    data = {"file": SimpleUploadedFile("l.csv", b"email\na@example.org\n", "text/csv")}
    data["lists"] = [str(lists[0].pk)]
    with committed():
        response = editor.post("/admin/newsletter-subscribers/import/", data)
    assert response.status_code == 302
    page = editor.get(response["Location"])
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Waiting for the task worker" in html and "No task worker is running" in html
    assert '<meta http-equiv="refresh"' in html and "<progress" in html
    assert not Subscriber.objects.exists()
    job = SubscriberImport.objects.get()
    from masthead.newsletter.subscribing import run_import

    with committed():
        run_import(job)  # what the worker does
    html = editor.get(response["Location"]).content.decode()
    assert "Imported 1 row" in html and '<meta http-equiv="refresh"' not in html
    assert Subscriber.objects.get().email == "a@example.org"


def test_a_list_with_subscribers_is_archived_instead_of_deleted(editor, lists):
    subscriber = Subscriber.objects.create(email="ok@example.org")
    Subscription.objects.create(subscriber=subscriber, newsletter=lists[0])
    response = editor.post(f"/admin/newsletter-lists/delete/{lists[0].pk}/")
    assert response.status_code == 302
    lists[0].refresh_from_db()
    assert lists[0].archived and Subscription.objects.count() == 1
    response = editor.post(f"/admin/newsletter-lists/delete/{lists[1].pk}/")
    assert response.status_code == 302
    assert not NewsletterList.objects.filter(pk=lists[1].pk).exists()


def test_subscribers_are_searched_filtered_exported_and_charted(editor, lists):
    from django.utils import timezone

    now = timezone.now()
    a = Subscriber.objects.create(email="alpha@example.org", confirmed_at=now)
    b = Subscriber.objects.create(email="beta@example.org", bounced_at=now)
    Subscription.objects.create(subscriber=a, newsletter=lists[0], confirmed_at=now)
    Subscription.objects.create(
        subscriber=b, newsletter=lists[1], confirmed_at=now, unsubscribed_at=now
    )
    base = "/admin/newsletter-subscribers/"
    for query, shown, hidden in [
        ("?q=alpha", "alpha@", "beta@"),
        (f"?newsletter={lists[0].pk}", "alpha@", "beta@"),
        ("?confirmed=true", "alpha@", "beta@"),
        ("?bounced=true", "beta@", "alpha@"),
        ("?unsubscribed=true", "beta@", "alpha@"),
    ]:
        response = editor.get(base + query)
        assert response.status_code == 200, query
        assert shown in response.content.decode() and hidden not in response.content.decode()
    export = editor.get(base + "?export=csv")
    assert export.status_code == 200
    rows = list(csv_rows(export))
    assert rows[0][0].lower() == "email" and {r[0] for r in rows[1:]} == {a.email, b.email}
    chart = editor.get(base + "chart/")
    assert chart.status_code == 200
    assert chart.content.count(b"<polyline") == 2 and b"Daily Briefing: 1 now" in chart.content
    assert Client().get(base + "chart/").status_code == 302  # the admin's login


def csv_rows(response):
    import csv

    return csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))


def test_one_newsletter_menu_holds_lists_subscribers_editions_and_the_import(editor, rf):
    from django.contrib.auth import get_user_model
    from wagtail.admin.menu import admin_menu

    assert editor.get("/admin/").status_code == 200  # the admin's URLs register the viewsets
    request = rf.get("/admin/")
    request.user = get_user_model().objects.get(email="desk@example.org")
    top = list(admin_menu.menu_items_for_request(request))
    labels = [item.label for item in top]
    assert labels.count("Newsletter") == 1 and "Editions" not in labels
    [newsletter] = [item for item in top if item.label == "Newsletter"]
    inside = sorted(newsletter.menu.menu_items_for_request(request), key=lambda item: item.order)
    inside = [item.label for item in inside]
    assert inside == ["Lists", "Subscribers", "Editions", "Digests", "Import subscribers"]


@pytest.mark.parametrize("way", ["sign-up", "preferences"])
def test_coming_back_to_a_list_keeps_the_time_on_it_before_and_the_chart_right(lists, way):
    from datetime import timedelta

    from django.utils import timezone

    from masthead.newsletter import subscribing
    from masthead.newsletter.admin_views import history
    from masthead.newsletter.models import PastSubscription

    now = timezone.now()
    daily = lists[0]
    joined, left = now - timedelta(weeks=10), now - timedelta(weeks=5)
    subscriber = Subscriber.objects.create(email="back@example.org", confirmed_at=joined)
    Subscription.objects.create(
        subscriber=subscriber, newsletter=daily, confirmed_at=joined, unsubscribed_at=left
    )
    with committed():
        if way == "sign-up":
            subscribing.sign_up("back@example.org", [daily.pk])
            subscribing.confirm(subscriber)
        else:
            subscribing.set_lists(subscriber, [daily.pk])
    subscription = Subscription.objects.get(subscriber=subscriber, newsletter=daily)
    assert subscription.unsubscribed_at is None and subscription.confirmed_at > left
    past = PastSubscription.objects.get()
    assert (past.confirmed_at, past.unsubscribed_at) == (joined, left)
    days, lines = history(weeks=12, now=now)
    [(_, values)] = [(n, v) for n, v in lines if n == daily]
    assert values[12 - 1 - 11] == 0  # 11 weeks ago: not yet
    assert values[12 - 1 - 8] == 1  # 8 weeks ago: on the list
    assert values[12 - 1 - 3] == 0  # 3 weeks ago: gone
    assert values[-1] == 1  # back now
    exported = subscribing.subscriber_data(subscriber)
    assert exported["past_subscriptions"] == [
        {
            "newsletter": daily.name,
            "confirmed_at": joined.isoformat(),
            "unsubscribed_at": left.isoformat(),
        }
    ]


def test_an_import_of_hostile_rows_refuses_them_escaped_and_a_missing_one_is_404(editor, lists):
    text = (
        "email\n"
        "<script>alert(1)</script>@example.org\n"
        '"ana@example.org\nBcc: all@example.net"\n'
        "x@example.org'; DROP TABLE newsletter_subscriber; --\n"
    )
    response = upload(editor, text, lists[:1])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported: 3 rows of the file are refused" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "on one line" in html
    assert not Subscriber.objects.exists()
    assert editor.get("/admin/newsletter-subscribers/import/999999/").status_code == 404
