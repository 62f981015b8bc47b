"""Who may open which page: the one access policy that the navigation and every page file consult.

A page file checks this itself before showing anything, because on a fresh server the first request to a
page URL can skip the entrypoint (and with it the navigation built from the role).
"""

from __future__ import annotations

from enum import Enum

from netral.store.accounts import Role


class PageId(str, Enum):
    LOGIN = "masuk"
    SETUP = "pengaturan-awal"
    VERIFY = "verifikasi"
    DATA = "data"
    HOME = "beranda"
    PRACTICE = "latihan"
    SMART_PRACTICE = "latihan-cerdas"
    QUIZ = "kuis"
    RESULTS = "hasil"
    PROGRESS = "progres"
    CERTIFICATES = "sertifikat"
    ACCOUNT = "akun"
    EXTRA_PRACTICE = "latihan-tambahan"
    QUESTION_BANK = "bank-soal"
    SESSIONS = "sesi"
    DASHBOARD = "dasbor"
    ITEM_ANALYSIS = "analisis-butir"
    ADMIN = "admin"


ANYONE = frozenset({None, *Role})
SIGNED_IN = frozenset(Role)
STAFF = frozenset({Role.TRAINER, Role.HR, Role.ADMIN})

# None stands for a visitor who has not logged in.
PAGE_ROLES: dict[PageId, frozenset[Role | None]] = {
    PageId.LOGIN: frozenset({None}),
    PageId.SETUP: frozenset({None}),
    PageId.VERIFY: ANYONE,
    PageId.DATA: ANYONE,
    PageId.HOME: SIGNED_IN,
    PageId.PRACTICE: SIGNED_IN,
    PageId.SMART_PRACTICE: SIGNED_IN,
    PageId.QUIZ: SIGNED_IN,
    PageId.RESULTS: SIGNED_IN,
    PageId.PROGRESS: SIGNED_IN,
    PageId.CERTIFICATES: SIGNED_IN,
    PageId.ACCOUNT: SIGNED_IN,
    PageId.EXTRA_PRACTICE: SIGNED_IN,
    PageId.QUESTION_BANK: frozenset({Role.HR, Role.ADMIN}),
    PageId.SESSIONS: frozenset({Role.HR, Role.ADMIN}),
    PageId.DASHBOARD: STAFF,
    PageId.ITEM_ANALYSIS: STAFF,
    PageId.ADMIN: frozenset({Role.ADMIN}),
}


def can_open(role: Role | None, page: PageId) -> bool:
    """Whether a user with `role` (None: not logged in) may open `page`."""
    return role in PAGE_ROLES[page]


def pages_for(role: Role | None) -> list[PageId]:
    """The pages to offer in the navigation, in `PageId` order."""
    return [page for page in PageId if can_open(role, page)]
