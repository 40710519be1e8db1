"""Signed webhooks: per-site subscriptions to block events, delivered by the task worker with retries.

A block write emits an event (`blocks.events`); after the commit, `webhooks.listeners.on_block_event` makes a
`WebhookDelivery` for every matching webhook of the site and queues `webhooks.tasks.deliver`. The worker
POSTs the stored body with an HMAC-SHA256 signature over `timestamp + "." + body` and the delivery id
(stable across retries, so receivers can de-duplicate), retries with exponential backoff, and logs every
attempt. No HTTP happens in the request that wrote the block.
"""
