"""The management API of a site's locales: `GET /api/v1/locales` for everyone, changes for owners."""
