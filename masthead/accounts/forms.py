"""The forms of readers' accounts: allauth's, in the site's words and with the site's checks on
what readers type, and the profile and deletion forms."""

from allauth.account import forms as allauth_forms
from django import forms

from masthead.accounts.profiles import reencoded_avatar
from masthead.core.forms import (
    add_validators,
    reject_bidi_controls,
    reject_control_characters,
    reject_line_breaks,
)

ONE_LINE = (reject_bidi_controls, reject_line_breaks)


class LoginForm(allauth_forms.LoginForm):
    honeypot = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail address"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""  # its "Forgot your password?": ours is below
        add_validators(self.fields["login"], *ONE_LINE)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up with a display name; the honeypot is hidden by the stylesheet (no
    inline style, which the browser policy refuses)."""

    honeypot = "homepage"
    display_name = forms.CharField(
        label="Your name as other readers see it",
        max_length=60,
        required=False,
        help_text="Optional; you can change it later on your profile.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        for name in ("email", "password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        add_validators(self.fields["email"], *ONE_LINE)
        add_validators(self.fields["display_name"], *ONE_LINE)
        self.fields[self.honeypot].label = "Leave this field empty"
        self.fields[self.honeypot].widget.attrs = {"autocomplete": "off", "tabindex": "-1"}
        self.order_fields(["display_name", "email", "password1", "password2", self.honeypot])

    def save(self, request):
        from masthead.accounts.profiles import update_profile

        user = super().save(request)
        if user is not None and self.cleaned_data.get("display_name"):
            update_profile(user, display_name=self.cleaned_data["display_name"])
        return user


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    honeypot = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        add_validators(self.fields["email"], *ONE_LINE)


class ProfileForm(forms.Form):
    honeypot = ""
    display_name = forms.CharField(
        label="Display name",
        max_length=60,
        required=False,
        help_text="Shown with what you write on the site. Empty: the part of your e-mail "
        "address before the @.",
    )
    avatar = forms.FileField(
        label="Picture",
        required=False,
        help_text="A JPEG, PNG, GIF or WebP picture; it is cropped square.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    remove_avatar = forms.BooleanField(label="Remove my picture", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        add_validators(self.fields["display_name"], *ONE_LINE, reject_control_characters)

    def clean_display_name(self):
        return " ".join(self.cleaned_data["display_name"].split())

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        return reencoded_avatar(upload)


class DeleteAccountForm(forms.Form):
    honeypot = ""
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
    )

    def __init__(self, user, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password
