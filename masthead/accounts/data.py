"""A reader's data: what they can download (`export_data`) and how their account goes
(`delete_account`).

Other apps add their part of the download by connecting to `collect_export`: each receiver is
called with `user=` and returns a dict of what it holds of them (comments return their
comments), which goes into the download under the receiver's app label."""

from django.dispatch import Signal
from django.utils import timezone

from masthead.accounts.profiles import avatar_url, display_name, profile_of

collect_export = Signal()


def export_data(user, request=None):
    """Everything the site holds of `user`, as one JSON-ready dict."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    profile = profile_of(user)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": {
            "display_name": display_name(user),
            "chosen_display_name": profile.display_name,
            "avatar": request.build_absolute_uri(avatar_url(user))
            if request is not None and avatar_url(user)
            else avatar_url(user),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "two_factor": [
            {"type": authenticator.type, "created_at": authenticator.created_at.isoformat()}
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }
    for receiver, part in collect_export.send(sender=type(user), user=user):
        if part:
            label = getattr(receiver, "export_label", None) or receiver.__module__.split(".")[1]
            data[label] = part
    return data


def delete_account(user):
    """Deletes the account and what hangs on it (profile, avatar, addresses, authenticators);
    other apps decide in their own pre_delete what becomes of their part (comments)."""
    profile = profile_of(user)
    avatar = profile.avatar.name if profile.avatar else ""
    storage = profile.avatar.storage
    user.delete()
    if avatar:
        storage.delete(avatar)
