from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


def avatar_path(profile, filename):
    return f"avatars/{profile.user_id}/{filename}"


class Profile(models.Model):
    """What a reader shows of themselves: a name and a picture (uploaded, re-encoded here)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=60, blank=True)
    avatar = models.ImageField(
        upload_to=avatar_path, blank=True, width_field="avatar_width", height_field="avatar_height"
    )
    avatar_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    avatar_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.display_name or f"Profile {self.user_id}"


@register_setting(icon="lock")
class AccountSettings(BaseGenericSetting):
    """Who must use two-factor authentication before reaching the admin."""

    two_factor_groups = models.ManyToManyField(
        Group,
        blank=True,
        related_name="+",
        verbose_name="groups that must use two-factor authentication",
        help_text="A member of these groups without an authenticator app or a passkey is sent "
        "to set one up before reaching the admin.",
    )

    panels = [FieldPanel("two_factor_groups", widget=forms.CheckboxSelectMultiple)]

    class Meta:
        verbose_name = "Accounts and two-factor"
