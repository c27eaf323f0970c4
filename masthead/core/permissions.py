"""Publishing one's own pages: Wagtail grants `publish` on a whole subtree, so "an author
publishes their own articles" is a page permission of its own, `publish_own` (granted like
any other with `GroupPagePermission`), that counts as `publish` on the pages the user owns."""

from wagtail.models import PagePermissionTester


class OwnPagesPermissionTester(PagePermissionTester):
    def __init__(self, user, page):
        super().__init__(user, page)
        if (
            user.is_active
            and not user.is_superuser
            and "publish_own" in self.permissions
            and page.owner_id == user.pk
        ):
            self.permissions.add("publish")

    def can_publish_subpage(self):
        """Creating and publishing in one go: the new page is the user's own."""
        if super().can_publish_subpage():
            return True
        return (
            self.user.is_active
            and "publish_own" in self.permissions
            and bool(
                self.page.specific_class and self.page.specific_class.creatable_subpage_models()
            )
        )
