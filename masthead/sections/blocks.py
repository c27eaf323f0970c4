"""The blocks editors arrange the front page with (HomePage.front), top to bottom."""

from wagtail import blocks

LAYOUTS = [
    ("lead_list", "Lead plus list"),
    ("times", "List with times"),
    ("opinion", "Opinion, with the authors' portraits"),
]
RAILS = [
    ("latest", "Latest news, with times"),
    ("most_read", "Most read"),
    ("none", "No rail"),
]


class LeadBlock(blocks.StructBlock):
    story = blocks.PageChooserBlock(
        page_type="articles.ArticlePage",
        required=False,
        help_text="Blank: the first of the top stories, or else the newest article.",
    )
    secondary = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="articles.ArticlePage"),
        min_num=0,
        max_num=4,
        default=[],
        label="Secondary stories",
        help_text="Up to four under the lead. Blank: the next top stories.",
    )
    rail = blocks.ChoiceBlock(choices=RAILS, default="latest", help_text="Beside the lead.")

    class Meta:
        icon = "pick"
        label = "Lead, with its secondary stories"


class LiveBlock(blocks.StructBlock):
    label = blocks.ChoiceBlock(
        choices=[("Breaking", "Breaking"), ("Live", "Live"), ("Developing", "Developing")],
        default="Live",
    )
    story = blocks.PageChooserBlock(page_type="articles.ArticlePage")
    summary = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "warning"
        label = "Breaking news or live coverage"


class TopStoriesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Top stories", max_length=80)
    count = blocks.IntegerBlock(default=4, min_value=1, max_value=12)

    class Meta:
        icon = "list-ul"
        label = "Top stories (those the lead has not shown)"


class SectionBlock(blocks.StructBlock):
    section = blocks.PageChooserBlock(page_type="sections.SectionPage")
    layout = blocks.ChoiceBlock(choices=LAYOUTS, default="lead_list")
    count = blocks.IntegerBlock(default=5, min_value=1, max_value=12)

    class Meta:
        icon = "folder-open-inverse"
        label = "Section"


class MostReadBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default="Most read", max_length=80)

    class Meta:
        icon = "pick"
        label = "Most read"


class FrontPageBlock(blocks.StreamBlock):
    lead = LeadBlock()
    live = LiveBlock()
    top_stories = TopStoriesBlock()
    section = SectionBlock()
    most_read = MostReadBlock()

    class Meta:
        block_counts = {"lead": {"max_num": 1}, "most_read": {"max_num": 1}}
