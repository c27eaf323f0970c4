"""Tag suggestions while writing (masthead/newsroom/tag_suggestions.py): tags whose names appear in
the draft, tags of articles sharing its tags, and names in the text that are no tag yet; an
admin endpoint that the editor's small script asks, and that refuses bad input cleanly."""

import pytest
from django.contrib.auth import get_user_model
from taggit.models import Tag

from masthead.newsroom.tag_suggestions import names_in, suggest

pytestmark = pytest.mark.django_db

URL = "/admin/newsroom/tag-suggestions/"
TEXT = (
    "The harbour at Tema reopened on Monday. Kofi Annan Port officials said NATO ships "
    "would not call. Officials of Kofi Annan Port expect traffic to recover by spring."
)


@pytest.fixture
def tagged(paper):
    paper.article(title="Ports one", tags=["Kofi Annan Port", "Shipping", "Ghana"])
    paper.article(title="Ports two", tags=["Kofi Annan Port", "Shipping"])
    paper.article(title="Other", tags=["Elections"])


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    client.force_login(user)
    return user


def test_names_are_capitalised_words_not_a_sentence_start():
    names = names_in(TEXT)
    assert names[0] == "Kofi Annan Port"  # twice
    assert "NATO" in names and "Tema" in names
    assert "The" not in names and "Monday" not in names and "Officials" not in names


def test_suggestions_in_the_text_then_on_similar_articles_then_new_names(tagged):
    suggestions = suggest(TEXT, chosen=["Ghana"])
    assert suggestions[0] == {"name": "Kofi Annan Port", "reason": "in the text"}
    by_name = {item["name"]: item["reason"] for item in suggestions}
    assert by_name["Shipping"] == "on similar articles"
    assert by_name["NATO"] == "a name in the text (new tag)"
    assert "Ghana" not in by_name and "Elections" not in by_name
    assert len(suggestions) == len(by_name)  # none twice


def test_a_chosen_tag_in_other_case_is_not_suggested_again(tagged):
    by_name = {item["name"] for item in suggest(TEXT, chosen=["kofi annan port"])}
    assert "Kofi Annan Port" not in by_name and "Shipping" in by_name


def test_the_endpoint_answers_an_editor(client, tagged, editor):
    response = client.post(URL, {"text": TEXT, "tags": "Ghana"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    names = [item["name"] for item in response.json()["suggestions"]]
    assert names[0] == "Kofi Annan Port" and "Shipping" in names
    assert Tag.objects.filter(name="NATO").count() == 0  # suggested, not made


def test_the_endpoint_is_for_the_admin_only(client, tagged):
    response = client.post(URL, {"text": TEXT})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/newsroom/tag-suggestions/"


def test_the_endpoint_takes_post_only(client, editor):
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x" * 200_001}, "The text is too long to read for tags"),
        ({"text": "Harbour", "tags": ",".join(["tag"] * 101)}, "Those are not the article's tags."),
        ({"text": "Harbour", "tags": "y" * 101}, "Those are not the article's tags."),
        ({"text": "A\x00B"}, "The text holds characters that are not text."),
    ],
)
def test_bad_input_is_a_clear_400(client, editor, data, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<script>alert(1)</script> Kofi Annan Port",
        "'; DROP TABLE taggit_tag; -- Robert Tables",
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
        "Ünïcödé Straße Zürich 東京 Ghana",
        "A " * 50_000,
    ],
)
def test_hostile_or_empty_text_gets_suggestions_or_none_never_a_500(client, tagged, editor, text):
    response = client.post(URL, {"text": text, "tags": "<b>x</b>"})
    assert response.status_code == 200
    for item in response.json()["suggestions"]:
        assert "<" not in item["name"] and len(item["name"]) <= 100
    assert Tag.objects.filter(name="taggit_tag").count() == 0
    assert Tag.objects.count() == 4


def test_the_editor_loads_the_script(client, paper, editor):
    article = paper.article(title="With tags")
    response = client.get(f"/admin/pages/{article.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "masthead/admin/tag-suggestions.js" in html
    assert f'data-tag-suggestions-url="{URL}"' in html
