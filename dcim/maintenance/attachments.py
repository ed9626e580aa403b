"""What a work-order attachment may be: a photo (JPEG, PNG, WebP) or a PDF, within a size.

The type is judged from the file's first bytes, not from its name or the browser's word
for it: a renamed executable is refused. The limit (``MAINTENANCE_ATTACHMENT_MAX_BYTES``,
10 MiB by default) holds a phone photo (3–5 MB) or a scanned report with room to spare.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

# (magic prefix, offset, content type, what people call it)
SIGNATURES = [
    (b"%PDF-", 0, "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "PNG"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "JPEG"),
    (b"WEBP", 8, "image/webp", "WebP"),
]
ALLOWED_WORDS = "JPEG, PNG, WebP or PDF"


def max_bytes() -> int:
    return int(getattr(settings, "MAINTENANCE_ATTACHMENT_MAX_BYTES", 10 * 2**20))


def human(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.1f} KiB"


def sniff(head: bytes) -> str | None:
    """The content type the first bytes say, or None when not an allowed kind."""
    for magic, offset, content_type, _ in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def validate_attachment(f) -> str:
    """Refuse an oversized or disallowed file with a clear message; return its type."""
    limit = max_bytes()
    if f.size > limit:
        raise ValidationError(
            f"{f.name} is {human(f.size)}; attachments may be at most {human(limit)}."
        )
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    head = f.read(16)
    f.seek(pos)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            f"{f.name} is not a photo or PDF: only {ALLOWED_WORDS} files are accepted."
        )
    return content_type
