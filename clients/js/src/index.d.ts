// Types of the CMS delivery client (index.js). The block shapes match the generated types.ts of a site
// (GET /api/v1/site-blocks/types.ts): pass its `BlockTypes` to `createClient<BlockTypes>(…)`.

/** What every block answer holds (a generated `…Block` interface narrows `slug`, `type` and `data`). */
export interface CmsBlock {
  id: number;
  name: string;
  slug: string;
  type: "global" | "page";
  locale: string;
  path?: string;
  tags: string[];
  data: { [key: string]: unknown };
  publishedAt: string | null;
  version: number;
}

/** A map from slug to block type: the generated `BlockTypes`, or any block by default. */
export type BlockMap<M> = { [K in keyof M]: CmsBlock };

export interface CmsBlockMeta {
  /** The locale served: the one asked for, or the first of its fallback chain that has the block. */
  locale: string;
  preview?: boolean;
}

export interface CmsBlockAnswer<B extends CmsBlock = CmsBlock> {
  data: B;
  meta: CmsBlockMeta;
}

export interface CmsListMeta {
  total: number;
  perPage: number;
  currentPage: number;
  lastPage: number;
  locale: string;
  preview?: boolean;
}

export interface CmsListAnswer<B extends CmsBlock = CmsBlock> {
  data: B[];
  meta: CmsListMeta;
}

export type CmsSyncItem<B extends CmsBlock = CmsBlock> =
  | { op: "upsert"; kind: "block"; slug: string; locale: string; sequence: number; block: B }
  | { op: "delete"; kind: "block"; slug: string; locale: string; sequence: number; block: null };

export interface CmsSyncResult<B extends CmsBlock = CmsBlock> {
  /** Every change of every page of the feed, in `sequence` order. */
  items: CmsSyncItem<B>[];
  /** Pass it to the next `sync` to get only what changed since. */
  cursor: string;
}

/** Any block of the map `M`; any page block of it (any block at all when the map names no page). */
export type AnyBlockOf<M> = M[keyof M] extends CmsBlock ? M[keyof M] : CmsBlock;
export type PageOf<M> = [Extract<AnyBlockOf<M>, { type: "page" }>] extends [never]
  ? CmsBlock
  : Extract<AnyBlockOf<M>, { type: "page" }>;

export interface ReadOptions {
  /** A locale code; the API falls back along the locale's chain and says what it served in `meta.locale`. */
  locale?: string;
  /** Read working copies (drafts too): needs a token with the `preview` scope. */
  preview?: boolean;
}

export interface ListOptions extends ReadOptions {
  type?: "global" | "page";
  /** Blocks with any of these tags. */
  tags?: string[] | string;
  page?: number;
  perPage?: number;
}

export interface SyncOptions {
  /** The cursor a previous `sync` returned; none for a full sync. */
  cursor?: string | null;
  /** Items per page of the feed (1 to 100). */
  limit?: number;
}

export interface ClientOptions {
  /** The CMS's base URL, e.g. `https://cms.example.com`. */
  baseUrl: string;
  /** The site's slug. */
  site: string;
  /** A `read` token (private sites) or `preview` token; send none for a public site's published content. */
  token?: string;
  /** The default locale of every read (else the site's default locale). */
  locale?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
  /** How many answers to remember for ETag revalidation (default 500). */
  cacheEntries?: number;
}

/** An error answer of the API (the envelope's `code`, `message`, `fields`), or `network_error`/`bad_response`. */
export declare class CmsError extends Error {
  readonly name: "CmsError";
  /** The HTTP status (0 for a network error). */
  readonly status: number;
  readonly code: string;
  /** The exact field paths the API named, e.g. `{"locale": "Not a locale this site enables."}`. */
  readonly fields: { [path: string]: string };
  readonly url: string;
}

export declare class CmsClient<M extends BlockMap<M> = { [slug: string]: CmsBlock }> {
  constructor(options: ClientOptions);
  readonly stats: { requests: number; notModified: number };
  getBlock<S extends keyof M & string>(slug: S, options?: ReadOptions): Promise<CmsBlockAnswer<M[S]>>;
  getPage(path: string, options?: ReadOptions): Promise<CmsBlockAnswer<PageOf<M>>>;
  listBlocks(options?: ListOptions): Promise<CmsListAnswer<AnyBlockOf<M>>>;
  sync(options?: SyncOptions): Promise<CmsSyncResult<AnyBlockOf<M>>>;
  clearCache(): void;
}

export declare function createClient<M extends BlockMap<M> = { [slug: string]: CmsBlock }>(
  options: ClientOptions,
): CmsClient<M>;
