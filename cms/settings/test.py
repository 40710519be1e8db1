"""Settings for the test suite: the same as base, with fast hashing and a private cache."""

from cms.settings.base import *  # noqa: F403
from cms.settings.base import CMS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CMS = {**CMS, "WEBHOOKS_ALLOW_PRIVATE_TARGETS": True}
