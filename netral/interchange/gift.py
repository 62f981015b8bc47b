"""GIFT, Moodle's plain-text question format: write practice items, read a GIFT file into an import report.

The reader follows Moodle's own importer (question/format/gift/format.php) step by step, so a file reads here
the way it imports into Moodle:

- questions are separated by blank lines; a line starting with `//` is a comment; `$CATEGORY: path` switches
  the category of the questions after it;
- `\\` `\\~` `\\=` `\\#` `\\{` `\\}` `\\:` escape a character, `\\n` is a line break;
- `::title::` names the question; a `[html]`, `[moodle]`, `[plain]` or `[markdown]` marker sets a text format;
- the answers are between the first `{` and the first `}`; text after the `}` makes a "missing word"
  question (the answer block becomes `_____` in the text); `####` starts the general feedback;
- the type: no braces = description, `{}` = essay, `{#...}` = numerical, a `~` = multiple choice (one answer
  when some answer starts with `=`, several otherwise), `=` with `->` = matching, `T`/`TRUE`/`F`/`FALSE`
  (upper case, optionally with `#feedback`) = true/false, anything else = short answer;
- `~%50%` gives an answer a weight (Moodle reads 1-2 digits, optional decimals and minus signs), `=` is 100 %,
  a bare `~` is 0; `#` starts the answer's feedback; true/false takes `#wrong feedback#right feedback`.

Only multiple choice and true/false become practice items; every other type is reported with its title and
line. The line of a question is its first line that is not a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from netral.interchange.model import (
    FALSE_TEXT,
    MULTICHOICE,
    TRUE_TEXT,
    TRUEFALSE,
    ImportProblem,
    ImportReport,
    PracticeItem,
    PracticeOption,
    Unsupported,
    grade_problems,
    moodle_round,
    percent,
)
from netral.interchange.textformat import GIFT_FORMATS, MOODLE, PLAIN, to_plain

FORMAT = "gift"

# --- writing -------------------------------------------------------------------------------------------

_SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's special characters and line breaks, as Moodle's exporter does (repchar)."""
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        else:
            out.append(char)
    return "".join(out)


def _text(text: str) -> str:
    """An answer or feedback text: escaped, and marked plain when it starts with `[` (not a format marker)."""
    escaped = escape(text)
    return f"[{PLAIN}]{escaped}" if escaped.startswith("[") else escaped


def _answer(item: PracticeItem, option: PracticeOption) -> str:
    if not item.multiple and option.fraction == 1.0:
        prefix = "="  # the `=` is what makes Moodle read a one-answer question
    else:
        prefix = f"~%{percent(option.fraction)}%"  # always explicit, so a text starting with % stays text
    feedback = f"#{_text(option.feedback)}" if option.feedback else ""
    return f"\t{prefix}{_text(option.text)}{feedback}"


def _question(item: PracticeItem) -> list[str]:
    lines = [f"::{escape(item.title)}::[{PLAIN}]{escape(item.text)}{{"]
    if item.kind == TRUEFALSE:
        correct_true = next((o.fraction == 1.0 for o in item.options if o.text == TRUE_TEXT), True)
        right = next((o.feedback for o in item.options if (o.text == TRUE_TEXT) == correct_true), "")
        wrong = next((o.feedback for o in item.options if (o.text == TRUE_TEXT) != correct_true), "")
        answer = "TRUE" if correct_true else "FALSE"
        if wrong or right:
            answer += f"#{_text(wrong)}"
        if right:
            answer += f"#{_text(right)}"
        lines[0] += answer
        if not item.general_feedback:
            lines[0] += "}"
            return lines
    else:
        lines.extend(_answer(item, option) for option in item.options)
    if item.general_feedback:
        lines.append(f"\t####{_text(item.general_feedback)}")
    lines.append("}")
    return lines


def _comment(text: str) -> list[str]:
    return [f"// {line}".rstrip() for line in text.splitlines() or [""]]


def write_gift(items: Iterable[PracticeItem], header: Sequence[str] = (),
               notes: Mapping[int, Sequence[str]] | None = None) -> str:
    """GIFT text for `items`: a `$CATEGORY:` line whenever the category changes, comments from `header`
    at the top and from `notes[i]` before item i. Texts are written as `[plain]` text."""
    notes = notes or {}
    blocks: list[list[str]] = []
    if header:
        blocks.append([line for text in header for line in _comment(text)])
    category: str | None = None
    for index, item in enumerate(items):
        if index in notes or item.category != category:
            block = [line for text in notes.get(index, ()) for line in _comment(text)]
            if item.category and (item.category != category or block):
                # A category name is not escaped: Moodle reads the rest of the line as it is.
                block.append(f"$CATEGORY: {item.category}")
            if block:
                blocks.append(block)
            category = item.category
        blocks.append(_question(item))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


# --- reading -------------------------------------------------------------------------------------------

_ESCAPABLE = ":#={}~"
_PLACEHOLDER = {char: chr(0xE000 + i) for i, char in enumerate(_ESCAPABLE)}
_PLACEHOLDER["\n"] = chr(0xE000 + len(_ESCAPABLE))
_RESTORE = str.maketrans({v: k for k, v in _PLACEHOLDER.items()})
_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")
_TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _protect(text: str) -> str:
    """Replace escaped characters with placeholders, so they are never read as GIFT syntax."""
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            if following == "\\":
                out.append("\\")
                index += 2
                continue
            if following in _ESCAPABLE:
                out.append(_PLACEHOLDER[following])
                index += 2
                continue
            if following == "n":
                out.append(_PLACEHOLDER["\n"])
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _with_format(text: str, default: str) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading `[format]` marker, then the text restored and trimmed."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in GIFT_FORMATS:
            fmt = GIFT_FORMATS[name]
            text = text[end + 1:]
    return _restore(text).strip(), fmt


def _plain(text: str, default: str) -> str:
    body, fmt = _with_format(text.strip(), default)
    return to_plain(body, fmt)


def _default_title(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77].rstrip() + "..."


class _Reader:
    def __init__(self) -> None:
        self.items: list[PracticeItem] = []
        self.unsupported: list[Unsupported] = []
        self.problems: list[ImportProblem] = []
        self.category = ""

    def problem(self, line: int, key: str, title: str = "", skipped: bool = True, **values: str) -> None:
        self.problems.append(ImportProblem(line, "interchange.problem." + key, title, skipped, values))

    def question(self, lines: list[tuple[int, str]]) -> None:
        # Comment lines are blanked (Moodle keeps their place), then the block is one text.
        kept = [(number, " " if line.startswith("//") else line) for number, line in lines]
        text = "\n".join(line for _, line in kept).strip()
        if not text:
            return
        line = next(number for number, content in kept if content.strip())
        text = _protect(text)

        if text.startswith("$CATEGORY:"):
            self.category = _restore(text[len("$CATEGORY:"):]).strip()
            return

        title: str | None = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end >= 0:
                title = " ".join(_restore(text[2:end]).split())
                text = text[end + 2:].strip()
            else:
                text = text[2:]

        start, finish = text.find("{"), text.find("}")
        if start < 0 and finish < 0:
            qtext, answers = text, None
        elif start < 0 or finish < 0 or finish < start:
            self.problem(line, "braces", title or _default_title(_restore(text)))
            return
        else:
            answers = text[start + 1:finish].strip()
            # Answers after the text: remove the block; text after the block: a missing-word question.
            blank = "" if text.endswith("}") else "_____"
            qtext = text[:start] + blank + text[finish + 1:]

        general = ""
        if answers is not None and (cut := answers.rfind("####")) >= 0:
            general, answers = answers[cut + 4:], answers[:cut].strip()

        body, fmt = _with_format(qtext, MOODLE)
        plain_text = to_plain(body, fmt)
        title = title or _default_title(plain_text)
        general = _plain(general, fmt) if general else ""

        if answers is None:
            self.unsupported.append(Unsupported(title, line, "description"))
        elif answers == "":
            self.unsupported.append(Unsupported(title, line, "essay"))
        elif answers.startswith("#"):
            self.unsupported.append(Unsupported(title, line, "numerical"))
        elif "~" in answers:
            self.multichoice(title, line, plain_text, answers, fmt, general)
        elif "=" in answers and "->" in answers:
            self.unsupported.append(Unsupported(title, line, "match"))
        else:
            head = answers.split("#", 1)[0].strip() if answers.find("#") > 0 else answers
            if head in _TRUEFALSE:
                self.truefalse(title, line, plain_text, answers, fmt, general, _TRUEFALSE[head])
            else:
                self.unsupported.append(Unsupported(title, line, "shortanswer"))

    def multichoice(self, title: str, line: int, text: str, answers: str, fmt: str, general: str) -> None:
        single = "=" in answers
        parts = answers.replace("=", "~=").split("~")
        if parts and not parts[0].strip():
            parts = parts[1:]
        options = []
        for raw in parts:
            answer = raw.strip()
            if answer.startswith("="):
                fraction, answer = 1.0, answer[1:]
            elif _WEIGHT.match(answer):
                end = answer.index("%", 1)
                try:
                    fraction = float(answer[1:end]) / 100
                except ValueError:
                    self.problem(line, "bad_weight", title, weight=_restore(answer[: end + 1]))
                    return
                answer = answer[end + 1:]
            else:
                fraction = 0.0
            text_part, _, feedback = answer.partition("#")
            options.append(PracticeOption(_plain(text_part, fmt), moodle_round(fraction),
                                          _plain(feedback, fmt) if feedback else ""))
        # Moodle saves no answer whose text is blank.
        options = [option for option in options if option.text]
        if len(options) < 2:
            self.problem(line, "too_few_answers", title)
            return
        self.add(PracticeItem(title, text, tuple(options), not single, self.category, line, MULTICHOICE, general))

    def truefalse(self, title: str, line: int, text: str, answers: str, fmt: str, general: str,
                  correct: bool) -> None:
        bits = answers.split("#", 2)
        wrong = _plain(bits[1], fmt) if len(bits) > 1 else ""
        right = _plain(bits[2], fmt) if len(bits) > 2 else ""
        options = (
            PracticeOption(TRUE_TEXT, 1.0 if correct else 0.0, right if correct else wrong),
            PracticeOption(FALSE_TEXT, 0.0 if correct else 1.0, wrong if correct else right),
        )
        self.add(PracticeItem(title, text, options, False, self.category, line, TRUEFALSE, general))

    def add(self, item: PracticeItem) -> None:
        """Keep the item, with a warning when Moodle would refuse its grades."""
        self.problems.extend(grade_problems(item))
        self.items.append(item)


def read_gift(text: str) -> ImportReport:
    """Read GIFT text (a str; see `netral.interchange.read_file` for bytes and files)."""
    reader = _Reader()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if line:
            block.append((number, line))
        elif block:
            reader.question(block)
            block = []
    if block:
        reader.question(block)
    return ImportReport(tuple(reader.items), tuple(reader.unsupported), tuple(reader.problems), FORMAT)
