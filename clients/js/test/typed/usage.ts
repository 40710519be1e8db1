// A typed use of the client with a site's generated types (types.ts: `manage.py export_types --site demo
// --lang ts`). Never run: tests/clients/test_js_client.py compiles it with `tsc --strict` beside the types
// of the demo site, so a generated type or a client signature that stops fitting fails the suite.

import { CmsError, createClient } from "cms-client";
import type { AboutBlock, BlockTypes, CmsImage, HeaderData } from "./types";

const cms = createClient<BlockTypes>({ baseUrl: "http://127.0.0.1:8000", site: "demo" });

export const header = await cms.getBlock("header", { locale: "fr" });
const served: string = header.meta.locale;
const data: HeaderData = header.data.data;
const tagline: string | undefined = data.tagline;
const labels: string[] = (data.navLinks ?? []).map((link) => `${link.label} → ${link.url}`);
const logo: CmsImage<{ alt: string }> | undefined = data.logo;
const alt: string | undefined = logo && !("missing" in logo) ? logo.alt : undefined;

const footer = await cms.getBlock("footer");
const copyright: string = footer.data.data.copyright; // required: always present once published
const accent: string | undefined = footer.data.data.accent;

const page = await cms.getPage("/about", { preview: false });
const about: AboutBlock = page.data;
const title: string = about.data.title;
const path: string = about.path;

// The checks below can fail: each line is an error that `@ts-expect-error` expects (tsc fails when it is not).
// @ts-expect-error: not a block of the demo site
await cms.getBlock("no-such-block");
// @ts-expect-error: the header has no such field
console.log(header.data.data.nosuchfield);
// @ts-expect-error: the footer's copyright is a string
const notNumber: number = footer.data.data.copyright;
// @ts-expect-error: a navigation link's url is required
const layout: HeaderData["navLinks"] = [{ label: "x" }];

const list = await cms.listBlocks({ type: "global", tags: ["nav"], page: 1, perPage: 20 });
const pages: number = list.meta.lastPage;
for (const block of list.data) {
  if (block.slug === "header") {
    const links: number = block.data.navLinks?.length ?? 0;
    console.log(links);
  }
}

const { items, cursor } = await cms.sync({ cursor: null });
const next: string = cursor;
for (const item of items) {
  if (item.op === "upsert") console.log(item.block.slug, item.block.publishedAt);
  else console.log(item.block === null, item.sequence);
}

try {
  await cms.getBlock("about");
} catch (error) {
  if (error instanceof CmsError) {
    const fields: { [path: string]: string } = error.fields;
    console.log(error.status, error.code, error.message, fields);
  }
}

// @ts-expect-error: compiled with --strict (an implicit any is an error)
export const identity = function (x) { return x; };

console.log(notNumber, layout, served, tagline, labels, alt, copyright, accent, title, path, pages, next);
