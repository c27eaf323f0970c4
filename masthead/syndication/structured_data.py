"""schema.org data (JSON-LD) and the Open Graph and Twitter tags of each kind of public page."""

import json
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

LOGO_RENDITION = "max-600x600"
# Shipped with the code: used until editors upload the paper's own logo in the site settings.
DEFAULT_LOGO = ("masthead/publisher-logo.png", 512, 512)
ARTICLE_IMAGES = ("fill-1200x675-c100", "fill-1200x900-c100", "fill-1200x1200-c100")
SEARCH_PATH = "/search/"

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data):
    """JSON that cannot close its <script> element, whatever editors typed."""
    # One member a line: closing braces never meet, so no "}}" looks like template markup left
    # unrendered to the checks that look for it.
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=0)
    return mark_safe(text.translate(_ESCAPES))  # noqa: S308 (<, > and & are escaped above)


def plain(text):
    return " ".join(strip_tags(text or "").split())


def organization(here, site_settings):
    logo = site_settings.publisher_logo
    if logo:
        rendition = logo.get_rendition(LOGO_RENDITION)
        logo_data = (here.absolute(rendition.url), rendition.width, rendition.height)
    else:
        path, width, height = DEFAULT_LOGO
        logo_data = (here.absolute(static(path)), width, height)
    url, width, height = logo_data
    data = {
        "@type": "NewsMediaOrganization",
        "@id": here.root_url + "/#publisher",
        "name": here.name,
        "url": here.root_url + "/",
        "logo": {"@type": "ImageObject", "url": url, "width": width, "height": height},
    }
    same_as = [url for _name, url in site_settings.social_links]
    if same_as:
        data["sameAs"] = same_as
    return data


def website(here):
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": here.root_url + "/#website",
        "name": here.name,
        "url": here.root_url + "/",
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": here.root_url + SEARCH_PATH + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumbs(trail):
    """A BreadcrumbList from (name, absolute URL) pairs, the home page first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def person(here, author, site_settings, image_url=None):
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": author.name,
        "url": here.absolute(author.get_absolute_url()),
        "worksFor": {"@id": here.root_url + "/#publisher", "name": here.name},
    }
    if author.role:
        data["jobTitle"] = author.role
    if author.bio:
        data["description"] = plain(author.bio)
    if image_url:
        data["image"] = image_url
    same_as = [url for _name, url in author.social_links]
    if same_as:
        data["sameAs"] = same_as
    return data


def news_article(here, page, canonical, authors, section, tags, publisher):
    image = page.lead_image or page.social_image
    modified = page.modified_at()
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        "description": page.share_description,
        "datePublished": page.date.isoformat(),
        "dateModified": modified.isoformat(),
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "publisher": publisher,
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": here.absolute(author.get_absolute_url()),
            }
            for author in authors
        ]
        or [{"@type": "Organization", "name": here.name, "url": here.root_url + "/"}],
    }
    if image:
        renditions = image.get_renditions(*ARTICLE_IMAGES).values()  # one look-up for all
        data["image"] = [here.absolute(rendition.url) for rendition in renditions]
    if section:
        data["articleSection"] = section.title
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    return data


def live_blog_posting(article, page, entries, canonical):
    """The NewsArticle of live coverage as a LiveBlogPosting, with its entries, newest first."""
    started = min([page.date, *(entry.at for entry in entries)])
    data = {**article, "@type": "LiveBlogPosting", "coverageStartTime": started.isoformat()}
    if page.live_ended_at:
        data["coverageEndTime"] = page.live_ended_at.isoformat()
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": plain(entry.text)[:110],
            "articleBody": plain(entry.text),
            "datePublished": entry.at.isoformat(),
            "url": f"{canonical}#entry-{entry.pk}",
        }
        for entry in entries
    ]
    return data


def twitter_handle(site_settings):
    """'@paper' from the X address in the site settings, if there is one."""
    if not site_settings.x_url:
        return ""
    parts = urlsplit(site_settings.x_url)
    name = parts.path.strip("/").split("/")[0]
    if parts.hostname not in ("x.com", "twitter.com", "www.x.com", "www.twitter.com") or not name:
        return ""
    return "@" + name


def feed_links(title, url_name, **kwargs):
    return [
        {
            "title": f"{title} ({label})",
            "type": content_type,
            "href": reverse(url_name, kwargs={**kwargs, "feed_format": fmt}),
        }
        for fmt, label, content_type in (
            ("rss", "RSS", "application/rss+xml"),
            ("atom", "Atom", "application/atom+xml"),
            ("json", "JSON Feed", "application/feed+json"),
        )
    ]


def job_posting(here, vacancy, canonical):
    """A JobPosting for an open vacancy (search engines want none on a closed one)."""
    organisation = vacancy.organisation
    hiring = {"@type": "Organization", "name": organisation.name}
    if organisation.website:
        hiring["sameAs"] = organisation.website
    if organisation.logo:
        hiring["logo"] = here.absolute(organisation.logo.get_rendition(LOGO_RENDITION).url)
    posted = vacancy.first_published_at or vacancy.last_published_at
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": vacancy.title,
        "description": vacancy.description,
        "datePosted": posted.date().isoformat() if posted else None,
        "validThrough": f"{vacancy.closing_date.isoformat()}T23:59:59",
        "employmentType": vacancy.employment_type,
        "hiringOrganization": hiring,
        "url": canonical,
        "directApply": False,
    }
    if vacancy.workplace == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
        if vacancy.country:
            data["applicantLocationRequirements"] = {"@type": "Country", "name": vacancy.country}
    else:
        address = {"@type": "PostalAddress"}
        if vacancy.location:
            address["addressLocality"] = vacancy.location
        if vacancy.country:
            address["addressCountry"] = vacancy.country
        data["jobLocation"] = {"@type": "Place", "address": address}
    if vacancy.salary_min or vacancy.salary_max:
        value = {"@type": "QuantitativeValue", "unitText": vacancy.salary_period or "YEAR"}
        if vacancy.salary_min:
            value["minValue"] = int(vacancy.salary_min)
        if vacancy.salary_max:
            value["maxValue"] = int(vacancy.salary_max)
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": vacancy.salary_currency,
            "value": value,
        }
    return {key: value for key, value in data.items() if value is not None}
