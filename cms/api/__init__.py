"""API plumbing shared by every app: errors, parsing, rendering, pagination, auth helpers, throttling."""
