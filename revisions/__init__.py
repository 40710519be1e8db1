"""Revisions of blocks on django-reversion: recording, change lists, compare and restore."""
