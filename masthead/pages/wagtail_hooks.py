"""Messages in the admin: what readers sent through the contact and advertise pages, to read,
search, filter, export as CSV and delete. Nobody adds or edits them: they are the readers'."""

from django_filters import BooleanFilter, ChoiceFilter, DateFromToRangeFilter
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from masthead.pages.models import AdvertisingEnquiry, ContactMessage

READ_ONLY = ("add", "change")


class ReadAndDeletePolicy(ModelPermissionPolicy):
    """Django's model permissions, with adding and changing refused to everyone, superusers
    included: a stored message stays what the reader sent."""

    def user_has_permission(self, user, action):
        return action not in READ_ONLY and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a not in READ_ONLY])


class ReaderMessageFilters(WagtailFilterSet):
    created_at = DateFromToRangeFilter(label="Received", widget=DateRangePickerWidget)
    emailed = BooleanFilter(
        label="E-mailed", field_name="emailed_at", lookup_expr="isnull", exclude=True
    )


class ContactMessageFilters(ReaderMessageFilters):
    class Meta:
        model = ContactMessage
        fields = []


class AdvertisingEnquiryFilters(ReaderMessageFilters):
    budget = ChoiceFilter(choices=AdvertisingEnquiry.BUDGETS)

    class Meta:
        model = AdvertisingEnquiry
        fields = []


class ReaderMessageViewSet(ModelViewSet):
    inspect_view_enabled = True
    copy_view_enabled = False
    exclude_form_fields = []  # the add and edit views exist, but the policy lets nobody in


class ContactMessageViewSet(ReaderMessageViewSet):
    model = ContactMessage
    icon = "mail"
    menu_label = "Contact messages"
    url_prefix = "messages/contact"
    list_display = ["subject", "name", "email", "created_at", "emailed_at"]
    filterset_class = ContactMessageFilters
    search_fields = ["name", "email", "subject", "message"]
    inspect_view_fields = [
        "name",
        "email",
        "subject",
        "message",
        "page",
        "created_at",
        "recipients",
        "emailed_at",
    ]
    list_export = ["created_at", "name", "email", "subject", "message", "page", "emailed_at"]
    export_filename = "contact-messages"


class AdvertisingEnquiryViewSet(ReaderMessageViewSet):
    model = AdvertisingEnquiry
    icon = "mail"
    menu_label = "Advertising enquiries"
    url_prefix = "messages/advertising"
    list_display = ["company", "name", "budget", "placement_labels", "created_at", "emailed_at"]
    filterset_class = AdvertisingEnquiryFilters
    search_fields = ["company", "name", "email", "message"]
    inspect_view_fields = [
        "company",
        "name",
        "email",
        "phone",
        "budget",
        "placement_labels",
        "start_date",
        "end_date",
        "message",
        "page",
        "created_at",
        "recipients",
        "emailed_at",
    ]
    list_export = [
        "created_at",
        "company",
        "name",
        "email",
        "phone",
        "budget",
        "placement_labels",
        "start_date",
        "end_date",
        "message",
        "emailed_at",
    ]
    export_headings = {"placement_labels": "Placements", "name": "Contact name"}
    export_filename = "advertising-enquiries"


class MessagesGroup(ViewSetGroup):
    menu_label = "Messages"
    menu_icon = "mail"
    menu_order = 250
    items = [ContactMessageViewSet, AdvertisingEnquiryViewSet]


register_permission_policy(ContactMessage, ReadAndDeletePolicy(ContactMessage))
register_permission_policy(AdvertisingEnquiry, ReadAndDeletePolicy(AdvertisingEnquiry))


@hooks.register("register_admin_viewset")
def register_messages():
    return MessagesGroup()
