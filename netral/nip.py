"""NIP (Nomor Induk Pegawai) of Indonesian civil servants: normalise, validate, explain and print.

Pure functions with no I/O and no Streamlit, so they run in the importer, the CLI, the tests and any front end.
Sources: `shared/reference/hr-formats.md` section 1.4 and `shared/reference/regulations.md` section 5.

**PNS NIP** (Perka BKN 22/2007), 18 digits, written e.g. ``19860926 201505 1 001``:

=======  ===================================================================  =========
Digits   Content                                                              Example
=======  ===================================================================  =========
1-8      date of birth, YYYYMMDD                                              19860926
9-14     TMT CPNS: year and month of the first appointment, YYYYMM            201505
         (first appointments always start on the 1st of the month)
15       sex: 1 = male (``L``, laki-laki), 2 = female (``P``, perempuan)      1
16-18    serial number among NIPs with the same first 15 digits, from 001     001
=======  ===================================================================  =========

**NI PPPK**, also 18 digits: date of birth (1-8), then the year of first appointment (9-12), then digits whose
split the sources do not agree on (``2025 24 2 014`` for a part-time PPPK, ``2024 21 1 013`` elsewhere). Digits
13-14 are *not* a month. Only what is certain is checked: 18 digits, the birth date, and that the appointment
year is plausible (at least the year the holder turns 18, not after this year). Sex and serial are neither
parsed nor checked for PPPK.

**Excel damage.** Excel keeps 15 significant digits, so an 18-digit NIP that went through a numeric cell has
lost its last digits (``1.99E+17``, ``1,98609E+17``, ``198609262015051000``). Such a value cannot be repaired:
it is rejected with its own error code so that the user is asked for a re-export with the NIP column as Text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from netral.i18n import normalise_language, t

NIP_LENGTH = 18
MIN_BIRTH_YEAR = 1900
MIN_APPOINTMENT_AGE = 18
"""Youngest age at appointment as CPNS/PPPK, in years (the usia paling rendah of the ASN selection rules)."""
EXCEL_SIGNIFICANT_DIGITS = 15

NipKind = Literal["pns", "pppk"]
KINDS: tuple[NipKind, ...] = ("pns", "pppk")

ErrorValue = str | int | date
"""A value quoted in a message; dates are written per language by `nip_messages`."""


@dataclass(frozen=True)
class NipError:
    """One thing wrong with a NIP.

    `code` names the problem and is also the message key (``nip.<code>``). `part` says which digits are
    wrong, 1-based and inclusive as people count them (``"1-8"``, ``"15"``), or ``""`` for the whole value.
    `values` holds the placeholders of the message as ``(name, value)`` pairs (a tuple keeps the error
    hashable); `params` gives them as a dict.

    Codes: ``empty``, ``scientific_notation``, ``float``, ``excel_precision``, ``not_digits``, ``length``;
    ``birth_date``, ``birth_date_too_early``, ``birth_date_in_future`` (both kinds); ``appointment``,
    ``appointment_in_future``, ``appointment_before_18``, ``sex``, ``serial`` (PNS); ``appointment_year``,
    ``appointment_year_in_future``, ``appointment_year_before_18`` (PPPK).
    """

    code: str
    part: str = ""
    values: tuple[tuple[str, ErrorValue], ...] = ()

    @property
    def params(self) -> dict[str, ErrorValue]:
        """The message placeholders, including `part`."""
        return {"part": self.part, **dict(self.values)}


class NipFormatError(ValueError):
    """Raised by `normalise_nip` when the value cannot be turned into the NIP's digits; carries the `NipError`."""

    def __init__(self, error: NipError) -> None:
        super().__init__(f"{error.code}: {dict(error.values)}")
        self.error = error

    @property
    def code(self) -> str:
        return self.error.code


@dataclass(frozen=True)
class NipCheck:
    """The result of `validate_nip`.

    `nip` is the normalised digits whenever normalisation succeeded (even if the NIP is then found invalid,
    so a message can quote it), else None; use it for matching or storing only when `ok`. The parsed parts are
    filled in when their digits are valid, else None: `birth_date`; `appointment_year` (PNS and PPPK);
    `appointment_month` (PNS only); `sex` ``"L"``/``"P"`` and `serial` (3 digits, PNS only).
    """

    kind: NipKind
    nip: str | None
    ok: bool
    errors: tuple[NipError, ...]
    birth_date: date | None = None
    appointment_year: int | None = None
    appointment_month: int | None = None
    sex: Literal["L", "P"] | None = None
    serial: str | None = None

    def __post_init__(self) -> None:
        if self.ok == bool(self.errors):
            raise ValueError("NipCheck.ok must be True exactly when there are no errors")

    @property
    def codes(self) -> tuple[str, ...]:
        """The error codes, in the order found."""
        return tuple(error.code for error in self.errors)


# ---------------------------------------------------------------------------------------------------------------
# Normalisation

_APOSTROPHES = "'\u2018\u2019`"
_PREFIX = re.compile(r"^NIP\s*[.:]?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015]+")  # whitespace, dots, hyphens and dashes
_SCIENTIFIC = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+$")


def _fail(code: str, part: str = "", **values: ErrorValue) -> NipFormatError:
    return NipFormatError(NipError(code, part, tuple(values.items())))


def normalise_nip(raw: str | int | float | None) -> str:
    """The digits of a NIP written in any usual form, e.g. ``"198609262015051001"`` for all of::

        "19860926 201505 1 001"   "19660801.198803.1.001"   "NIP. 19860926 201505 1 001"
        "'198609262015051001"     " 198609262015051001 "    198609262015051001 (an int)

    Removes surrounding whitespace, a leading apostrophe (Excel's text marker), a ``NIP`` / ``NIP.`` / ``NIP:``
    prefix in any case, and spaces, dots and dashes anywhere. Full-width digits and non-breaking spaces are
    folded to ASCII (NFKC). The length is *not* checked here: that is `validate_nip`'s job.

    Raises `NipFormatError` whose ``code`` is:

    - ``empty``: None, NaN (an empty spreadsheet cell read by pandas), or nothing left after cleaning;
    - ``scientific_notation``: a string such as ``"1.99E+17"`` or ``"1,98609E+17"``;
    - ``float``: any float, since an 18-digit number does not fit a float's precision;
    - ``excel_precision``: an int of more than 15 digits ending in zeros from the 16th digit on (the mark of a
      numeric Excel cell, e.g. ``198609262015051000``);
    - ``not_digits``: anything else that is not a digit (the offending characters are in ``chars``).

    The digits lost in the last three cases cannot be recovered, so they are never guessed.
    Raises `TypeError` for any other type (including bool).
    """
    if raw is None:
        raise _fail("empty")
    if isinstance(raw, bool):
        raise TypeError(f"a NIP cannot be a bool: {raw!r}")
    if isinstance(raw, float):
        if math.isnan(raw):
            raise _fail("empty")
        raise _fail("float", value=repr(raw))
    if isinstance(raw, int):
        if raw < 0:
            raise _fail("not_digits", chars="-")
        digits = str(raw)
        tail = digits[EXCEL_SIGNIFICANT_DIGITS:]
        if tail and set(tail) == {"0"}:
            raise _fail("excel_precision", value=digits)
        return digits
    if not isinstance(raw, str):
        raise TypeError(f"a NIP must be str, int, float or None, not {type(raw).__name__}")

    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.lstrip(_APOSTROPHES).strip()
    text = _PREFIX.sub("", text)
    compact = _SEPARATORS.sub("", text)
    if not compact:
        raise _fail("empty")
    if _SCIENTIFIC.match(compact):
        raise _fail("scientific_notation", value=text)
    if not compact.isascii() or not compact.isdigit():
        bad = "".join(dict.fromkeys(ch for ch in compact if ch not in "0123456789"))
        raise _fail("not_digits", chars=bad)
    return compact


# ---------------------------------------------------------------------------------------------------------------
# Validation


def _add_years(day: date, years: int) -> date:
    """`day` plus whole years; 29 February becomes 1 March in a non-leap year.

    For the 18th birthday that choice never changes a verdict: appointments start on the 1st of a month, and
    no 1st falls strictly between 28 February and 1 March.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _parse_date(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _check_birth(nip: str, today: date, errors: list[NipError]) -> date | None:
    digits = nip[0:8]
    born = _parse_date(digits)
    if born is None:
        errors.append(NipError("birth_date", "1-8", (("digits", digits),)))
        return None
    if born.year < MIN_BIRTH_YEAR:
        errors.append(NipError("birth_date_too_early", "1-8", (("digits", digits), ("min_year", MIN_BIRTH_YEAR))))
        return None
    if born > today:
        errors.append(NipError("birth_date_in_future", "1-8", (("digits", digits), ("birth", born))))
        return None
    return born


def _check_pns(nip: str, born: date | None, today: date, errors: list[NipError]) -> dict[str, object]:
    parts: dict[str, object] = {}
    digits = nip[8:14]
    year, month = int(digits[:4]), int(digits[4:])
    if not (1 <= month <= 12 and year >= MIN_BIRTH_YEAR):
        errors.append(NipError("appointment", "9-14", (("digits", digits),)))
    else:
        appointed = date(year, month, 1)
        good = True
        if appointed > today:
            errors.append(NipError("appointment_in_future", "9-14", (("digits", digits),)))
            good = False
        if born is not None and appointed < (adult := _add_years(born, MIN_APPOINTMENT_AGE)):
            errors.append(NipError("appointment_before_18", "9-14", (("digits", digits), ("adult_on", adult))))
            good = False
        if good:
            parts.update(appointment_year=year, appointment_month=month)

    sex = nip[14]
    if sex in ("1", "2"):
        parts["sex"] = "L" if sex == "1" else "P"
    else:
        errors.append(NipError("sex", "15", (("digit", sex),)))

    serial = nip[15:18]
    if serial == "000":
        errors.append(NipError("serial", "16-18", (("digits", serial),)))
    else:
        parts["serial"] = serial
    return parts


def _check_pppk(nip: str, born: date | None, today: date, errors: list[NipError]) -> dict[str, object]:
    digits = nip[8:12]
    year = int(digits)
    if year < MIN_BIRTH_YEAR:
        errors.append(NipError("appointment_year", "9-12", (("digits", digits),)))
        return {}
    good = True
    if year > today.year:
        errors.append(NipError("appointment_year_in_future", "9-12", (("digits", digits),)))
        good = False
    if born is not None and year < (adult_year := born.year + MIN_APPOINTMENT_AGE):
        errors.append(NipError("appointment_year_before_18", "9-12",
                               (("digits", digits), ("adult_year", adult_year))))
        good = False
    return {"appointment_year": year} if good else {}


def validate_nip(raw: str | int | float | None, kind: NipKind = "pns", *, today: date | None = None) -> NipCheck:
    """Check a NIP (any written form, see `normalise_nip`) and split it into its parts.

    `kind` is ``"pns"`` (civil servant NIP) or ``"pppk"`` (NI PPPK, contract employee); `today` defaults to
    the current date and is the limit for "not in the future" (pass it for reproducible results).

    Problems with the value itself (empty, Excel damage, not digits, not 18 digits) are reported alone, since
    the digit positions mean nothing then. Otherwise every part is checked and every problem reported:

    - both kinds: digits 1-8 are a real date YYYYMMDD, year >= 1900, not after `today`;
    - PNS: digits 9-14 are a real year and month, whose 1st is not after `today` and not before the holder's
      18th birthday (checked only when the birth date is valid); digit 15 is 1 or 2; digits 16-18 are not 000;
    - PPPK: digits 9-12 are a year >= 1900, not after this year, and not before the year the holder turns 18.
      Nothing else is checked because the sources disagree on what digits 13-18 mean (see the module doc);
      in particular digits 13-14 are not a month.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    today = today or date.today()
    try:
        nip = normalise_nip(raw)
    except NipFormatError as failure:
        return NipCheck(kind, None, False, (failure.error,))
    if len(nip) != NIP_LENGTH:
        return NipCheck(kind, nip, False, (NipError("length", "", (("length", len(nip)), ("digits", nip))),))

    errors: list[NipError] = []
    born = _check_birth(nip, today, errors)
    parts = (_check_pns if kind == "pns" else _check_pppk)(nip, born, today, errors)
    return NipCheck(kind, nip, not errors, tuple(errors), birth_date=born, **parts)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# Presentation


def _written(value: ErrorValue, lang: str) -> ErrorValue:
    """Dates as Indonesians write them (26-09-2004) in Bahasa Indonesia, ISO (2004-09-26) otherwise."""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y") if lang == "id" else value.isoformat()
    return value


def nip_messages(check: NipCheck, lang: str) -> list[str]:
    """One plain-language sentence per error of `check`, in `lang`, naming the digits that are wrong.

    E.g. ``"Digit 1-8 (tanggal lahir) bukan tanggal yang valid: 19861331."`` in Bahasa Indonesia and
    ``"Digits 1-8 (date of birth) are not a valid date: 19861331."`` in English. Empty when the NIP is valid.
    """
    language = normalise_language(lang)
    return [
        t(lang, "nip." + error.code, **{name: _written(value, language) for name, value in error.params.items()})
        for error in check.errors
    ]


def format_nip(nip: str, kind: NipKind = "pns") -> str:
    """The spaced written form for certificates and letters: ``"19860926 201505 1 001"`` (PNS: 8 6 1 3).

    `nip` may be in any form `normalise_nip` accepts. For PPPK the grouping is ``"19900913 2025 24 2 014"``
    (8 4 2 1 3), as NI PPPK are written in the sources; it states nothing about what digits 13-18 mean.
    Raises `NipFormatError` if `nip` cannot be normalised and `ValueError` if it does not have 18 digits.
    The NIP is not otherwise validated: call `validate_nip` first.
    """
    digits = normalise_nip(nip)
    if len(digits) != NIP_LENGTH:
        raise ValueError(f"a NIP has {NIP_LENGTH} digits, not {len(digits)}: {digits}")
    groups = (8, 6, 1, 3) if kind == "pns" else (8, 4, 2, 1, 3)
    out, start = [], 0
    for size in groups:
        out.append(digits[start:start + size])
        start += size
    return " ".join(out)
