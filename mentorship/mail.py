"""Development email: every message a file in var/mail/, one `.eml` each.

The default under DEBUG when EMAIL_URL is not set (settings.py). Open a file with any
mail program (Thunderbird, Evolution, Apple Mail, Outlook), or read it as text:
`ls -t var/mail | head` lists the newest first. Nothing leaves the machine.
"""

import itertools
import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

_numbers = itertools.count(1)


class EmlFolderBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            path = folder / f"{stamp}-{next(_numbers)}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\r\n"))
            # The path only: addresses and subjects stay out of the log.
            print(f"Email written to {path}", file=sys.stderr)
            sent += 1
        return sent
