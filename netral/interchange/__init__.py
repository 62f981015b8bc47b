"""Question interchange with Moodle: export Netral's scenarios as GIFT or Moodle XML, import practice items.

Export: each facet of a scenario becomes one Moodle multiple-choice question whose fractions reproduce
Netral's scoring (`bank.py`; Moodle's grade rules and the rounding are explained in `model.py`).
Import: Moodle multiple-choice and true/false questions become plain `PracticeItem`s (never regulation-scored
scenarios); every other question type is listed in the `ImportReport` with its title and line.
"""

from netral.interchange.bank import Bank, ExportError, Pool, build_bank, facet_item, option_feedback
from netral.interchange.files import FORMATS, MAX_IMPORT_BYTES, Export, export_bank, read_bytes, read_file
from netral.interchange.gift import read_gift, write_gift
from netral.interchange.model import (
    FALSE_TEXT,
    MOODLE_FRACTIONS,
    MULTICHOICE,
    TRUE_TEXT,
    TRUEFALSE,
    ImportProblem,
    ImportReport,
    PracticeItem,
    PracticeOption,
    Unsupported,
    category_names,
    category_path,
    grade_problems,
    is_moodle_fraction,
    moodle_round,
    option_label,
    percent,
    qtype_label,
    score_practice,
)
from netral.interchange.moodlexml import read_xml, write_xml

__all__ = [
    "FALSE_TEXT", "FORMATS", "MAX_IMPORT_BYTES", "MOODLE_FRACTIONS", "MULTICHOICE", "TRUEFALSE", "TRUE_TEXT",
    "Bank", "Export", "ExportError", "ImportProblem", "ImportReport", "Pool", "PracticeItem", "PracticeOption",
    "Unsupported", "build_bank", "category_names", "category_path", "export_bank", "facet_item",
    "grade_problems", "is_moodle_fraction", "moodle_round", "option_feedback", "option_label", "percent",
    "qtype_label", "read_bytes", "read_file", "read_gift", "read_xml", "score_practice", "write_gift",
    "write_xml",
]
