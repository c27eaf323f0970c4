# Varnish in front of Masthead: caches what Masthead marks public, purged by content keys.
# Started by deploy/varnish/run, which copies it into its work directory beside backend.vcl
# (the backend's address, included below); the README, "Front cache (Varnish)", says more.
vcl 4.1;

import std;
import xkey;

probe masthead_health {
    # Answers 503 when the site cannot reach its database (never cached): the backend is then
    # sick, and readers get the stored pages (stale-if-error) instead of error pages.
    .url = "/_health/";
    .interval = 2s;
    # Generous: under a flood every gunicorn worker may be busy building pages for a while,
    # and a backend marked sick turns each miss into a 503.
    .timeout = 5s;
    .window = 5;
    .threshold = 2;
    .initial = 1;
}

include "backend.vcl";

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # X-Forwarded-For: varnishd has already appended client.ip (the address this request
    # came from) after whatever the client sent, for every method, before vcl_recv. The site
    # believes only as many entries from the right as TRUSTED_PROXY_COUNT says (1 with
    # Varnish alone, 2 with a TLS proxy in front that appends too), so nothing here may set,
    # unset or rewrite that header (tests/test_varnish.py checks what arrives).
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            if (req.http.xkey-purge !~ "[^\s]") {
                return (synth(400, "Empty xkey-purge"));
            }
            return (synth(200, "Purged " + xkey.purge(req.http.xkey-purge)));
        }
        return (purge);
    }
    call vcl_req_host;
    call vcl_req_method;
    # Editors (the marker cookie Masthead sets at their login) and the private addresses
    # (PAGE_CACHE_PRIVATE_PREFIXES: accounts, admin, Wagtail's utilities, comments) pass.
    if (req.http.Authorization
        || req.http.Cookie ~ "(^|;)\s*masthead_editor="
        || req.url ~ "^/(accounts|admin|_util|comments)/") {
        return (pass);
    }
    # A signed-in reader gets the same stored page as everybody. Only their session goes on
    # to the site, on a miss: Masthead builds a page for the cache without looking at it, and
    # answers a page that is theirs alone (a private page they unlocked) as private, which is
    # never stored. Other cookies (csrftoken, consent...) neither split nor bypass the cache.
    if (req.http.Cookie ~ "(^|;)\s*sessionid=") {
        set req.http.Cookie = regsub(req.http.Cookie, "^(.*;\s*)?(sessionid=[^;]*).*$", "\2");
    } else {
        unset req.http.Cookie;
    }
    # Stale-while-revalidate while the backend is healthy; up to obj.grace when it is not.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 60s;
    }
    return (hash);
}

# Fragments (ESI). A page whose part changes with every article published (the footer's recent
# news) would otherwise be purged by every publish, everywhere: the part is an include, fetched
# and purged alone. The price is paid on every hit: Varnish looks each include up and writes
# the page in pieces. Measured on cached pages (bench/cache.py, side by side with nginx serving
# the same assembled HTML as files, wrk -c16, 2 cores): the front page, with no include, at
# 65-75% of nginx's requests/s; articles, with one include (the recent news), at 47-50%; with
# two, 45%, and with three, 28%. So a part is an include only where it must change at once
# everywhere without purging every page (masthead/caching/fragments.py says which go inside):
# an article includes the recent news, and the breaking-news banner only while one shows.
# Not taken, each within the noise of side-by-side runs: masking most of the shared-memory log
# (-p vsl_mask), which would leave varnishncsa and varnishlog without headers; thread_pools=1
# and a smaller thread_pool_min; answering includes straight from vcl_recv and vcl_deliver
# (req.esi_level > 0); stripping the fragments' security headers. The pages are stored as the
# site sends them, uncompressed: stored gzipped, with their includes, Varnish served a fifth of
# what nginx serves precompressed files at, and an uncompressed client made it gunzip each hit.
sub vcl_backend_fetch {
    set bereq.http.Surrogate-Capability = {"varnish="ESI/1.0""};
}

sub vcl_backend_response {
    # A page being refreshed in the background that comes back as an error keeps the stored
    # one (stale-if-error) until the probe marks the backend sick.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Surrogate-Control ~ "ESI/1\.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
        # An assembled page changes with its fragments: the page's own validators would lie.
        unset beresp.http.ETag;
        unset beresp.http.Last-Modified;
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only what Masthead marks shared-cacheable; never a response without Cache-Control.
    # A response that arrives already stale (its Age past s-maxage) is still kept, for
    # stale-if-error.
    if (beresp.ttl + std.duration(beresp.http.Age + "s", 0s) <= 0s
        || beresp.http.Set-Cookie
        || !beresp.http.Cache-Control
        || beresp.http.Cache-Control !~ "(?i)(s-maxage|max-age)="
        || beresp.http.Cache-Control ~ "(?i)(private|no-cache|no-store)"
        || beresp.http.Vary == "*") {
        call vcl_beresp_hitmiss;
    }
    # stale-if-error: kept this long to be served while the backend is sick (a day by default).
    set beresp.grace = std.duration(
        regsub(beresp.http.Cache-Control, "^.*(?i)stale-if-error=(\d+).*$", "\1s"), 1d);
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
    return (deliver);
}

# The site cannot be reached, or answered nothing usable, and there is no stored page to give
# (an editor's request, which always passes, or a page never cached): a plain page that says
# so, in place of Varnish's own. Editors are told that what they saved is kept.
sub vcl_backend_error {
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "30";
    set beresp.http.Cache-Control = "no-store";
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    synthetic({"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>Back in a moment</title></head>
<body style="font-family: Georgia, serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<p>Error 503</p>
<h1>Back in a moment</h1>
<p>The site cannot be reached just now. Please try again in a minute.</p>
<p>If you work in the newsroom: the admin cannot show or save anything until the site is back. What you saved before is kept; if you were saving a change, check that it was kept once the site is back.</p>
</body>
</html>
"});
    return (deliver);
}
