"""The WSGI application gunicorn serves during the page benchmark.

`/bench/raw/` is answered by a plain WSGI callable before Django is involved:
the ceiling of this server, worker model and client. Everything else goes to
the Django application with `bench.settings`.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

django_app = get_wsgi_application()
RAW_BODY = b"ok\n"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/raw/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(RAW_BODY)))])
        return [RAW_BODY]
    return django_app(environ, start_response)
