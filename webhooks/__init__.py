"""Signed webhooks: per-site subscriptions to block events, delivered by the task worker with retries.

A block write emits an event (`blocks.events`); inside the write's transaction, `webhooks.outbox` records a
`WebhookDelivery` for every matching webhook of the site and queues `webhooks.tasks.deliver` (a
transactional outbox: both commit or roll back with the write). The worker
POSTs the stored body with an HMAC-SHA256 signature over `timestamp + "." + body` and the delivery id
(stable across retries, so receivers can de-duplicate), retries with exponential backoff, and logs every
attempt. No HTTP happens in the request that wrote the block.
"""
