"""Benchmark-only settings: the production settings plus the limit views' URLconf.

The environment decides production vs development exactly as for the real
site (bench.pages sets DJANGO_DEBUG=false and friends for gunicorn); this
module only swaps the URLconf so `/bench/bare/` exists, and keeps the
collected static files out of the project's STATIC_ROOT.
"""

from mentorship.settings import *  # noqa: F403
from mentorship.settings import VAR_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = VAR_DIR / "bench-static"
