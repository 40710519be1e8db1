// The example frontend's build: reads the site's header, footer and every published page through the JS client
// and writes static HTML, one folder per locale: OUT_DIR/<locale>/<path>/index.html.
//
//   CMS_URL=http://127.0.0.1:8000 CMS_SITE=demo CMS_LOCALES=en,fr OUT_DIR=dist node build.mjs
//
// A page missing in a locale is served by the API in its fallback locale (meta.locale says which): the build
// writes it under the locale asked for, so every locale's folder has every page.

import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { createClient } from "../../clients/js/src/index.js";
import { footer, header, page } from "./render.mjs";

const baseUrl = process.env.CMS_URL ?? "http://127.0.0.1:8000";
const site = process.env.CMS_SITE ?? "demo";
const locales = (process.env.CMS_LOCALES ?? "en").split(",").map((code) => code.trim()).filter(Boolean);
const outDir = process.env.OUT_DIR ?? "dist";

const cms = createClient({ baseUrl, site, token: process.env.CMS_TOKEN });

/** Every published page (all pages of the list, 100 at a time). */
async function allPages(locale) {
  const pages = [];
  for (let number = 1; ; number += 1) {
    const { data, meta } = await cms.listBlocks({ type: "page", perPage: 100, page: number, locale });
    pages.push(...data);
    if (number >= meta.lastPage) return pages;
  }
}

async function buildLocale(locale) {
  const [top, bottom] = await Promise.all([cms.getBlock("header", { locale }), cms.getBlock("footer", { locale })]);
  const parts = {
    header: header(top.data, locale),
    footer: footer(bottom.data, locale),
    accent: bottom.data.data.accent,
    locale,
  };
  const written = [];
  for (const listed of await allPages(locale)) {
    const { data: block } = await cms.getPage(listed.path, { locale });
    const file = join(outDir, locale, ...block.path.split("/").filter(Boolean), "index.html");
    await mkdir(join(file, ".."), { recursive: true });
    await writeFile(file, page(block, parts));
    written.push(file);
  }
  return written;
}

await rm(outDir, { recursive: true, force: true });
for (const locale of locales) {
  for (const file of await buildLocale(locale)) console.log(`wrote ${file}`);
}
console.log(`built ${site} from ${baseUrl} (${cms.stats.requests} requests)`);
