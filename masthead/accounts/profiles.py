"""A reader's profile: the name other readers see, and their picture.

`display_name(user)` is what every part of the site shows for a reader (comments call it).
Avatars are uploaded, never fetched from another site: opened with Pillow, refused unless they
are a JPEG, PNG, GIF or WebP picture of a sane size, then cropped square, scaled down to
AVATAR_SIZE and re-encoded as a new JPEG, so nothing of the uploaded file (its metadata, a
script hidden after the picture, a second frame) is ever served."""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from masthead.accounts.models import Profile

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_PIXELS = 40_000_000  # a picture that would take more memory than this to open is refused


def profile_of(user):
    """The user's profile, made on first use."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        return profile


def display_name(user):
    """The name shown for a reader: the one they chose, else the part of their address before
    the @ (never the whole address), else "Reader"; "From a deleted account" for none."""
    if user is None or not getattr(user, "pk", None):
        return "From a deleted account"
    try:
        chosen = user.profile.display_name
    except Profile.DoesNotExist:
        chosen = ""
    if chosen:
        return chosen
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if full:
        return full
    return (user.email or "").split("@")[0] or "Reader"


def avatar_url(user):
    try:
        avatar = user.profile.avatar
    except Profile.DoesNotExist:
        return ""
    return avatar.url if avatar else ""


def reencoded_avatar(upload):
    """The uploaded picture as a new square JPEG of AVATAR_SIZE pixels; ValidationError with a
    message for the reader when it is not a picture this takes."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        megabytes = settings.AVATAR_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            f"This picture is too large: please choose one of at most {megabytes} MB.",
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    "Please choose a JPEG, PNG, GIF or WebP picture.", code="format"
                )
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    "This picture has too many pixels: please choose a smaller one.",
                    code="pixels",
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as picture:
            picture.seek(0)
            picture = ImageOps.exif_transpose(picture)
            picture = picture.convert("RGB")
            size = settings.AVATAR_SIZE
            square = ImageOps.fit(picture, (size, size), Image.Resampling.LANCZOS)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a picture we can read: please choose a JPEG, PNG, GIF or WebP "
            "picture.",
            code="invalid",
        ) from None
    output = io.BytesIO()
    square.save(output, "JPEG", quality=85, optimize=True)
    return ContentFile(output.getvalue(), name=f"{secrets.token_hex(8)}.jpg")


def update_profile(user, display_name=None, avatar=None, remove_avatar=False):
    """Saves what the reader changed; `avatar` is a file from `reencoded_avatar`."""
    profile = profile_of(user)
    if display_name is not None:
        profile.display_name = display_name
    old = profile.avatar.name if profile.avatar else ""
    if remove_avatar:
        profile.avatar = None
    if avatar is not None:
        profile.avatar.save(avatar.name, avatar, save=False)
    profile.save()
    if old and old != (profile.avatar.name if profile.avatar else ""):
        profile.avatar.storage.delete(old)
    return profile
