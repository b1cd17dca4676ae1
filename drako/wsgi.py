"""The WSGI application gunicorn serves (`gunicorn drako.wsgi`), loaded and then frozen.

Everything loaded here (Django, every app, the URLconf with every view it imports) lives as long
as the worker. Python's garbage collector walked all of it on each full collection: about
140,000 objects, a pause of 70-90 ms on the bench machine, landing in whichever request tipped
the count, and the other threads of the worker waiting behind it. gc.freeze() moves what is
loaded by now out of the collector's view; what requests create is collected as before.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drako.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports every view now, not at the first request)
gc.collect()
gc.freeze()
