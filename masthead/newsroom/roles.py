"""The newsroom's roles: what each group may do. The data migration creates the groups from
this table, and a new section's desk groups (desks.py) take their page permissions from it.

Page permissions are Wagtail's (`GroupPagePermission`, inherited by every page below the one
they are granted on); `publish_own` is Masthead's, read by `OwnPagesPermissionTester`
(masthead/core/permissions.py): publishing the pages one created oneself."""

CONTRIBUTOR = "Contributor"
AUTHOR = "Author"
SECTION_EDITOR = "Section editor"
EDITOR_IN_CHIEF = "Editor-in-chief"
ADMINISTRATOR = "Administrator"
ROLES = (CONTRIBUTOR, AUTHOR, SECTION_EDITOR, EDITOR_IN_CHIEF, ADMINISTRATOR)

# The groups of one section's desk, named after the section: "Contributors: News".
DESK_CONTRIBUTORS = "Contributors: {}"
DESK_EDITORS = "Section editors: {}"

# Page permissions: on the root page for whole-site roles, on the section for its desk.
EDITORIAL = ("add", "change", "publish", "lock", "unlock", "bulk_delete")
PAGE_PERMISSIONS = {
    AUTHOR: ("add", "publish_own", "lock", "unlock"),
    EDITOR_IN_CHIEF: EDITORIAL,
}
DESK_PAGE_PERMISSIONS = {
    DESK_CONTRIBUTORS: ("add",),
    DESK_EDITORS: EDITORIAL,
}

# Images and documents: Wagtail grants them per collection (on the root collection here).
WRITING_MEDIA = ("add", "choose")
EDITING_MEDIA = ("add", "change", "choose")
ALL_MEDIA = ("add", "change", "delete", "choose")
COLLECTION_PERMISSIONS = {
    CONTRIBUTOR: WRITING_MEDIA,
    AUTHOR: WRITING_MEDIA,
    SECTION_EDITOR: EDITING_MEDIA,
    EDITOR_IN_CHIEF: ALL_MEDIA,
}

# Model permissions, as "app_label.codename".
ADMIN_ACCESS = ("wagtailadmin.access_admin",)
SNIPPETS = (
    "authors.add_author",
    "authors.change_author",
    "authors.delete_author",
    "jobs.add_organisation",
    "jobs.change_organisation",
    "jobs.delete_organisation",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
    "wagtailredirects.add_redirect",
    "wagtailredirects.change_redirect",
    "wagtailredirects.delete_redirect",
    "comments.change_comment",  # moderation of readers' comments
)
USERS_AND_SETTINGS = (
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.add_group",
    "auth.change_group",
    "auth.delete_group",
    "wagtailcore.add_site",
    "wagtailcore.change_site",
    "wagtailcore.delete_site",
    "core.change_sitesettings",
    "navigation.change_navigationsettings",
    "accounts.change_accountsettings",
    "comments.change_commentsettings",
)
MODEL_PERMISSIONS = {
    CONTRIBUTOR: ADMIN_ACCESS,
    AUTHOR: ADMIN_ACCESS + ("authors.change_author",),
    SECTION_EDITOR: ADMIN_ACCESS + ("authors.add_author", "authors.change_author"),
    EDITOR_IN_CHIEF: ADMIN_ACCESS + SNIPPETS,
    ADMINISTRATOR: ADMIN_ACCESS + USERS_AND_SETTINGS,
}
