"""The demo newsroom: one account for each role (masthead/newsroom/roles.py), with published
passwords, so that it is refused on a site served to the world (`served_to_world()`)."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from masthead.newsroom import roles
from masthead.newsroom.desks import ensure_desk
from masthead.sections.models import SectionPage

# (e-mail, password, first name, last name, role, desks they belong to)
STAFF = (
    ("contributor@example.com", "masthead-contributor", "Cleo", "Contributor",
     roles.CONTRIBUTOR, ("news",)),
    ("author@example.com", "masthead-author", "Ade", "Author", roles.AUTHOR, ()),
    ("section-editor@example.com", "masthead-section-editor", "Sami", "Section-Editor",
     roles.SECTION_EDITOR, ("news", "business")),
    ("chief@example.com", "masthead-chief", "Chidi", "Chief", roles.EDITOR_IN_CHIEF, ()),
    ("admin@example.com", "masthead-admin", "Ada", "Administrator", roles.ADMINISTRATOR, ()),
)  # fmt: skip
DESK_GROUPS = {
    roles.CONTRIBUTOR: roles.DESK_CONTRIBUTORS,
    roles.SECTION_EDITOR: roles.DESK_EDITORS,
}
LOCAL_NAMES = ("localhost", "testserver")


def is_local(host):
    """This machine or a private network: a demo there is seen by its own people only."""
    host = host.strip("[]").lstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def served_to_world():
    """The public host names this site answers to (ALLOWED_HOSTS, SITE_URL), if any: a `*`, a
    domain name or a public address. Empty on a laptop or a private network."""
    hosts = list(settings.ALLOWED_HOSTS) + [urlsplit(settings.SITE_URL).hostname or ""]
    return sorted({host for host in hosts if host and not is_local(host)})


def ensure_staff(home, verified_address):
    """The role accounts and their desks; returns how many accounts were created. An existing
    account (found by its e-mail address) is left as it is."""
    User = get_user_model()
    sections = {page.slug: page for page in SectionPage.objects.child_of(home)}
    created = 0
    for email, password, first, last, role, desks in STAFF:
        if User.objects.filter(email__iexact=email).exists():
            continue
        user = User.objects.create_user(
            email.split("@")[0], email, password, first_name=first, last_name=last
        )
        verified_address(user)
        user.groups.add(Group.objects.get(name=role))
        for slug in desks:
            if slug in sections:
                contributors, editors = ensure_desk(sections[slug])
                desk = editors if DESK_GROUPS[role] == roles.DESK_EDITORS else contributors
                user.groups.add(desk)
        created += 1
    return created


def staff_lines():
    User = get_user_model()
    existing = set(
        User.objects.filter(email__in=[row[0] for row in STAFF]).values_list("email", flat=True)
    )
    lines = []
    for email, password, _, _, role, desks in STAFF:
        if email in existing:
            where = f", desks: {', '.join(desks)}" if desks else ""
            lines.append(f"{role + ':':17} {email} / {password}{where}")
    return lines
