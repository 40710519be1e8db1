"""Scheduled publishing: who scheduled a block's publish/unpublish, and what went wrong when it could not run.

The times themselves live on the block (`SiteBlock.scheduled_publish_at` / `scheduled_unpublish_at`, which the
API shows and `live()` honours); this app keeps what the block does not: the scheduling user (the author of
the scheduled revision) and the last failure. Setting the times is `scheduling.services`; the worker
task is `scheduling.tasks`, which runs `scheduling.performing`.
"""
