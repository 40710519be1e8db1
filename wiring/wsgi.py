"""The WSGI application the production server runs (`make serve`: granian, see cms/server.py) and
`runserver` uses (`WSGI_APPLICATION`): Django's handler behind the delivery API's front door
(`delivery.front`), which answers repeats of kept delivery answers before the handler runs. Here, in the
top layer, because the project's base (`cms`) knows nothing of delivery."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.base")
django_application = get_wsgi_application()  # sets Django up: the app modules below import models

from delivery.front import FrontDoor  # noqa: E402  (after Django's setup, on purpose)

application = FrontDoor(django_application)
