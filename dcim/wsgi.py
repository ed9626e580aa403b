"""The WSGI application, loaded once per web worker (gunicorn imports this module).

``prepare_worker`` imports every view before the first request and then freezes what is
loaded: ``gc.freeze()`` moves the ~200,000 objects of a loaded Django process out of the
collector's sight. A full collection over them took 110-130 ms on a 2-core VM, and it
lands inside whichever request crosses the threshold (the GPU table's p95 went from 122 to
250 ms). See docs/decisions/0016.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")


def prepare_worker() -> None:
    """Import the URLconf (and with it every view module), then freeze the loaded objects."""
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    gc.freeze()


application = get_wsgi_application()
prepare_worker()
