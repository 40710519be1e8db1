"""Signed webhooks: per-site subscriptions to block events, delivered by the task worker with retries.

A transactional outbox. A block write emits its events (`blocks.events`); inside the write's transaction,
`webhooks.outbox.record_block_events` inserts ONE queued `fan_out` task carrying the events and, for every
matching webhook of the site, the delivery id chosen now: it commits or rolls back with the write, and no
HTTP happens in the request that wrote the block. The worker (`webhooks.tasks`) fans the row out into one
`WebhookDelivery` per webhook (the exact body) and queues a `deliver` for each; an attempt POSTs the stored
body (`webhooks.sending`) with an HMAC-SHA256 signature over `timestamp + "." + body` (`webhooks.signing`)
and the delivery id (stable across retries, so receivers can de-duplicate), retries with exponential
backoff, and logs every attempt; a watchdog queued with each claim retries an attempt whose worker died.

Modules, lowest first: `models`, `payloads`, `signing`, `targets`, `sending`, `bulk_enqueue` <- `tasks` <-
`outbox` <- `services` <- `admin`, `api`.
"""
