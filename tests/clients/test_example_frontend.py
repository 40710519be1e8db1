"""The example frontend (examples/frontend) builds the demo site from a live server into static HTML that holds
the demo's published content in both locales, and nothing unpublished."""

from __future__ import annotations

from tests.clients.conftest import EXAMPLE, run_node


def test_example_frontend_builds_the_demo_site(demo, tmp_path):
    out = tmp_path / "dist"
    env = {**demo.env(), "CMS_LOCALES": "en,fr", "OUT_DIR": str(out)}
    env.pop("CMS_PREVIEW_TOKEN")
    done = run_node(["build.mjs"], cwd=EXAMPLE, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(str(path.relative_to(out)) for path in out.rglob("*.html")) == [
        "en/about/index.html",
        "fr/a-propos/index.html",
    ]
    assert (
        done.stdout.splitlines()[-1] == f"built demo from {demo.url} (8 requests)"
    )  # per locale: header, footer, the list, the page

    english = (out / "en" / "about" / "index.html").read_text()
    assert '<html lang="en">' in english
    assert "<title>About us</title>" in english and "<h1>About us</h1>" in english
    assert "<article><p>We build <strong>tools for editors</strong>.</p></article>" in english
    assert '<img class="hero" src="https://cdn.example.com/demo/hero.jpg" alt="Our team">' in english
    assert '<time datetime="2026-01-15">2026-01-15</time>' in english
    assert '<img class="logo" src="https://cdn.example.com/demo/logo.svg" alt="Demo logo">' in english
    assert '<p class="tagline">Content that ships itself</p>' in english
    nav = '<li><a href="/en/">Home</a></li><li><a href="/en/blog">Blog</a></li><li><a href="/en/about">About</a></li>'
    assert nav in english
    assert '<a href="/en/privacy">Privacy</a> · <a href="mailto:hi@example.com">Contact</a>' in english
    assert '<p class="copyright">© 2026 Demo Inc.</p>' in english
    assert "--accent: #0f766e;" in english

    french = (out / "fr" / "a-propos" / "index.html").read_text()
    assert '<html lang="fr">' in french
    assert "<h1>À propos de nous</h1>" in french
    assert "<article><p>Nous créons <strong>des outils pour les rédacteurs</strong>.</p></article>" in french
    assert '<li><a href="/fr/a-propos">À propos</a></li>' in french
    assert '<p class="copyright">© 2026 Demo SAS.</p>' in french
    for html in (english, french):
        assert "Not published yet" not in html and "Only in English" not in html
