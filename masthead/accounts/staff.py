"""Staff among the readers: who is an editor (and so gets fresh pages and the admin), and who
must use two-factor authentication before reaching the admin."""

from allauth.mfa.models import Authenticator

from masthead.accounts.models import AccountSettings


def is_editor(user):
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
    )


def has_second_factor(user):
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def must_set_up_two_factor(user):
    """A member of a group the administrator requires two-factor of, without one yet."""
    groups = AccountSettings.load().two_factor_groups.all()
    return user.groups.filter(pk__in=groups).exists() and not has_second_factor(user)
