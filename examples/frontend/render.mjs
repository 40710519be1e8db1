// HTML of the example frontend: one function per part (page, header, footer), pure (data in, text out).
// Text is escaped; richtext fields are inserted as they are, because the CMS stores them sanitised.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/** An `image` value in any of its forms: by URL, a media library asset (with a srcset), or a missing asset. */
export function image(value, className) {
  if (!value || value.missing || !value.url) return "";
  const srcset = (value.renditions ?? []).map((r) => `${escape(r.url)} ${r.width}w`).join(", ");
  const size = value.width && value.height ? ` width="${value.width}" height="${value.height}"` : "";
  return (
    `<img class="${className}" src="${escape(value.url)}" alt="${escape(value.alt)}"${size}` +
    (srcset ? ` srcset="${srcset}"` : "") +
    ">"
  );
}

/** A link of the site: internal paths are prefixed with the locale's folder. */
function href(url, locale) {
  return url.startsWith("/") ? `/${locale}${url === "/" ? "/" : url}` : url;
}

export function header(block, locale) {
  const data = block.data;
  const links = (data.navLinks ?? [])
    .map((link) => `<li><a href="${escape(href(link.url, locale))}">${escape(link.label)}</a></li>`)
    .join("");
  return `<header>${image(data.logo, "logo")}<p class="tagline">${escape(data.tagline)}</p><nav><ul>${links}</ul></nav></header>`;
}

export function footer(block, locale) {
  const data = block.data;
  const links = (data.links ?? [])
    .map((link) => `<a href="${escape(href(link.url, locale))}">${escape(link.label)}</a>`)
    .join(" · ");
  return `<footer><p>${links}</p><p class="copyright">${escape(data.copyright)}</p></footer>`;
}

/** A page block: its `title`, `body` (richtext), `hero` image and `publishedOn` date when it has them. */
export function page(block, { header: top, footer: bottom, accent, locale }) {
  const data = block.data;
  const published = data.publishedOn ? `<p class="date"><time datetime="${escape(data.publishedOn)}">${escape(data.publishedOn)}</time></p>` : "";
  return `<!doctype html>
<html lang="${escape(block.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(data.title ?? block.name)}</title>
<style>:root { --accent: ${/^#[0-9a-fA-F]{3,8}$/.test(accent ?? "") ? accent : "#333"}; } a { color: var(--accent); }</style>
</head>
<body data-locale-asked="${escape(locale)}">
${top}
<main>
<h1>${escape(data.title ?? block.name)}</h1>
${image(data.hero, "hero")}
${published}
<article>${data.body ?? ""}</article>
</main>
${bottom}
</body>
</html>
`;
}

/**
 * The live preview's listener, for pages shown in the CMS's live preview panel: the block page posts
 * `{type: "cms:saved", slug, locale, version}` after each save; answer `{type: "cms:ack"}` (so the CMS does not
 * reload the frame itself) and reload, which reads the new working copy. Messages from any other origin than
 * the CMS's are ignored.
 */
export function liveListener(cmsOrigin) {
  return `<script>
window.addEventListener("message", (event) => {
  if (event.origin !== ${JSON.stringify(cmsOrigin)} || !event.data || event.data.type !== "cms:saved") return;
  event.source.postMessage({ type: "cms:ack", slug: event.data.slug, version: event.data.version }, event.origin);
  window.location.reload();
});
</script>`;
}
