"""Reading a delivered report back: its parts, by the rules a mail client follows."""

from __future__ import annotations

import csv
import io
from email.message import Message

from pypdf import PdfReader


def related(msg: Message) -> Message:
    [part] = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
    return part


def html(msg: Message) -> str:
    [part] = [p for p in related(msg).walk() if p.get_content_type() == "text/html"]
    return part.get_payload(decode=True).decode(part.get_content_charset())


def images(msg: Message) -> dict[str, bytes]:
    """{Content-ID without brackets: PNG bytes} of the related part."""
    return {
        p["Content-ID"].strip("<>"): p.get_payload(decode=True)
        for p in related(msg).walk()
        if p.get_content_type() == "image/png"
    }


def pdf_text(msg: Message) -> str:
    [part] = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    reader = PdfReader(io.BytesIO(part.get_payload(decode=True)))
    return "\n".join(page.extract_text() for page in reader.pages)


def csvs(msg: Message) -> dict[str, list[list[str]]]:
    """{file name: rows} of the CSV attachments."""
    out = {}
    for p in msg.walk():
        if p.get_content_type() == "text/csv":
            text = p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")
            out[p.get_filename()] = list(csv.reader(io.StringIO(text)))
    return out
