"""The HTTP face of blocks: serializers, views, filters and URLs for the management API."""
