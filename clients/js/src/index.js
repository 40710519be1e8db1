// A client of the CMS delivery API (docs/frontends.md), with no dependencies: the global `fetch` of Node 20+
// and browsers. Types in index.d.ts; pass the generated `BlockTypes` (GET /api/v1/site-blocks/types.ts) as the
// type parameter of `createClient` and every answer is typed by slug.
//
// Why it keeps answers: every delivery answer carries a strong ETag, so the client remembers the last ETag and
// body per URL and sends `If-None-Match`; a `304 Not Modified` costs a round trip and no body, and returns the
// remembered body. Locale fallback is the API's own (the answer's `meta.locale` says what was served).

/** An error answer of the API (its envelope's `code`, `message` and `fields`), or a transport problem. */
export class CmsError extends Error {
  constructor({ status, code, message, fields = {}, url }) {
    super(message);
    this.name = "CmsError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.url = url;
  }
}

const DEFAULT_CACHE_ENTRIES = 500;

export class CmsClient {
  #base;
  #token;
  #locale;
  #fetch;
  #cache = new Map(); // url -> {etag, body}, oldest first (a Map keeps insertion order)
  #cacheEntries;

  /** Counters a caller (or a test) reads: requests sent, and how many were answered 304. */
  stats = { requests: 0, notModified: 0 };

  constructor({ baseUrl, site, token, locale, fetch: fetchImpl, cacheEntries = DEFAULT_CACHE_ENTRIES } = {}) {
    if (!baseUrl) throw new TypeError("createClient: `baseUrl` is required (e.g. http://127.0.0.1:8000)");
    if (!site) throw new TypeError("createClient: `site` is required (the site's slug, e.g. demo)");
    this.#base = `${String(baseUrl).replace(/\/+$/, "")}/api/v1/delivery/${encodeURIComponent(site)}`;
    this.#token = token;
    this.#locale = locale;
    this.#fetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
    this.#cacheEntries = cacheEntries;
  }

  /** One published block by slug (`preview: true` reads the working copy; needs a `preview` token). */
  getBlock(slug, { locale, preview } = {}) {
    return this.#get(`/blocks/${encodeURIComponent(slug)}`, this.#common({ locale, preview }));
  }

  /** The published page at `path` (`/about`). */
  getPage(path, { locale, preview } = {}) {
    return this.#get("/pages", { path, ...this.#common({ locale, preview }) });
  }

  /** A page of published blocks; `tags` matches blocks with any of them. */
  listBlocks({ type, tags, page, perPage, locale, preview } = {}) {
    const query = { ...this.#common({ locale, preview }) };
    if (type !== undefined) query.type = type;
    if (tags !== undefined) query.tags = Array.isArray(tags) ? tags.join(",") : tags;
    if (page !== undefined) query.page = String(page);
    if (perPage !== undefined) query.perPage = String(perPage);
    return this.#get("/blocks", query);
  }

  /**
   * The sync feed: every change since `cursor` (a full sync without one), page after page while `hasMore`.
   * Keep the returned `cursor` and pass it next time. A `CmsError` with code `sync_cursor_expired` (410)
   * means: sync again from scratch (no cursor).
   */
  async sync({ cursor, limit } = {}) {
    const items = [];
    let next = cursor;
    for (;;) {
      const query = {};
      if (next !== undefined && next !== null) query.cursor = next;
      if (limit !== undefined) query.limit = String(limit);
      const answer = await this.#get("/sync", query, { revalidate: false });
      items.push(...answer.data);
      next = answer.meta.cursor;
      if (!answer.meta.hasMore) return { items, cursor: next };
    }
  }

  /** Forget every remembered answer (the next requests are sent without `If-None-Match`). */
  clearCache() {
    this.#cache.clear();
  }

  #common({ locale, preview }) {
    const query = {};
    const code = locale ?? this.#locale;
    if (code) query.locale = code;
    if (preview) query.preview = "true";
    return query;
  }

  async #get(path, query, { revalidate = true } = {}) {
    const params = new URLSearchParams(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const url = this.#base + path + (params.size ? `?${params}` : "");
    const headers = { Accept: "application/json" };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    const kept = revalidate ? this.#cache.get(url) : undefined;
    if (kept) headers["If-None-Match"] = kept.etag;
    this.stats.requests += 1;
    let response;
    try {
      response = await this.#fetch(url, { headers });
    } catch (cause) {
      const error = new CmsError({ status: 0, code: "network_error", message: `${url}: ${cause.message}`, url });
      error.cause = cause;
      throw error;
    }
    if (response.status === 304 && kept) {
      this.stats.notModified += 1;
      this.#remember(url, kept);
      return structuredClone(kept.body);
    }
    const text = await response.text();
    let body;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) {
      const envelope = body?.error;
      throw new CmsError({
        status: response.status,
        code: envelope?.code ?? "bad_response",
        message: envelope?.message ?? `${response.status} ${response.statusText} from ${url}`,
        fields: envelope?.fields ?? {},
        url,
      });
    }
    if (body === null || typeof body !== "object") {
      throw new CmsError({ status: response.status, code: "bad_response", message: `Not JSON: ${url}`, url });
    }
    const etag = response.headers.get("etag");
    if (revalidate && etag) this.#remember(url, { etag, body });
    return structuredClone(body);
  }

  #remember(url, entry) {
    this.#cache.delete(url);
    this.#cache.set(url, entry);
    while (this.#cache.size > this.#cacheEntries) this.#cache.delete(this.#cache.keys().next().value);
  }
}

/** A client of one site's delivery API: `createClient({ baseUrl, site, token?, locale? })`. */
export function createClient(options) {
  return new CmsClient(options);
}
