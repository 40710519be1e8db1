"""Site bundles: a site's content as a directory of JSON files, to carry between environments (docs/environments.md)."""
