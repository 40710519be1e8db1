"""Data sources: the values of `dataSource` fields, filled when a block is read (docs/fields.md "dataSource").

    resolve(site, locale, schema, data, preview=False, block_id=None) -> a copy of `data` with every
                                                  dataSource field filled, in a bounded number of queries
    register_builtin_sources()                    -> registers `blocks` and `block` (`BlocksConfig.ready()`)

A source is a callable `(site, locale, params) -> JSON value`, registered by name in `schema.sources` (the
schema engine checks a field's `source` against those names).
The built-in `blocks` and `block` sources also answer many requests in one query (`resolve_many`) and hand
the blocks they return back to the resolver, which fills their own dataSource fields one level deeper.
"""

from blocks.datasources.builtins import published_block, published_blocks, register_builtin_sources
from blocks.datasources.resolver import Resolution, datasource_paths, resolve

__all__ = [
    "Resolution",
    "datasource_paths",
    "published_block",
    "published_blocks",
    "register_builtin_sources",
    "resolve",
]
