"""Settings for the test suite: the same as base, with fast hashing and a private cache.

Rate limits are raised so that tests doing many writes with one token are not throttled by accident;
`tests/api/test_rate_limits.py` puts the production defaults back to test them.
"""

import tempfile

from cms.settings.base import *  # noqa: F403
from cms.settings.base import CMS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CMS = {
    **CMS,
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True,
    "RATE_LIMIT_READS_PER_MINUTE": 100_000,
    "RATE_LIMIT_WRITES_PER_MINUTE": 100_000,
}

# Uploads of the test suite land in a private temporary folder, never in var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="cms-test-media-")
