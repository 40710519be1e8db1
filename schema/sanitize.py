"""Richtext sanitising: the one place that decides which HTML an editor may store.

nh3 (Rust's ammonia) with its defaults keeps ordinary formatting, links and images and drops `<script>` and
`<style>` with their content, every `on*` event handler and any URL whose scheme is not allowlisted (so
`javascript:` and `data:` links lose their `href`). It is much faster than bleach, which is deprecated
(README "Dependencies").
"""

from __future__ import annotations

import nh3


def sanitize_html(html: str) -> str:
    return nh3.clean(html)
