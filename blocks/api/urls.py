"""URLs of the management API for site blocks (mounted at /api/v1/)."""

urlpatterns: list = []
