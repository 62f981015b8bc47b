"""Training certificates: the PDF, its predicate, and the verification code printed on it.

Pure: `render_certificate` turns a `CertificateData` into PDF bytes and touches nothing else; issuing,
numbering and storing certificates belong to the store and the pages. Sources: `shared/reference/hr-formats.md`
sections 2 (what a real certificate carries), 3 (predicate scales) and 4 (fpdf2).

**Layout** (A4 landscape, after the Kemenkumham BPSDM "Surat Tanda Tamat Pelatihan" of hr-formats 2.2):
issuer, title and number; "menyatakan bahwa:"; the participant's name as written (academic titles are never
"corrected", hr-formats 1.5), NIP in its spaced form (`netral.nip.format_nip`), unit of work and agency;
"TELAH MENGIKUTI"; training name, organiser, dates with Indonesian month names, JP in digits and words; score
and predicate; a QR code of the verification URL with the verification code; place, date and signer. The
app does not claim "Surat Tanda Tamat Pelatihan" (a LAN-regulated STTP) and prints no BSrE electronic-signature
wording, since the PDF is not signed (hr-formats 2.3): a neutral verification line stands in its place.

**Predicate scale** (`DEFAULT_PREDICATE_SCALE`): Sangat Memuaskan above 90.00, Memuaskan above 80.00, Cukup
Memuaskan above 70.00, Kurang Memuaskan above 60.00, Tidak Memuaskan at 60.00 or below, on the score out of 100
rounded to two decimals as printed. It is the LAN Latsar CPNS qualification scale as hr-formats 3 recalls it
(UNVERIFIED there: to be confirmed against Perlan 1/2021 or Kep. Kepala LAN 13/K.1/PDP.07/2022 or the agency's
own pedoman), so a certificate may carry another scale (`CertificateData.predicate_scale`).

**Fonts.** fpdf2's core fonts are Latin-1 only and it ships no TTF, so DejaVu Serif (Bitstream Vera licence,
`netral/assets/fonts/`) is vendored: every Latin, Vietnamese and dotted letter prints. Should the files be
missing, Debian's copy is used, and failing that Helvetica with the text transliterated to Latin-1 (`Đặng` ->
`Dang`), so a certificate is never refused for a name.
"""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fpdf import FPDF

from netral.i18n import normalise_language, t
from netral.nip import NipKind, format_nip

try:  # A QR code is drawn when segno (pinned in requirements.txt) is installed; the code and URL always print.
    import segno
except ImportError:  # pragma: no cover - exercised only on a machine without segno
    segno = None

# --- verification codes -------------------------------------------------------------------------------

CODE_PREFIX = "NTRL"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: digits and capitals without I, L, O and U, so a code read aloud or copied by hand
cannot be mistaken (I, L read as 1; O as 0)."""
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4  # 3 × 4 symbols × 5 bits = 60 random bits: unguessable, still typeable
_CODE_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015]+")  # spaces, hyphens, dashes, dots
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_verification_code() -> str:
    """A fresh random code such as ``NTRL-7K2M-Q9XD-4HCP`` (cryptographically random, `secrets`)."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS)
    )
    return "-".join((CODE_PREFIX, *groups))


def normalise_code(user_input: str | None) -> str | None:
    """The canonical form (``NTRL-XXXX-XXXX-XXXX``) of a code as a person typed it, or None if it is not one.

    Tolerates any case, spaces, dashes and dots anywhere, full-width characters, a missing ``NTRL`` prefix,
    and the look-alikes Crockford base 32 leaves out: O reads as 0, I and L as 1. ``U`` and other characters
    make it invalid.
    """
    if not user_input:
        return None
    compact = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", user_input)).upper()
    body_length = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(compact) == len(CODE_PREFIX) + body_length and compact[: len(CODE_PREFIX)] in (CODE_PREFIX, "NTR1"):
        compact = compact[len(CODE_PREFIX):]
    if len(compact) != body_length:
        return None
    body = compact.translate(_LOOKALIKES)
    if any(symbol not in CODE_ALPHABET for symbol in body):
        return None
    groups = [body[i:i + CODE_GROUP_LENGTH] for i in range(0, body_length, CODE_GROUP_LENGTH)]
    return "-".join((CODE_PREFIX, *groups))


# --- predicate -----------------------------------------------------------------------------------------

PredicateScale = tuple[tuple[float, str], ...]
"""(lowest score out of 100 that earns the predicate, predicate key), highest first; the last bound is 0."""

PREDICATE_KEYS = ("sangat_memuaskan", "memuaskan", "cukup_memuaskan", "kurang_memuaskan", "tidak_memuaskan")
"""Every predicate with a label (message ``certificate.predicate.<key>``)."""

DEFAULT_PREDICATE_SCALE: PredicateScale = (
    (90.01, "sangat_memuaskan"),
    (80.01, "memuaskan"),
    (70.01, "cukup_memuaskan"),
    (60.01, "kurang_memuaskan"),
    (0.0, "tidak_memuaskan"),
)
"""LAN Latsar CPNS scale as recalled in hr-formats.md section 3 (UNVERIFIED); see the module docstring."""


def _check_scale(scale: PredicateScale) -> None:
    bounds = [bound for bound, _ in scale]
    if not scale or bounds != sorted(bounds, reverse=True) or bounds[-1] != 0.0:
        raise ValueError(f"a predicate scale lists bounds from highest to 0: {scale!r}")
    unknown = [key for _, key in scale if key not in PREDICATE_KEYS]
    if unknown:
        raise ValueError(f"predicates without a label: {unknown}")


def score_points(score: float) -> float:
    """A score share (0..1, as `netral.scoring` and `Quiz.pass_mark`) as points out of 100, two decimals."""
    if isinstance(score, bool) or not isinstance(score, (int, float)) or math.isnan(score) \
            or not 0.0 <= score <= 1.0:
        raise ValueError(f"a score lies in 0..1, got {score!r}")
    # Round half up on the decimal the score reads as, as people round: 0.90005 -> 90.01, where
    # round(0.90005 * 100, 2) gives 90.0 (binary floats and round-half-even).
    points = (Decimal(repr(float(score))) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(points)


def predicate(score: float, scale: PredicateScale = DEFAULT_PREDICATE_SCALE) -> str:
    """The predicate key of a score share (0..1) on `scale`, judged on the printed points (0.9001 -> 90.01).

    >>> predicate(0.9001), predicate(0.9), predicate(0.6)
    ('sangat_memuaskan', 'memuaskan', 'tidak_memuaskan')
    """
    _check_scale(scale)
    points = score_points(score)
    return next(key for bound, key in scale if points >= bound)


# --- what a certificate says ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate, frozen when it is issued.

    `participant_name` is printed exactly as written, academic titles included ("Dr. Siti Aminah, S.Sos.,
    M.Si."). `nip` may be in any form `netral.nip.normalise_nip` accepts (None prints no NIP row); it is
    printed spaced for its `nip_kind`. `score` is the share of the maximum, 0..1. `number` is the
    agency-specific certificate number, `verification_url` the full address that checks
    `verification_code` (the QR code encodes it). `issued_on` defaults to the last training day.
    """

    participant_name: str
    nip: str | None
    unit: str
    training_name: str
    start_date: date
    score: float
    number: str
    verification_code: str
    verification_url: str
    issuer: str
    end_date: date | None = None
    agency: str | None = None
    nip_kind: NipKind = "pns"
    jp_hours: int | None = None
    issued_on: date | None = None
    issue_place: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    signer_nip: str | None = None
    predicate_scale: PredicateScale = field(default=DEFAULT_PREDICATE_SCALE)

    def __post_init__(self) -> None:
        score_points(self.score)
        _check_scale(self.predicate_scale)
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"the training ends ({self.end_date}) before it starts ({self.start_date})")
        if self.jp_hours is not None and self.jp_hours <= 0:
            raise ValueError(f"JP hours must be positive, got {self.jp_hours}")
        for name in ("participant_name", "training_name", "number", "verification_code", "verification_url",
                     "issuer"):
            if not getattr(self, name).strip():
                raise ValueError(f"a certificate needs a {name}")

    @property
    def last_day(self) -> date:
        return self.end_date or self.start_date

    @property
    def predicate(self) -> str:
        return predicate(self.score, self.predicate_scale)


# --- dates and numbers in words ---------------------------------------------------------------------------


def format_date(day: date, lang: str) -> str:
    """``28 November 2026``; month names in the language (``2 Desember 2026`` / ``2 December 2026``)."""
    return f"{day.day} {t(lang, 'certificate.month.' + str(day.month))} {day.year}"


def format_date_range(start: date, end: date | None, lang: str) -> str:
    """One day, or a span written as short as it stays clear.

    ``28 November 2026``; ``26–28 November 2026``; ``30 November – 2 Desember 2026``;
    ``30 Desember 2026 – 2 Januari 2027``.
    """
    if end is None or end == start:
        return format_date(start, lang)
    month = lambda day: t(lang, "certificate.month." + str(day.month))  # noqa: E731
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {month(end)} {end.year}"
    if start.year == end.year:
        return f"{start.day} {month(start)} – {format_date(end, lang)}"
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


NO_BREAK_SPACE = "\u00a0"

_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
          "sebelas")


def terbilang(number: int) -> str:
    """A whole number 0..999 999 in Indonesian words, as official documents write counts: 20 -> ``dua puluh``."""
    if not 0 <= number < 1_000_000:
        raise ValueError(f"terbilang covers 0..999999, got {number}")

    def words(n: int) -> str:
        if n < 12:
            return _UNITS[n]
        if n < 20:
            return f"{_UNITS[n - 10]} belas"
        for size, name, one in ((1000, "ribu", "seribu"), (100, "ratus", "seratus"), (10, "puluh", None)):
            if n >= size:
                head, rest = divmod(n, size)
                lead = one if head == 1 and one else f"{words(head)} {name}"
                return f"{lead} {words(rest)}" if rest else lead
        raise AssertionError(n)  # unreachable: every n >= 20 is caught above

    return words(number)


def _hours_written(hours: int, lang: str) -> str:
    # Indonesian official style writes counts as digits plus words: "20 (dua puluh)" (hr-formats 2.2).
    written = f"{hours} ({terbilang(hours)})" if lang == "id" and hours < 1_000_000 else str(hours)
    return _unbroken(written)


def _unbroken(text: str) -> str:
    """`text` with no-break spaces, so a date or "20 (dua puluh)" is never split over two lines."""
    return text.replace(" ", NO_BREAK_SPACE)


def _points_written(points: float, lang: str) -> str:
    written = f"{points:.2f}"
    return written.replace(".", ",") if lang == "id" else written


# --- fonts ------------------------------------------------------------------------------------------------

FONT_DIRS = (
    Path(__file__).resolve().parent / "assets" / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
)
FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf"}
FONT_FAMILY = "DejaVuSerif"
FALLBACK_FAMILY = "Helvetica"

# Letters NFKD does not take apart into a base letter and marks, and typography Latin-1 lacks.
_TRANSLITERATIONS = str.maketrans({
    "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe", "ə": "e",
    "Ə": "E", "ŋ": "ng", "Ŋ": "NG", "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-",
    "—": "-", "‐": "-", "‑": "-", "…": "...", "\u00a0": " ",
})


def to_latin1(text: str) -> str:
    """`text` reduced to Latin-1 for the core-font fallback: letters lose marks Latin-1 lacks (``Đặng`` ->
    ``Dang``, ``Ṡ`` -> ``S``), typographic quotes and dashes become ASCII, anything else becomes ``?``."""
    out = []
    for char in text.translate(_TRANSLITERATIONS):
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


def _font_dir() -> Path | None:
    return next((d for d in FONT_DIRS if all((d / name).is_file() for name in FONT_FILES.values())), None)


# --- drawing ----------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, mm
MARGIN = 22.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = (25, 25, 25)
ACCENT = (128, 20, 20)  # a deep red, after the red-and-white of official documents
QR_SIZE = 32.0


class _Page:
    """The PDF and its font, with the few text helpers the layout needs."""

    def __init__(self, pdf: FPDF, family: str, clean: Callable[[str], str]) -> None:
        self.pdf = pdf
        self.family = family
        self.clean = clean

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def centred(self, y: float, text: str, size: float, *, bold: bool = False, min_size: float = 9.0,
                width: float = CONTENT_WIDTH, x: float = MARGIN, max_lines: int = 2) -> float:
        """Write `text` centred from `y`, shrinking the font (down to `min_size`) so it fits `max_lines`
        lines; returns the y below it."""
        text = self.clean(text)
        while True:
            self.font(size, bold)
            lines = self.pdf.multi_cell(width, size * 0.5, text, align="C", dry_run=True, output="LINES")
            if len(lines) <= max_lines or size <= min_size:
                break
            size -= 0.5
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        return self.pdf.get_y()

    def left(self, x: float, y: float, width: float, text: str, size: float, *, bold: bool = False,
             align: str = "L") -> float:
        """Write `text` in a box `width` wide from (`x`, `y`), wrapping as needed; returns the y below it."""
        self.font(size, bold)
        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(width, size * 0.45, self.clean(text), align=align, new_x="LMARGIN", new_y="NEXT")
        return self.pdf.get_y()


def _new_page(data: CertificateData) -> _Page:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    # A fixed creation date (the issue day) keeps the bytes reproducible, and honest about when it was issued.
    pdf.set_creation_date(datetime.combine(data.issued_on or data.last_day, time(0, 0), tzinfo=timezone.utc))
    font_dir = _font_dir()
    if font_dir is not None:
        for style, name in FONT_FILES.items():
            pdf.add_font(FONT_FAMILY, style, str(font_dir / name))
        page = _Page(pdf, FONT_FAMILY, lambda text: text)
    else:  # the fonts are vendored, so this is a last resort
        page = _Page(pdf, FALLBACK_FAMILY, to_latin1)
    pdf.add_page()
    return page


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, PAGE_WIDTH - 16, PAGE_HEIGHT - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_WIDTH - 22, PAGE_HEIGHT - 22)
    pdf.set_draw_color(*INK)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> bool:
    """Draw a QR code of `url` as vector squares (sharp at any zoom, no image library); False if impossible."""
    if segno is None or not url:
        return False
    # Error level M without segno's silent boost to Q keeps the code small (hr-formats 4).
    code = segno.make_qr(url, error="m", boost_error=False)
    modules = code.matrix
    quiet = 2  # modules of white border; the page around it is white too
    step = size / (len(modules) + 2 * quiet)
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(modules):
        column = 0
        while column < len(cells):  # one rectangle per run of dark modules keeps the PDF small
            if cells[column]:
                start = column
                while column < len(cells) and cells[column]:
                    column += 1
                pdf.rect(x + (quiet + start) * step, y + (quiet + row) * step, (column - start) * step, step,
                         style="F")
            else:
                column += 1
    return True


BAND_TOP = 146.0
"""Where the bottom band (verification, signature) starts; the body above is shrunk to end before it."""
BODY_SCALES = (1.0, 0.94, 0.88, 0.82, 0.76, 0.7, 0.64)
"""Font-size factors tried in turn until the body fits above the band (long names, titles, issuers)."""


def _draw_body(page: _Page, data: CertificateData, lang: str, nip: str | None, scale: float) -> float:
    """Everything above the bottom band, sizes times `scale`; returns the y where it ends."""
    pdf = page.pdf
    size = lambda points: points * scale  # noqa: E731
    pdf.set_text_color(*INK)
    y = page.centred(20, data.issuer, size(13), bold=True)
    if data.agency:
        y = page.centred(y, data.agency, size(10.5))
    pdf.set_text_color(*ACCENT)
    y = page.centred(y + size(3), t(lang, "certificate.title"), size(30), bold=True, max_lines=1)
    pdf.set_text_color(*INK)
    y = page.centred(y + size(1), t(lang, "certificate.number", number=data.number), size(11))
    y = page.centred(y + size(4), t(lang, "certificate.statement"), size(11.5))
    y = page.centred(y + size(2), data.participant_name, size(22), bold=True, min_size=size(12))

    rows = [(t(lang, "certificate.nip"), nip)] if nip else []
    rows.append((t(lang, "certificate.unit"), data.unit))
    if data.agency:
        rows.append((t(lang, "certificate.agency"), data.agency))
    label_x, value_x = 80.0, 118.0
    y += size(2)
    for label, value in rows:
        page.left(label_x, y, value_x - label_x - 4, label, size(11))
        page.left(value_x - 4, y, 4, ":", size(11))
        y = page.left(value_x, y, PAGE_WIDTH - MARGIN - value_x, value, size(11)) + size(1.2)

    y = page.centred(y + size(3), t(lang, "certificate.completed"), size(15), bold=True, max_lines=1)
    y = page.centred(y + size(1), data.training_name, size(14), bold=True, min_size=size(10))
    held = t(lang, "certificate.held", issuer=data.issuer,
             dates=" – ".join(_unbroken(part) for part in
                              format_date_range(data.start_date, data.end_date, lang).split(" – ")))
    if data.jp_hours:
        held += ", " + t(lang, "certificate.hours", hours=_hours_written(data.jp_hours, lang))
    y = page.centred(y + size(1), held + ",", size(11), max_lines=3, width=CONTENT_WIDTH - 30, x=MARGIN + 15)
    result = t(lang, "certificate.result", score=_points_written(score_points(data.score), lang),
               predicate=t(lang, "certificate.predicate." + data.predicate))
    return page.centred(y + size(1), result, size(12), bold=True)


def _draw_band(page: _Page, data: CertificateData, lang: str) -> None:
    """Verification (QR, code, URL) on the left; place, date and signature block on the right."""
    sign_x = 175.0
    sign_width = PAGE_WIDTH - MARGIN - sign_x
    text_x = MARGIN
    if _qr(page.pdf, data.verification_url, MARGIN, BAND_TOP, QR_SIZE):
        text_x = MARGIN + QR_SIZE + 4
    verify_width = sign_x - 6 - text_x
    vy = page.left(text_x, BAND_TOP + 4, verify_width, t(lang, "certificate.code", code=data.verification_code),
                   10, bold=True)
    vy = page.left(text_x, vy + 1.5, verify_width, t(lang, "certificate.verify"), 8.5)
    page.left(text_x, vy + 0.5, verify_width, data.verification_url, 8.5)

    issued = format_date(data.issued_on or data.last_day, lang)
    place_and_date = f"{data.issue_place}, {issued}" if data.issue_place else issued
    sy = page.left(sign_x, BAND_TOP, sign_width, place_and_date, 11, align="C")
    if data.signer_name:
        # The signature-block convention (hr-formats 2.2): title ending in a comma, room to sign, name, NIP.
        sy = page.left(sign_x, sy + 0.5, sign_width, (data.signer_title or data.issuer) + ",", 10.5, align="C")
        sy = page.left(sign_x, sy + 16, sign_width, data.signer_name, 11, bold=True, align="C")
        if data.signer_nip:
            page.left(sign_x, sy + 0.5, sign_width,
                      t(lang, "certificate.signer_nip", nip=format_nip(data.signer_nip)), 10, align="C")
    else:
        page.left(sign_x, sy + 0.5, sign_width, data.issuer, 11, bold=True, align="C")


def render_certificate(data: CertificateData, lang: str) -> bytes:
    """The certificate as PDF bytes (A4 landscape), labelled in `lang` (``id`` or ``en``).

    Deterministic: the same data and language give the same bytes. Raises `netral.nip.NipFormatError` or
    ValueError when `data.nip` or `data.signer_nip` is not an 18-digit NIP.
    """
    lang = normalise_language(lang)
    nip = format_nip(data.nip, data.nip_kind) if data.nip else None
    for scale in BODY_SCALES:
        # fpdf2 cannot take text back, so a body that runs into the band is drawn again, smaller, on a new PDF.
        page = _new_page(data)
        _frame(page.pdf)
        if _draw_body(page, data, lang, nip, scale) <= BAND_TOP - 3:
            break
    pdf = page.pdf
    pdf.set_title(f"{t(lang, 'certificate.title')} {data.number}")
    pdf.set_author(data.issuer)
    pdf.set_subject(data.training_name)
    pdf.set_creator("Netral")
    pdf.set_lang("id-ID" if lang == "id" else "en")
    _draw_band(page, data, lang)
    return bytes(pdf.output())
