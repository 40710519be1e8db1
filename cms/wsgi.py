"""WSGI entry point the production server runs (`make serve`: granian, see cms/server.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.base")
application = get_wsgi_application()
