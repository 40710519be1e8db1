"""The wiring of the project: which app hears which moment of another app's workflow, in what order.

Lower apps declare hooks (`cms.hooks.Hook`) for the moments of their workflows and fire them from their
services; they never know who listens. This package, the top layer, subscribes the higher apps' functions to
them, all in `connect()` below, so "what happens after a block is published" is read here, top to bottom.
"""
