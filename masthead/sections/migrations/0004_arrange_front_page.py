"""The front page arranged as it was laid out before editors could arrange it: the lead with
its rail of latest news, then a block per section shown on the home page."""

import json
import uuid

from django.db import migrations

LAYOUTS = ["lead_list", "times"]


def arrangement(SectionPage, home):
    children = SectionPage.objects.filter(
        path__startswith=home.path, depth=home.depth + 1, live=True, show_on_home=True
    ).order_by("path")
    opinion = (
        SectionPage.objects.filter(path__startswith=home.path, live=True, slug__startswith="opinion")
        .order_by("path")
        .first()
    )
    blocks = [{"type": "lead", "value": {"story": None, "secondary": [], "rail": "latest"}}]
    for number, section in enumerate(children):
        value = {"section": section.pk, "layout": LAYOUTS[number % 2], "count": 4 + 2 * (number % 2)}
        blocks.append({"type": "section", "value": value})
        if number == 1:
            blocks.append({"type": "most_read", "value": {"heading": "Most read"}})
            if opinion is not None:
                value = {"section": opinion.pk, "layout": "opinion", "count": 4}
                blocks.append({"type": "section", "value": value})
    return [{**block, "id": str(uuid.uuid4())} for block in blocks]


def arrange(apps, schema_editor):
    HomePage = apps.get_model("sections", "HomePage")
    SectionPage = apps.get_model("sections", "SectionPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    for home in HomePage.objects.all():
        if home.front.raw_data:
            continue
        blocks = arrangement(SectionPage, home)
        HomePage.objects.filter(pk=home.pk).update(front=json.dumps(blocks))
        if home.latest_revision_id:  # what the editor opens next, so that saving keeps it
            revision = Revision.objects.get(pk=home.latest_revision_id)
            revision.content["front"] = json.dumps(blocks)
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("sections", "0003_homepage_front"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(arrange, migrations.RunPython.noop)]
