// The example frontend's preview route: what a site's Preview URL points at, e.g.
//
//   CMS_URL=http://127.0.0.1:8000 CMS_SITE=demo PORT=3000 node preview.mjs
//   (Preview URL of the site: http://127.0.0.1:3000/preview?slug={slug}&locale={locale}&token={token})
//
// It reads the block's working copy (or a release's state, with a release-scoped token) with the preview token
// from its URL, renders it with render.mjs, and adds the live-preview listener (`liveListener`): when the CMS's
// block page saves, it posts {type: "cms:saved"} to this page in its iframe; the page answers {type: "cms:ack"}
// and reloads itself, reading the new working copy. Prints "listening on <url>" once it listens.

import { createServer } from "node:http";

import { CmsError, createClient } from "../../clients/js/src/index.js";
import { escape, liveListener, page } from "./render.mjs";

const baseUrl = process.env.CMS_URL ?? "http://127.0.0.1:8000";
const site = process.env.CMS_SITE ?? "demo";
const port = Number(process.env.PORT ?? 3000);
const cmsOrigin = new URL(baseUrl).origin;

function answer(response, status, html) {
  response.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  response.end(html);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url, "http://localhost");
  if (url.pathname !== "/preview") return answer(response, 404, "<h1>Not found</h1>");
  const { slug, locale, token } = Object.fromEntries(url.searchParams);
  if (!slug || !token) return answer(response, 400, "<h1>A preview needs ?slug= and ?token=</h1>");
  // A client per request: the token is the reader's, and answers must not be kept between previews.
  const cms = createClient({ baseUrl, site, token });
  try {
    const { data: block } = await cms.getBlock(slug, { locale: locale || undefined });
    const html = page(block, { header: "", footer: "", accent: block.data.accent, locale: block.locale });
    answer(response, 200, html.replace("</body>", `${liveListener(cmsOrigin)}\n</body>`));
  } catch (error) {
    const status = error instanceof CmsError ? error.status || 502 : 502;
    answer(response, status, `<h1>Preview unavailable</h1><p>${escape(error.message)}</p>`);
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
