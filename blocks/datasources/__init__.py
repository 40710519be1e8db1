"""Data sources: the values of `dataSource` fields, filled when a block is read (FIELDS.md "Data sources").

    resolve(site, locale, schema, data, preview=False, block_id=None) -> a copy of `data` with every
                                                  dataSource field filled, in a bounded number of queries
    get_source(name)                              -> the callable registered in `settings.CMS_DATA_SOURCES`

A source is a callable `(site, locale, params) -> JSON value`, registered by name in `CMS_DATA_SOURCES`.
The built-in `blocks` and `block` sources also answer many requests in one query (`resolve_many`) and hand
the blocks they return back to the resolver, which fills their own dataSource fields one level deeper.
"""

from blocks.datasources.builtins import published_block, published_blocks
from blocks.datasources.registry import get_source, source_names
from blocks.datasources.resolver import Resolution, datasource_paths, resolve

__all__ = [
    "Resolution",
    "datasource_paths",
    "get_source",
    "published_block",
    "published_blocks",
    "resolve",
    "source_names",
]
