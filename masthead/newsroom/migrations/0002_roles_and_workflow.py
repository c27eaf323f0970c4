"""The newsroom's roles as groups (masthead/newsroom/roles.py), a desk for each section that is
already there, and the "Newsroom review" workflow (one "Section desk review" step) on the
root page, so that it covers every home page and everything below."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from masthead.newsroom import roles

WORKFLOW = "Newsroom review"
TASK = "Section desk review"


def all_permissions_exist(apps):
    # Django creates permissions after the last migration; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permission(apps, label, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=label, codename=codename)


def grant_pages(apps, group, page, actions):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    for action in actions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=permission(apps, "wagtailcore", f"{action}_page")
        )


def create_roles(apps, schema_editor):
    all_permissions_exist(apps)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Permission.objects.get_or_create(
        content_type=page_type,
        codename="publish_own_page",
        defaults={"name": "Can publish their own pages"},
    )
    root = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)

    for name in roles.ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in roles.MODEL_PERMISSIONS.get(name, ()):
            label, codename = dotted.split(".")
            group.permissions.add(permission(apps, label, codename))
        grant_pages(apps, group, root, roles.PAGE_PERMISSIONS.get(name, ()))
        for action in roles.COLLECTION_PERMISSIONS.get(name, ()):
            for label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=permission(apps, label, f"{action}_{model}"),
                )

    section_type = ContentType.objects.filter(app_label="sections", model="sectionpage").first()
    if section_type:
        for section in Page.objects.filter(content_type=section_type, depth=3):
            for template, actions in roles.DESK_PAGE_PERMISSIONS.items():
                group, _ = Group.objects.get_or_create(name=template.format(section.title)[:140])
                grant_pages(apps, group, section, actions)

    task_type, _ = ContentType.objects.get_or_create(
        app_label="newsroom", model="sectiondeskreviewtask"
    )
    Task = apps.get_model("newsroom", "SectionDeskReviewTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    task, _ = Task.objects.get_or_create(name=TASK, defaults={"content_type": task_type})
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Group.objects.filter(name__in=roles.ROLES).delete()
    Group.objects.filter(name__startswith=roles.DESK_CONTRIBUTORS.format("")).delete()
    Group.objects.filter(name__startswith=roles.DESK_EDITORS.format("")).delete()
    Workflow.objects.filter(name=WORKFLOW).delete()
    apps.get_model("newsroom", "SectionDeskReviewTask").objects.filter(name=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("wagtailadmin", "0006_formstate"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("accounts", "0001_initial"),
        ("authors", "0002_initial"),
        ("comments", "0002_comment_answered"),
        ("core", "0003_sentemail"),
        ("jobs", "0001_initial"),
        ("navigation", "0001_initial"),
        ("sections", "0002_social_image"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
