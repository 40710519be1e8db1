// The client's side of what a live server cannot show on demand, against a stand-in `fetch`: the sync feed's
// paging and cursors, an expired cursor, answers that are not the API's JSON. Needs no server.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CmsError, createClient } from "../src/index.js";

/** A `fetch` that answers from `routes` (path+query → [status, body, headers]) and records each request. */
function standIn(routes) {
  const seen = [];
  const fetch = async (url, init) => {
    const { pathname, search } = new URL(url);
    seen.push({ path: pathname + search, headers: init.headers });
    const [status, body, headers = {}] = routes[pathname + search] ?? [404, { error: { code: "not_found", message: "No route." } }];
    return new Response(typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json", ...headers },
    });
  };
  return { fetch, seen };
}

const block = (slug, locale) => ({ id: 1, name: slug, slug, type: "global", locale, tags: [], data: {}, publishedAt: null, version: 1 });
const FEED = "/api/v1/delivery/demo/sync";

test("sync follows meta.cursor while hasMore, and answers every item and the last cursor", async () => {
  const { fetch, seen } = standIn({
    [`${FEED}?limit=2`]: [200, { data: [
      { op: "upsert", kind: "block", slug: "a", locale: "en", sequence: 1, block: block("a", "en") },
      { op: "upsert", kind: "block", slug: "b", locale: "en", sequence: 2, block: block("b", "en") },
    ], meta: { cursor: "c1", hasMore: true } }],
    [`${FEED}?cursor=c1&limit=2`]: [200, { data: [
      { op: "delete", kind: "block", slug: "c", locale: "fr", sequence: 3, block: null },
    ], meta: { cursor: "c2", hasMore: false } }],
    [`${FEED}?cursor=c2`]: [200, { data: [], meta: { cursor: "c2", hasMore: false } }],
  });
  const cms = createClient({ baseUrl: "http://cms.test/", site: "demo", fetch });
  const full = await cms.sync({ limit: 2 });
  assert.deepEqual(full.items.map((item) => [item.op, item.slug, item.sequence]), [["upsert", "a", 1], ["upsert", "b", 2], ["delete", "c", 3]]);
  assert.equal(full.cursor, "c2");
  const later = await cms.sync({ cursor: full.cursor });
  assert.deepEqual(later, { items: [], cursor: "c2" });
  assert.deepEqual(seen.map((request) => request.path), [`${FEED}?limit=2`, `${FEED}?cursor=c1&limit=2`, `${FEED}?cursor=c2`]);
  assert.ok(seen.every((request) => !("If-None-Match" in request.headers)), "the feed is never revalidated");
});

test("an expired cursor is a CmsError sync_cursor_expired (410)", async () => {
  const message = "This cursor expired: do a full sync: call /sync without a cursor.";
  const { fetch } = standIn({ [`${FEED}?cursor=old`]: [410, { error: { code: "sync_cursor_expired", message } }] });
  const cms = createClient({ baseUrl: "http://cms.test", site: "demo", fetch });
  await assert.rejects(cms.sync({ cursor: "old" }), (error) => {
    assert.ok(error instanceof CmsError);
    assert.deepEqual([error.status, error.code, error.message, error.fields], [410, "sync_cursor_expired", message, {}]);
    return true;
  });
});

test("an answer that is not the API's JSON is bad_response", async () => {
  const { fetch } = standIn({
    "/api/v1/delivery/demo/blocks/html": [502, "<html>Bad gateway</html>", { "Content-Type": "text/html" }],
    "/api/v1/delivery/demo/blocks/text": [200, "not json"],
  });
  const cms = createClient({ baseUrl: "http://cms.test", site: "demo", fetch });
  await assert.rejects(cms.getBlock("html"), { name: "CmsError", status: 502, code: "bad_response" });
  await assert.rejects(cms.getBlock("text"), { name: "CmsError", status: 200, code: "bad_response" });
});

test("a token is sent as a bearer token; options are checked", async () => {
  const { fetch, seen } = standIn({ "/api/v1/delivery/demo/blocks/a?locale=fr": [200, { data: block("a", "fr"), meta: { locale: "fr" } }] });
  await createClient({ baseUrl: "http://cms.test", site: "demo", token: "cms_x", locale: "fr", fetch }).getBlock("a");
  assert.equal(seen[0].headers.Authorization, "Bearer cms_x");
  assert.throws(() => createClient({ site: "demo" }), TypeError);
  assert.throws(() => createClient({ baseUrl: "http://cms.test" }), TypeError);
});
