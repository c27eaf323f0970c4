"""Subscribing to the newsletters: plain functions that the views, the admin's import, the
tasks and the tests call (allauth's `internal/flows` shape).

Double opt-in: a sign-up only ever records the address with its lists waiting, and sends one
confirmation e-mail whatever the number of lists; nothing else goes to the address until its
owner follows the link. A signed-in reader whose account address is verified has proved it
already, and is subscribed at once."""

import csv
import io
import itertools
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import punycode

from masthead.caching.store import record
from masthead.newsletter.models import (
    NewsletterList,
    PastSubscription,
    Subscriber,
    SubscriberImport,
    Subscription,
)

EMAIL_MAX_LENGTH = 254
LISTS_KEY = "newsletter-lists"  # the page cache's key of every form that offers the lists


class SubscribeError(Exception):
    """A refusal a reader is told as it is."""


def normalise_email(raw):
    """The address as it is kept: the domain in lower case and in its ASCII (IDNA) form, so
    that `Ana@Bücher.example` and `Ana@xn--bcher-kva.example` are one subscriber. Raises
    SubscribeError with what is wrong."""
    value = (raw or "").strip()
    if not value:
        raise SubscribeError("Enter your e-mail address.")
    if any(char in value for char in "\r\n\x00") or any(ord(char) < 32 for char in value):
        raise SubscribeError("An e-mail address is written on one line, without line breaks.")
    if len(value) > EMAIL_MAX_LENGTH:
        raise SubscribeError(
            f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters; this one has "
            f"{len(value):,}."
        )
    try:
        EmailValidator()(value)
    except ValidationError:
        raise SubscribeError(
            "This is not an e-mail address we can send to. Check it, such as name@example.org."
        ) from None
    local, _, domain = value.rpartition("@")
    try:
        domain = punycode(domain.lower())
    except UnicodeError:
        raise SubscribeError("The part after the @ is not a domain we can send to.") from None
    email = f"{local}@{domain}"
    if len(email) > EMAIL_MAX_LENGTH:
        raise SubscribeError(f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters.")
    return email


def offered_lists():
    """The lists the sign-up forms offer. Called while a cached form is built, which then
    records LISTS_KEY (purged when an editor changes a list, signals.py)."""
    record(LISTS_KEY)
    return list(NewsletterList.objects.filter(archived=False))


def chosen_lists(list_ids):
    """The lists of the ids a form sent, or SubscribeError for none chosen or one gone."""
    ids = set()
    for raw in list_ids:
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            raise SubscribeError("The form sent a newsletter we do not know.") from None
    if not ids:
        raise SubscribeError("Choose at least one newsletter.")
    lists = list(NewsletterList.objects.filter(pk__in=ids, archived=False))
    if len(lists) < len(ids):
        raise SubscribeError(
            "A newsletter you chose no longer exists. Please choose from the newsletters shown."
        )
    return lists


def subscriber_for(email, source=Subscriber.Source.FORM):
    subscriber = Subscriber.objects.filter(email=email).first()
    if subscriber is not None:
        return subscriber
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email, source=source)
    except IntegrityError:  # the same address, signed up at the same moment
        return Subscriber.objects.get(email=email)


def restart(subscription, confirmed_at):
    """The subscription starts again, confirmed at `confirmed_at` (or waiting, None); the time
    it was on the list before, if it was, is kept as a PastSubscription."""
    if subscription.confirmed_at and subscription.unsubscribed_at:
        PastSubscription.objects.create(
            subscriber_id=subscription.subscriber_id,
            newsletter_id=subscription.newsletter_id,
            confirmed_at=subscription.confirmed_at,
            unsubscribed_at=subscription.unsubscribed_at,
        )
    subscription.unsubscribed_at, subscription.confirmed_at = None, confirmed_at
    subscription.save(update_fields=["unsubscribed_at", "confirmed_at"])


def add_waiting(subscriber, lists):
    """Puts the subscriber on these lists, waiting for confirmation where they are not on them
    already; returns the subscriptions now waiting."""
    waiting = []
    for newsletter in lists:
        subscription, _ = Subscription.objects.get_or_create(
            subscriber=subscriber, newsletter=newsletter
        )
        if subscription.unsubscribed_at is not None:
            # They left once: coming back is a new consent, confirmed like the first.
            restart(subscription, confirmed_at=None)
        if subscription.confirmed_at is None:
            waiting.append(subscription)
    return waiting


def sign_up(raw_email, list_ids, source=Subscriber.Source.FORM):
    """A sign-up from a form (or an import row): returns whether a confirmation e-mail was
    sent. An address already on every chosen list is sent nothing; the reader is told the same
    either way ("check your inbox"), so the answer says nothing of who subscribes."""
    email = normalise_email(raw_email)
    lists = chosen_lists(list_ids)
    with transaction.atomic():
        subscriber = subscriber_for(email, source)
        waiting = add_waiting(subscriber, lists)
    if waiting and subscriber.bounced_at is None:
        send_confirmation_on_commit(subscriber)
        return True
    return False


def account_address(user):
    """The signed-in reader's address and whether they have verified it (allauth)."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, primary=True).first()
    if address is not None:
        return address.email, address.verified
    return user.email, False


def subscribe_account(user, list_ids):
    """A signed-in reader's one click: subscribed at once when the account's address is
    verified (with a welcome e-mail per list), else as any sign-up, by a confirmation e-mail.
    Returns ("subscribed" | "confirm", the lists)."""
    raw, verified = account_address(user)
    if not raw:
        raise SubscribeError("Your account has no e-mail address: add one in your profile.")
    email = normalise_email(raw)
    lists = chosen_lists(list_ids)
    with transaction.atomic():
        subscriber = subscriber_for(email, Subscriber.Source.ACCOUNT)
        if subscriber.user_id is None and not Subscriber.objects.filter(user=user).exists():
            subscriber.user = user
            subscriber.save(update_fields=["user"])
        waiting = add_waiting(subscriber, lists)
        if not verified:
            if waiting:
                send_confirmation_on_commit(subscriber)
            return "confirm", lists
        confirm(subscriber)
    return "subscribed", lists


def confirm(subscriber):
    """The owner of the address followed the confirmation link: the address is confirmed and
    every list it was waiting for starts now, each with its welcome e-mail. Returns the
    subscriptions confirmed now (none when it was confirmed already: a second click)."""
    now = timezone.now()
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.confirmed_at is None:
            locked.confirmed_at = now
            locked.save(update_fields=["confirmed_at"])
        waiting = list(
            Subscription.objects.select_for_update()
            .filter(subscriber=locked, confirmed_at=None, unsubscribed_at=None)
            .select_related("newsletter")
        )
        Subscription.objects.filter(pk__in=[s.pk for s in waiting]).update(confirmed_at=now)
        for subscription in waiting:
            send_welcome_on_commit(subscription)
    subscriber.confirmed_at = locked.confirmed_at
    return waiting


def current_lists(subscriber):
    """The ids of the lists the subscriber receives (or is waiting to)."""
    return set(
        subscriber.subscriptions.filter(unsubscribed_at=None).values_list(
            "newsletter_id", flat=True
        )
    )


def set_lists(subscriber, list_ids):
    """From the preferences page (a signed link sent to the address, so its owner): on exactly
    these of the offered lists, at once. Returns (joined, left) lists."""
    wanted = (
        {newsletter.pk: newsletter for newsletter in chosen_lists(list_ids)} if list_ids else {}
    )
    now = timezone.now()
    joined, left = [], []
    with transaction.atomic():
        if subscriber.confirmed_at is None:
            Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=now)
            subscriber.confirmed_at = now
        for subscription in subscriber.subscriptions.select_related("newsletter"):
            newsletter = subscription.newsletter
            active = subscription.unsubscribed_at is None
            if newsletter.pk in wanted:
                wanted.pop(newsletter.pk)
                if not active or subscription.confirmed_at is None:
                    restart(subscription, confirmed_at=now)
                    joined.append(newsletter)
                    send_welcome_on_commit(subscription)
            elif active and not newsletter.archived:
                subscription.unsubscribed_at = now
                subscription.save(update_fields=["unsubscribed_at"])
                left.append(newsletter)
        for newsletter in wanted.values():
            subscription = Subscription.objects.create(
                subscriber=subscriber, newsletter=newsletter, confirmed_at=now
            )
            joined.append(newsletter)
            send_welcome_on_commit(subscription)
    return joined, left


def leave_all(subscriber):
    """Off every list, archived ones too; returns how many subscriptions ended."""
    return subscriber.subscriptions.filter(unsubscribed_at=None).update(
        unsubscribed_at=timezone.now()
    )


def unsubscribe(subscriber, newsletter_id):
    """One-click unsubscribe from one list; returns the list, or SubscribeError when it is gone.
    Leaving twice is leaving once."""
    newsletter = NewsletterList.objects.filter(pk=newsletter_id).first()
    if newsletter is None:
        raise SubscribeError("This newsletter no longer exists, so it sends you nothing any more.")
    subscriber.subscriptions.filter(newsletter=newsletter, unsubscribed_at=None).update(
        unsubscribed_at=timezone.now()
    )
    return newsletter


def send_confirmation_on_commit(subscriber):
    from masthead.newsletter.tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.enqueue(subscriber.pk))


def send_confirmations_on_commit(subscriber_ids):
    from masthead.newsletter.tasks import send_confirmations

    transaction.on_commit(lambda: send_confirmations.enqueue(subscriber_ids))


def send_welcome_on_commit(subscription):
    from masthead.newsletter.tasks import send_welcome

    transaction.on_commit(lambda: send_welcome.enqueue(subscription.pk))


def reader_newsletters(user):
    """What the newsletters hold of a reader, for the export of their data."""
    return [subscriber_data(subscriber) for subscriber in subscribers_of(user)]


def subscriber_data(subscriber):
    return {
        "email": subscriber.email,
        "created": subscriber.created.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "bounced_at": subscriber.bounced_at.isoformat() if subscriber.bounced_at else None,
        "source": subscriber.source,
        "subscriptions": [
            {
                "newsletter": subscription.newsletter.name,
                "created": subscription.created.isoformat(),
                "confirmed_at": subscription.confirmed_at.isoformat()
                if subscription.confirmed_at
                else None,
                "unsubscribed_at": subscription.unsubscribed_at.isoformat()
                if subscription.unsubscribed_at
                else None,
            }
            for subscription in subscriber.subscriptions.select_related("newsletter").order_by("pk")
        ],
        "past_subscriptions": [
            {
                "newsletter": past.newsletter.name,
                "confirmed_at": past.confirmed_at.isoformat(),
                "unsubscribed_at": past.unsubscribed_at.isoformat(),
            }
            for past in subscriber.past_subscriptions.select_related("newsletter").order_by("pk")
        ],
    }


def subscribers_of(user):
    """The subscribers that are this reader: linked to the account, or at one of its verified
    addresses."""
    from allauth.account.models import EmailAddress

    addresses = set()
    for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    ):
        try:
            addresses.add(normalise_email(email))
        except SubscribeError:
            continue
    return Subscriber.objects.filter(user=user) | Subscriber.objects.filter(email__in=addresses)


def account_deleted(user):
    """Erased with the account: the subscriber rows and their subscriptions (cascade)."""
    Subscriber.objects.filter(pk__in=[s.pk for s in subscribers_of(user)]).delete()


@dataclass
class ImportReport:
    """How an import went: rows read, rejected rows (line, value, reason), and when nothing
    was rejected, the subscribers created and the confirmations sent."""

    rows: int = 0
    rejected: list = field(default_factory=list)
    created: int = 0
    confirmations: int = 0
    left_before: int = 0

    @property
    def imported(self):
        return self.rows > 0 and not self.rejected


IMPORT_MAX_ROWS = 100_000


def import_rows(text, default_lists, consented):
    """Imports a CSV of addresses (a column `email`, or the first column; an optional column
    `lists` of list names or slugs separated by `;`), all or nothing: one rejected row and
    nothing is saved, and the report says each rejected line and why. With `consented` (the
    editor's word that the owners agreed) the addresses are subscribed at once; else each gets
    the confirmation e-mail. Nobody who left a list is put back on it."""
    wanted, report = check_rows(text, default_lists)
    if not report.rejected:
        save_import(wanted, consented, report)
    return report


PROGRESS_EVERY = 1000


def check_rows(text, default_lists, progress=None):
    """(addresses and their lists, report) of an import's rows, checked but not saved; calls
    `progress(rows)` every PROGRESS_EVERY rows."""
    report = ImportReport()
    by_name = {}
    for newsletter in NewsletterList.objects.filter(archived=False):
        by_name[newsletter.name.casefold()] = by_name[newsletter.slug.casefold()] = newsletter
    reader = rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        report.rejected.append((1, "", "The file is empty."))
        return {}, report
    names = [cell.strip().casefold() for cell in header]
    email_column = names.index("email") if "email" in names else 0
    lists_column = names.index("lists") if "lists" in names else None
    if "email" not in names:
        rows = itertools.chain([header], rows)
    wanted, seen = {}, {}
    for row in rows:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        report.rows += 1
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(report.rows)
        if report.rows > IMPORT_MAX_ROWS:
            report.rejected.append((line, "", f"A file has at most {IMPORT_MAX_ROWS:,} rows."))
            break
        raw = row[email_column] if email_column < len(row) else ""
        try:
            email = normalise_email(raw)
        except SubscribeError as error:
            report.rejected.append((line, raw[:100], str(error)))
            continue
        if email in seen:
            report.rejected.append((line, raw[:100], f"The same address as line {seen[email]}."))
            continue
        seen[email] = line
        lists = default_lists
        cell = row[lists_column] if lists_column is not None and lists_column < len(row) else ""
        named = [name.strip() for name in cell.split(";") if name.strip()]
        unknown = [name for name in named if name.casefold() not in by_name]
        if unknown:
            reason = f"No newsletter is named “{unknown[0][:100]}”."
            report.rejected.append((line, raw[:100], reason))
            continue
        if named:
            lists = list(
                {by_name[name.casefold()].pk: by_name[name.casefold()] for name in named}.values()
            )
        if not lists:
            report.rejected.append((line, raw[:100], "No newsletter to put this address on."))
            continue
        wanted[email] = lists
    if report.rows == 0 and not report.rejected:
        report.rejected.append((1, "", "The file has no address in it."))
    return wanted, report


def run_import(job):
    """Check and save the import `job` (a SubscriberImport), recording its progress and its
    report; it is marked done in the transaction that saves it, so an import run again after
    its worker died saves nothing twice."""
    Status = SubscriberImport.Status
    jobs = SubscriberImport.objects.filter(pk=job.pk)
    jobs.update(status=Status.CHECKING, rows_checked=0)
    wanted, report = check_rows(
        job.text, list(job.lists.all()), lambda rows: jobs.update(rows_checked=rows)
    )
    if report.rejected:
        jobs.update(status=Status.REFUSED, text="", report=asdict(report), rows_checked=report.rows)
        return report
    jobs.update(status=Status.SAVING, rows_checked=report.rows)
    with transaction.atomic():
        save_import(wanted, job.consented, report)
        jobs.update(status=Status.DONE, text="", report=asdict(report))
    return report


def save_import(wanted, consented, report):
    now = timezone.now()
    source = Subscriber.Source.IMPORT_CONSENTED if consented else Subscriber.Source.IMPORT
    emails = list(wanted)
    with transaction.atomic():
        before = Subscriber.objects.count()
        Subscriber.objects.bulk_create(
            [Subscriber(email=email, source=source) for email in emails],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        report.created = Subscriber.objects.count() - before
        ids = {}
        for start in range(0, len(emails), BATCH):
            ids.update(
                Subscriber.objects.filter(email__in=emails[start : start + BATCH]).values_list(
                    "email", "pk"
                )
            )
        subscriber_ids = list(ids.values())
        Subscription.objects.bulk_create(
            [
                Subscription(subscriber_id=ids[email], newsletter=newsletter)
                for email, lists in wanted.items()
                for newsletter in lists
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        for start in range(0, len(subscriber_ids), BATCH):
            chunk = subscriber_ids[start : start + BATCH]
            report.left_before += (
                Subscription.objects.filter(subscriber_id__in=chunk, unsubscribed_at__isnull=False)
                .values("subscriber")
                .distinct()
                .count()
            )
            waiting = Subscription.objects.filter(
                subscriber_id__in=chunk, confirmed_at=None, unsubscribed_at=None
            )
            if consented:
                Subscriber.objects.filter(pk__in=chunk, confirmed_at=None).update(confirmed_at=now)
                waiting.update(confirmed_at=now)
            else:
                to_confirm = set(
                    waiting.filter(subscriber__bounced_at=None).values_list(
                        "subscriber_id", flat=True
                    )
                )
                report.confirmations += len(to_confirm)
                if to_confirm:
                    send_confirmations_on_commit(sorted(to_confirm))


BATCH = 500
