"""TypeScript types of a site's delivery answers (docs/frontends.md): one `…Block` interface per block, its
`…Data` typed field by field from the compiled JSON Schema (`schema.typescript`), the envelopes, and a
`BlockTypes` map from slug to block type that the JS client (`clients/js/`) takes as its type parameter.

Served by `GET /api/v1/site-blocks/types.ts` and written by `manage.py export_types`. Which schema a block is
typed from: its published snapshot's (what the delivery API shows), or the working copy's for a block never
published (what a preview shows); the copy in the site's default locale, else in the first locale by code
(locale copies share their schema unless someone changed one alone). The text is deterministic (blocks by
slug, fields in schema order, no timestamp), so it can be committed and diffed.
"""

from __future__ import annotations

import re

from accounts.models import Site
from blocks.models import BlockType, SiteBlock
from schema import compiled_for
from schema.typescript import comment_text, literal, object_members

#: the shapes every file declares: resolved media references (blocks.assets.resolve_refs), data source
#: values (blocks.datasources.builtins), block answers (delivery.answers.block_payload) and their envelopes
PRELUDE = """\
/** Any block data (a `block` data source's value; the data of blocks listed by a `blocks` source). */
export type CmsData = { [key: string]: unknown };

/** One webp rendition of a media library image, for a `srcset`. */
export interface CmsRendition {
  width: number;
  url: string;
}

/** An image given by URL, as written. */
export interface CmsImageByUrl {
  url: string;
  alt?: string;
  width?: number;
  height?: number;
}

/** A file given by URL, as written. */
export interface CmsFileByUrl {
  url: string;
  name?: string;
  size?: number;
  mimeType?: string;
}

/** A media library asset, resolved (`renditions` and `color` for PNG, JPEG, GIF and WebP images). */
export interface CmsAsset {
  asset: number;
  url: string;
  mimeType: string;
  size: number;
  name: string;
  width?: number | null;
  height?: number | null;
  renditions?: CmsRendition[];
  color?: string;
}

/** A reference to an asset deleted since it was written. */
export interface CmsMissingAsset {
  asset: number;
  alt?: string;
  missing: true;
}

/** An `image` value; `Need` holds the URL form's keys the field requires (`requireAlt`: `alt`). */
export type CmsImage<Need extends object = object> =
  | (CmsImageByUrl & Need)
  | (CmsAsset & { alt: string })
  | CmsMissingAsset;

/** A `file` value; `Need` holds the URL form's keys the field requires (`maxSize`: `size`). */
export type CmsFile<Need extends object = object> = (CmsFileByUrl & Need) | CmsAsset | CmsMissingAsset;

/** A block as a `blocks` data source lists it. */
export interface CmsBlockSummary {
  id: number;
  name: string;
  slug: string;
  type: "global" | "page";
  path: string | null;
  data: CmsData;
}

/** What every block answer holds; each block's interface below narrows `slug`, `type` and `data`. */
export interface CmsBlock {
  id: number;
  name: string;
  slug: string;
  type: "global" | "page";
  locale: string;
  path?: string;
  tags: string[];
  data: CmsData;
  publishedAt: string | null;
  version: number;
}

export interface CmsBlockMeta {
  /** The locale served: the one asked for, or the first of its fallback chain that has the block. */
  locale: string;
  preview?: boolean;
}

/** `GET /api/v1/delivery/{site}/blocks/{slug}` and `/pages?path=`. */
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

/** `GET /api/v1/delivery/{site}/blocks`. */
export interface CmsListAnswer<B extends CmsBlock = CmsBlock> {
  data: B[];
  meta: CmsListMeta;
}

/** One change of the sync feed (`GET /api/v1/delivery/{site}/sync`). */
export type CmsSyncItem<B extends CmsBlock = CmsBlock> =
  | { op: "upsert"; kind: "block"; slug: string; locale: string; sequence: number; block: B }
  | { op: "delete"; kind: "block"; slug: string; locale: string; sequence: number; block: null };

export interface CmsSyncAnswer<B extends CmsBlock = CmsBlock> {
  data: CmsSyncItem<B>[];
  meta: { cursor: string; hasMore: boolean };
}

/** Every error answer. */
export interface CmsErrorEnvelope {
  error: { code: string; message: string; fields?: { [path: string]: string } };
}
"""

_WORD = re.compile(r"[A-Za-z0-9]+")


def type_name(slug: str) -> str:
    """`HeaderBlock` for `header`, `AboutPageBlock` for `about-page` (the `Block` suffix is added by the
    caller); a slug that starts with a digit gets `Block` in front (`404` → `Block404`)."""
    name = "".join(word[:1].upper() + word[1:] for word in _WORD.findall(slug)) or "Unnamed"
    return name if not name[0].isdigit() else "Block" + name


def typed_rows(site: Site) -> list[SiteBlock]:
    """One row per slug of `site`, sorted by slug: the copy in the default locale, else the first by code."""
    rows = SiteBlock.objects.filter(site=site).only(
        "id", "slug", "locale", "name", "type", "path", "status", "schema", "published_snapshot"
    )
    chosen: dict[str, SiteBlock] = {}
    for row in sorted(rows, key=lambda r: (r.slug, r.locale != site.default_locale, r.locale)):
        chosen.setdefault(row.slug, row)
    return [chosen[slug] for slug in sorted(chosen)]


def _schema_of(row: SiteBlock) -> list:
    snapshot = row.published_snapshot or {}
    return snapshot.get("schema") or row.schema or []


def site_types(site: Site) -> str:
    """The TypeScript module of `site`'s delivery answers (see the module docstring)."""
    rows = typed_rows(site)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for row in rows:
        base = type_name(row.slug)
        name, n = base, 2
        while name + "Block" in taken or name + "Data" in taken:
            name, n = f"{base}{n}", n + 1
        taken.update({name + "Block", name + "Data"})
        names[row.slug] = name
    out = [
        f"// TypeScript types of the delivery answers of the site `{site.slug}`, generated from its blocks' schemas",
        "// by the CMS (GET /api/v1/site-blocks/types.ts, or manage.py export_types). Do not edit: generate again.",
        "",
        PRELUDE,
    ]
    for row in rows:
        name = names[row.slug]
        fragment = compiled_for(_schema_of(row)).publish_json_schema
        members = object_members(fragment, 1)
        out.append(f"/** The data of `{row.slug}` ({_kind(row)}). */")
        out.append(f"export type {name}Data = " + ("{\n" + "\n".join(members) + "\n};" if members else "{};"))
        out.append("")
        out.append(f"/** {comment_text(row.name)} (`{row.slug}`). */")
        out.append(f"export interface {name}Block extends CmsBlock {{")
        out.append(f"  slug: {literal(row.slug)};")
        out.append(f"  type: {literal(row.type)};")
        if row.type == BlockType.PAGE:
            out.append("  path: string;")
        out.append(f"  data: {name}Data;")
        out.append("}")
        out.append("")
    out.append("/** Every block of the site by slug: the JS client's type parameter (`createClient<BlockTypes>`). */")
    if rows:
        out.append("export interface BlockTypes {")
        out.extend(f"  {literal(row.slug)}: {names[row.slug]}Block;" for row in rows)
        out.append("}")
    else:
        out.append("export type BlockTypes = Record<string, never>;")
    out.append("")
    out.append("export type BlockSlug = keyof BlockTypes;")
    out.append("export type AnyBlock = BlockTypes[BlockSlug];")
    out.append('export type PageBlock = Extract<AnyBlock, { type: "page" }>;')
    return "\n".join(out) + "\n"


def _kind(row: SiteBlock) -> str:
    return f"page at {comment_text(row.path or '')}" if row.type == BlockType.PAGE else "global block"
