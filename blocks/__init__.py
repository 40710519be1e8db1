"""Site blocks: global blocks and pages, their field schemas, data, publishing and delivery."""
