"""The email: multipart/alternative of a plain-text summary and a multipart/related HTML
part whose charts are PNG images referenced by Content-ID (email clients run no
JavaScript, and most block remote images), plus the PDF and one CSV per table.

Structure (RFC 2387 related inside RFC 2046 alternative, inside mixed)::

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html            <img src="cid:chart-…">
          image/png            Content-ID: <chart-…>
      application/pdf          report.pdf
      text/csv                 one per table
"""

from __future__ import annotations

from dataclasses import dataclass
from email.mime.image import MIMEImage
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string

from dcim.reports import charts, csvfiles, pdf
from dcim.reports.content import Report, Section


class RelatedEmail(EmailMultiAlternatives):
    """Django's message with the HTML alternative wrapped in multipart/related together
    with its inline images; sent through whatever EMAIL_BACKEND is configured."""

    def __init__(self, *args, html: str, images: list[MIMEImage], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.html, self.images = html, images

    def _create_alternatives(self, msg):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        alternative.attach(msg)
        related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
        related.attach(self._create_mime_attachment(self.html, "text/html"))
        for image in self.images:
            related.attach(image)
        alternative.attach(related)
        return alternative


@dataclass
class Rendered:
    """Everything sent for one report: built once, then sent (and retried) as it is."""

    subject: str
    text: str
    html: str
    pdf: bytes
    csvs: list[tuple[str, str]]
    pngs: dict[str, bytes]
    cids: dict[str, str]

    def pdf_name(self, report: Report) -> str:
        return f"{report.kind}-{report.site_slug}-{report.generated_at:%Y%m%d-%H%M}.pdf"


def subject(report: Report) -> str:
    return f"[DCIM] {report.title}: {report.site}, {report.period}"


class SectionView:
    """A section with its charts paired with their image source (``cid:…`` in the email,
    a data URL in the browser preview)."""

    def __init__(self, section: Section, sources: dict[str, str]) -> None:
        self.section = section
        self.images = [(c, sources[c.name]) for c in section.charts if c.name in sources]

    def __getattr__(self, name: str):
        return getattr(self.section, name)


def with_images(report: Report, sources: dict[str, str]) -> list[SectionView]:
    return [SectionView(s, sources) for s in report.sections]


def render(report: Report) -> Rendered:
    """Charts drawn once, used by the HTML (by Content-ID) and by the PDF."""
    pngs = {c.name: charts.png(c) for c in report.charts()}
    domain = "dcim.reports"
    cids = {name: make_msgid(idstring=name, domain=domain)[1:-1] for name in pngs}
    ctx = {
        "report": report,
        "sections": with_images(report, {n: f"cid:{c}" for n, c in cids.items()}),
    }
    return Rendered(
        subject=subject(report),
        text=render_to_string("reports/email/report.txt", ctx),
        html=render_to_string("reports/email/report.html", ctx),
        pdf=pdf.render(report, pngs),
        csvs=csvfiles.attachments(report),
        pngs=pngs,
        cids=cids,
    )


def message(report: Report, rendered: Rendered, to: list[str]) -> RelatedEmail:
    images = []
    for name, data in rendered.pngs.items():
        image = MIMEImage(data, "png")
        image.add_header("Content-ID", f"<{rendered.cids[name]}>")
        image.add_header("Content-Disposition", "inline", filename=f"{name}.png")
        images.append(image)
    msg = RelatedEmail(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        html=rendered.html,
        images=images,
        headers={"X-DCIM-Report": report.kind},
    )
    msg.attach(rendered.pdf_name(report), rendered.pdf, "application/pdf")
    for name, text in rendered.csvs:
        msg.attach(name, text, "text/csv")
    return msg


def size(msg: RelatedEmail) -> int:
    """The bytes the SMTP server receives (headers, base64 and all)."""
    return len(msg.message().as_bytes(linesep="\r\n"))
