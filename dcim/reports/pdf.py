"""The PDF attachment: the same report as the email, laid out by fpdf2 (ADR 0027).

fpdf2 is pure Python (with Pillow and fontTools, both wheels); it needs no browser, Cairo
or Pango. Text is set in DejaVu Sans, the TrueType font matplotlib ships in its wheel, so
"—", "€", "CO₂" and the site's names print as they are and come back out of the PDF as
text (fpdf2 embeds a subset with its ToUnicode map). Every figure, table and chart heading
is a link to the page it comes from.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from dcim.reports.content import Report, Section, Table

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
LINK_COLOUR = (43, 108, 176)
MAX_PDF_ROWS = 200  # a longer table is in the CSV whole; the PDF says so


class _Doc(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(format="A4")
        self.report = report
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(report.title)
        self.set_creator("DCIM reports")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(110, 110, 110)
        r = self.report
        self.cell(0, 5, f"{r.title} · {r.site} · {r.period} · page {self.page_no()}", align="C")


def render(report: Report, chart_pngs: dict[str, bytes]) -> bytes:
    """The report as PDF bytes; ``chart_pngs`` by chart name (drawn once for the email and
    the PDF)."""
    doc = _Doc(report)
    doc.add_page()
    doc.set_font(FONT, "B", 16)
    doc.multi_cell(0, 8, report.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(FONT, "", 9)
    stamp = report.generated_text
    doc.multi_cell(
        0,
        5,
        f"{report.site} · {report.period} · times in {report.tz} · generated {stamp}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for section in report.sections:
        _section(doc, section, chart_pngs)
    return bytes(doc.output())


def _link_text(doc: FPDF, h: float, text: str, link: str, style: str = "") -> None:
    doc.set_font(FONT, style, doc.font_size_pt)
    if link:
        doc.set_text_color(*LINK_COLOUR)
    doc.multi_cell(0, h, text, link=link or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_color(0, 0, 0)


def _section(doc: FPDF, section: Section, chart_pngs: dict[str, bytes]) -> None:
    doc.ln(3)
    doc.set_font(FONT, "B", 12)
    _link_text(doc, 7, section.heading, section.link, "B")
    doc.set_font(FONT, "", 9)
    for f in section.figures:
        doc.set_font(FONT, "", 9)
        doc.cell(60, 5, f.label)
        doc.set_font(FONT, "B", 9)
        if f.link:
            doc.set_text_color(*LINK_COLOUR)
        doc.multi_cell(0, 5, f.text, link=f.link or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_text_color(0, 0, 0)
        if f.note:
            doc.set_font(FONT, "", 7)
            doc.multi_cell(0, 4, f.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for note in section.notes:
        doc.set_font(FONT, "", 8)
        doc.multi_cell(0, 4, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for chart in section.charts:
        if chart.name in chart_pngs:
            doc.ln(1)
            doc.image(io.BytesIO(chart_pngs[chart.name]), w=doc.epw, link=chart.link or "")
    for table in section.tables:
        _table(doc, table)


def _table(doc: FPDF, table: Table) -> None:
    doc.ln(2)
    doc.set_font(FONT, "B", 9)
    _link_text(doc, 5, table.caption, table.link, "B")
    rows = table.display_rows()
    doc.set_font(FONT, "", 7)
    if not rows:
        doc.multi_cell(0, 4, table.empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with doc.table(
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4,
        text_align="LEFT",
        first_row_as_headings=True,
    ) as t:
        head = t.row()
        for h in table.display_header():
            head.cell(h)
        for row in rows[:MAX_PDF_ROWS]:
            r = t.row()
            for value in row:
                r.cell(value)
    if len(rows) > MAX_PDF_ROWS:
        doc.multi_cell(
            0,
            4,
            f"First {MAX_PDF_ROWS} of {len(rows)} rows: the CSV attachment has them all.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
