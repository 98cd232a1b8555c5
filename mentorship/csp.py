"""Content Security Policy helpers, imported by settings (standard library only).

The policy allows no inline script at all. The one inline <style> we keep is
the emergency page's: that page must be a single tiny response that renders
with the database, Redis and static files all unavailable, so it cannot
depend on a stylesheet. Rather than 'unsafe-inline' (which would allow any
injected style on every page) or a nonce (which needs the request and breaks
the page's public caching), the policy lists the SHA-256 of that exact block.
"""

import base64
import hashlib
import re
from pathlib import Path

_STYLE_RE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(templates_dir: Path, *template_names: str) -> list[str]:
    """CSP source expressions ('sha256-…') for the <style> blocks of these templates.

    Computed from the template files at start-up, so editing the emergency
    page's CSS cannot silently break it: the hash follows the file. Only
    blocks without template tags are hashed (their content is fixed).
    """
    hashes = []
    for name in template_names:
        try:
            text = (templates_dir / name).read_text(encoding="utf-8")
        except OSError:
            continue
        for block in _STYLE_RE.findall(text):
            if "{%" in block or "{{" in block:
                continue
            digest = base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes
