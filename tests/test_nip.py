"""NIP normalisation, validation, messages and written form (netral/nip.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from netral.i18n import catalogue
from netral.nip import NipCheck, NipError, NipFormatError, format_nip, nip_messages, normalise_nip, validate_nip

TODAY = date(2025, 6, 15)
EXAMPLE = "198609262015051001"  # 19860926 201505 1 001: born 26 Sep 1986, CPNS May 2015, male, serial 001


# --- Written forms -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "198609262015051001",
    "19860926 201505 1 001",
    "19860926.201505.1.001",
    "19860926-201505-1-001",
    "NIP. 19860926 201505 1 001",
    "NIP.19860926 201505 1 001",
    "nip 19860926 201505 1 001",
    "Nip: 198609262015051001",
    "'198609262015051001",
    "'19860926 201505 1 001",
    "  198609262015051001\t\n",
    "\u00a019860926\u00a0201505\u00a01\u00a0001",  # non-breaking spaces from a web page
    "１９８６０９２６２０１５０５１００１",  # full-width digits
    198609262015051001,
])
def test_every_written_form_of_the_example_is_the_same_valid_nip(raw: str | int) -> None:
    assert normalise_nip(raw) == EXAMPLE
    check = validate_nip(raw, today=TODAY)
    assert check.ok and check.errors == () and check.nip == EXAMPLE
    assert nip_messages(check, "id") == nip_messages(check, "en") == []


def test_parsed_parts_of_a_pns_nip() -> None:
    check = validate_nip(EXAMPLE, today=TODAY)
    assert (check.kind, check.birth_date, check.appointment_year, check.appointment_month, check.sex,
            check.serial) == ("pns", date(1986, 9, 26), 2015, 5, "L", "001")
    woman = validate_nip("NIP. 19690309 199403 2 001", today=TODAY)
    assert woman.ok and woman.sex == "P" and woman.birth_date == date(1969, 3, 9)


def test_parsed_parts_of_a_pppk_nip_leave_out_what_is_unverified() -> None:
    check = validate_nip("199009132025242014", "pppk", today=TODAY)
    assert check.ok and check.nip == "199009132025242014"
    assert (check.birth_date, check.appointment_year) == (date(1990, 9, 13), 2025)
    assert (check.appointment_month, check.sex, check.serial) == (None, None, None)


# --- Errors --------------------------------------------------------------------------------------------------

ERROR_CASES: list[tuple[object, str, tuple[str, ...], str]] = [
    # (input, kind, expected codes, part of the first error)
    (None, "pns", ("empty",), ""),
    ("", "pns", ("empty",), ""),
    ("  '  ", "pns", ("empty",), ""),
    ("NIP. ", "pns", ("empty",), ""),
    (float("nan"), "pns", ("empty",), ""),
    ("1.99E+17", "pns", ("scientific_notation",), ""),
    ("1,98609E+17", "pns", ("scientific_notation",), ""),
    ("'1.98609262015051e+17", "pns", ("scientific_notation",), ""),
    ("1.97E17", "pppk", ("scientific_notation",), ""),
    (1.98609262015051e17, "pns", ("float",), ""),
    (198609262015051001.0, "pns", ("float",), ""),
    (198609262015051000, "pns", ("excel_precision",), ""),
    (198609262015051000, "pppk", ("excel_precision",), ""),
    (-198609262015051001, "pns", ("not_digits",), ""),
    ("1986O926201505I001", "pns", ("not_digits",), ""),
    ("NIP 19860926/201505/1/001", "pns", ("not_digits",), ""),
    (" 19910513201803100", "pns", ("length",), ""),  # 17 digits, seen in real data
    ("1986092620150510011", "pns", ("length",), ""),
    ("1234567", "pppk", ("length",), ""),
    ("198613312015051001", "pns", ("birth_date",), "1-8"),
    ("198602302015051001", "pns", ("birth_date",), "1-8"),
    ("189912312015051001", "pns", ("birth_date_too_early",), "1-8"),
    ("202607012015051001", "pns", ("birth_date_in_future",), "1-8"),
    ("198609262015131001", "pns", ("appointment",), "9-14"),
    ("198609262015001001", "pns", ("appointment",), "9-14"),
    ("198609262025071001", "pns", ("appointment_in_future",), "9-14"),
    ("198609262004081001", "pns", ("appointment_before_18",), "9-14"),
    ("198609262004091001", "pns", ("appointment_before_18",), "9-14"),  # 1 Sep 2004, 18 on 26 Sep 2004
    ("198609262015053001", "pns", ("sex",), "15"),
    ("198609262015050001", "pns", ("sex",), "15"),
    ("198609262015051000", "pns", ("serial",), "16-18"),
    ("198613312015133000", "pns", ("birth_date", "appointment", "sex", "serial"), "1-8"),
    ("198609262015242014", "pns", ("appointment",), "9-14"),  # month 24 is fine for PPPK, not for PNS
    ("199009132025242014", "pns", ("appointment",), "9-14"),
    ("198902252024211013", "pns", ("appointment",), "9-14"),
    ("199013132025242014", "pppk", ("birth_date",), "1-8"),
    ("199009131899242014", "pppk", ("appointment_year",), "9-12"),
    ("199009132026242014", "pppk", ("appointment_year_in_future",), "9-12"),
    ("199009132007242014", "pppk", ("appointment_year_before_18",), "9-12"),
]


@pytest.mark.parametrize(("raw", "kind", "codes", "part"), ERROR_CASES)
def test_errors(raw: object, kind: str, codes: tuple[str, ...], part: str) -> None:
    check = validate_nip(raw, kind, today=TODAY)  # type: ignore[arg-type]
    assert not check.ok
    assert check.codes == codes
    assert check.errors[0].part == part


def test_every_error_code_is_tested_and_has_a_message() -> None:
    tested = {code for _, _, codes, _ in ERROR_CASES for code in codes}
    keys = {key.removeprefix("nip.") for key in catalogue("id") if key.startswith("nip.")}
    assert tested == keys


@pytest.mark.parametrize("raw", [None, "1.99E+17", "1,98609E+17", 1.98609262015051e17, 198609262015051000,
                                 "1986O926201505I001"])
def test_normalise_refuses_what_cannot_be_recovered(raw: object) -> None:
    with pytest.raises(NipFormatError) as caught:
        normalise_nip(raw)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == validate_nip(raw).codes[0]  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [True, [EXAMPLE], b"198609262015051001"])
def test_normalise_rejects_other_types(raw: object) -> None:
    with pytest.raises(TypeError):
        normalise_nip(raw)  # type: ignore[arg-type]


def test_normalise_does_not_check_the_length() -> None:
    assert normalise_nip(" 19910513201803100") == "19910513201803100"
    assert validate_nip(" 19910513201803100", today=TODAY).nip == "19910513201803100"


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_nip(EXAMPLE, "pegawai")  # type: ignore[arg-type]


def test_today_defaults_to_the_current_date() -> None:
    assert validate_nip(EXAMPLE).ok
    assert validate_nip(f"{date.today().year + 1}01011986092620150510"[:18]).codes[0] == "birth_date_in_future"


# --- Dates ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "ok"), [
    ("200002292020011001", True),  # 2000 is a leap year
    ("199602292020011001", True),
    ("200102292020011001", False),  # 2001 is not
    ("190002292020011001", False),  # 1900 is not (divisible by 100, not by 400)
    ("200402292022031001", True),  # born 29 Feb 2004: 18 in 2022 by 1 March at the latest
    ("200402292022021001", False),  # 1 Feb 2022 is before the 18th birthday either way
])
def test_february_29(raw: str, ok: bool) -> None:
    assert validate_nip(raw, today=TODAY).ok is ok


def test_appointment_boundaries() -> None:
    assert validate_nip("198609262004101001", today=TODAY).ok  # first 1st after the 18th birthday
    assert validate_nip("198609012004091001", today=TODAY).ok  # 18th birthday on a 1st: same month is fine
    assert validate_nip("198609262025061001", today=TODAY).ok  # this month
    assert validate_nip("198609262025061001", today=date(2025, 6, 1)).ok
    assert validate_nip("198609262025061001", today=date(2025, 5, 31)).codes == ("appointment_in_future",)


def test_pppk_checks_only_what_is_certain() -> None:
    # Digits 13-14 are not a month and digits 15-18 are not checked for PPPK.
    for raw in ["199009132025242014", "198902252024211013", "199009132025993000", "199009132008001001"]:
        assert validate_nip(raw, "pppk", today=TODAY).ok, raw
    assert validate_nip("199009132025242014", "pppk", today=date(2024, 12, 31)).codes == (
        "appointment_year_in_future",)


# --- Messages ------------------------------------------------------------------------------------------------

def test_messages_quote_the_example_from_the_brief() -> None:
    check = validate_nip("198613312015051001", today=TODAY)
    assert nip_messages(check, "id") == ["Digit 1-8 (tanggal lahir) bukan tanggal yang valid: 19861331."]
    assert nip_messages(check, "en") == ["Digits 1-8 (date of birth) are not a valid date: 19861331."]
    assert nip_messages(check, "en-US") == nip_messages(check, "en")


def test_dates_in_messages_are_written_per_language() -> None:
    check = validate_nip("198609262004081001", today=TODAY)
    (id_message,) = nip_messages(check, "id")
    (en_message,) = nip_messages(check, "en")
    assert "26-09-2004" in id_message and "200408" in id_message and "9-14" in id_message
    assert "2004-09-26" in en_message and "200408" in en_message and "9-14" in en_message


@pytest.mark.parametrize(("raw", "kind", "codes", "part"), ERROR_CASES)
def test_messages_exist_differ_by_language_and_name_the_digits(
        raw: object, kind: str, codes: tuple[str, ...], part: str) -> None:
    check = validate_nip(raw, kind, today=TODAY)  # type: ignore[arg-type]
    id_messages, en_messages = nip_messages(check, "id"), nip_messages(check, "en")
    assert len(id_messages) == len(en_messages) == len(codes)
    for error, id_message, en_message in zip(check.errors, id_messages, en_messages, strict=True):
        assert id_message != en_message
        for message in (id_message, en_message):
            assert not message.startswith("nip.") and "{" not in message
            if error.part:
                assert error.part in message


def test_nip_check_is_consistent() -> None:
    with pytest.raises(ValueError):
        NipCheck("pns", EXAMPLE, True, (NipError("sex", "15"),))
    assert NipError("sex", "15", (("digit", "3"),)).params == {"part": "15", "digit": "3"}
    assert hash(validate_nip("198613312015133000", today=TODAY))  # frozen and hashable


# --- Written form --------------------------------------------------------------------------------------------

def test_format_nip() -> None:
    assert format_nip(EXAMPLE) == "19860926 201505 1 001"
    assert format_nip("NIP. 19660801.198803.1.001") == "19660801 198803 1 001"
    assert format_nip("199009132025242014", "pppk") == "19900913 2025 24 2 014"
    with pytest.raises(ValueError):
        format_nip("19910513201803100")
    with pytest.raises(NipFormatError):
        format_nip("1.99E+17")


# --- Properties ----------------------------------------------------------------------------------------------

@st.composite
def valid_pns(draw: st.DrawFn) -> tuple[str, date, date, str, str]:
    """A valid PNS NIP with its parts: real birth date, appointment month from the 18th birthday to today."""
    today = draw(st.dates(min_value=date(1925, 1, 1), max_value=date(2100, 12, 31)))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(today.year - 18, today.month, 1)))
    # First month whose 1st is on or after the 18th birthday; tuples avoid building 29 Feb in a non-leap year.
    first = (born.year + 18) * 12 + born.month - 1 + (born.day > 1)
    last = today.year * 12 + today.month - 1
    month_index = draw(st.integers(min_value=first, max_value=last))
    year, month = divmod(month_index, 12)
    sex = draw(st.sampled_from("12"))
    serial = f"{draw(st.integers(min_value=1, max_value=999)):03d}"
    return f"{born:%Y%m%d}{year:04d}{month + 1:02d}{sex}{serial}", born, today, sex, serial


@given(valid_pns())
def test_any_well_built_pns_nip_is_valid(case: tuple[str, date, date, str, str]) -> None:
    nip, born, today, sex, serial = case
    check = validate_nip(nip, today=today)
    assert check.ok, (nip, today, check.errors)
    assert check.birth_date == born and check.serial == serial and check.sex == ("L" if sex == "1" else "P")
    assert validate_nip(nip, "pppk", today=today).ok  # the PPPK checks are a subset
    assert normalise_nip(format_nip(nip)) == nip
    assert validate_nip(int(nip), today=today).ok


@given(valid_pns(), st.sampled_from("03456789"))
def test_any_other_sex_digit_is_rejected_for_pns(case: tuple[str, date, date, str, str], digit: str) -> None:
    nip, _, today, _, _ = case
    assert validate_nip(nip[:14] + digit + nip[15:], today=today).codes == ("sex",)


written = st.one_of(
    st.text(alphabet="0123456789 .-'\tEe,+NIPnip:", max_size=30),
    st.builds(lambda prefix, digits: prefix + digits, st.sampled_from(["", "NIP. ", "nip ", "'", " '"]),
              st.text(alphabet="0123456789 .-", min_size=1, max_size=25)),
    st.integers(min_value=0, max_value=10**19),
)


@given(written)
def test_normalise_is_idempotent_on_its_output(raw: str | int) -> None:
    try:
        digits = normalise_nip(raw)
    except NipFormatError:
        assume(False)
        return
    assert digits.isdigit() and digits.isascii()
    assert normalise_nip(digits) == digits


@given(st.one_of(st.none(), st.text(), st.integers(), st.floats()))
def test_validate_never_raises_on_data(raw: object) -> None:
    check = validate_nip(raw, today=TODAY)  # type: ignore[arg-type]
    assert check.ok == (not check.errors)
    assert len(nip_messages(check, "id")) == len(check.errors)
