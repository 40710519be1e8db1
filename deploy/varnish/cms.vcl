# Varnish in front of the CMS's delivery API (docs/operations.md "CDN"). Needs vmod xkey (Debian:
# `apt-get install varnish varnish-modules`). The CMS purges by key after every change when run with
#   CMS_CDN_PURGER=varnish CMS_CDN_PURGE_URLS=http://127.0.0.1:6081/   (one URL per Varnish, comma-separated)
# and tests/delivery/test_varnish.py runs this file (with its backend port) in front of a live server.
vcl 4.1;

import xkey;

# The CMS application server (`make serve`, granian). Several app hosts: a director, or one backend each.
backend cms {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the CMS's own hosts. Only loopback here; add the app hosts' addresses when they are others.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "An xkey header naming the keys to purge is required"));
        }
        # A hard purge: the next request goes to the CMS, so a publish is visible at once (a soft purge would
        # serve the stale copy during the grace of stale-while-revalidate).
        set req.http.n-gone = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    # Everything else follows the built-in logic: only GET and HEAD are cached, and a request with an
    # Authorization header (private sites, previews) or a cookie (the admin) goes to the CMS every time.
}

sub vcl_backend_response {
    # xkey reads the keys from `xkey`: the CMS names them in Surrogate-Key (and Cache-Tag for Cloudflare).
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Cache-Control is respected as sent: the built-in logic takes max-age (stale-while-revalidate as grace)
    # and does not cache `private` or `no-store` answers (private sites, previews, the sync feed, errors).
}

sub vcl_deliver {
    unset resp.http.xkey;
    # Whether this answer came from the cache: for people and tests looking at the headers.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
