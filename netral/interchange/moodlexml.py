"""Moodle XML: write practice items, read a Moodle XML file into an import report.

The layout follows Moodle's documentation ("Moodle XML format") and its importer
(question/format/xml/format.php): a `<quiz>` holding `<question type="...">` elements; a question of type
`category` switches the category of the questions after it; `multichoice` has `<single>` (true unless it says
`false` or `0`) and `<answer fraction="percent" format="...">` with `<text>` and `<feedback>`; `truefalse` has
two answers whose texts are `true` and `false` (in old files, true first). Texts are HTML unless their `format`
attribute says `moodle_auto_format`, `plain_text` or `markdown`; an answer's format defaults to the question
text's. Netral writes `plain_text`, so what it writes reads back unchanged.

Files come from users, so they are parsed with defusedxml: a DOCTYPE (and with it any entity declaration or
external reference) is refused. Each question's line is the line of its `<question>` tag.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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
from netral.interchange.textformat import HTML, XML_FORMATS, to_plain

FORMAT = "xml"
_WRITTEN_FORMAT = "plain_text"
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TYPE_NAMES = {"matching": "match", "cloze": "multianswer"}
"""Moodle XML names for types whose Moodle name differs."""

# --- writing -------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (control characters other than tab and line breaks)."""
    return _INVALID_XML_CHARS.sub("", text)


def _text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = _WRITTEN_FORMAT) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = _clean(text)
    return element


def _comment(text: str) -> ET.Element:
    # "--" may not appear inside an XML comment.
    return ET.Comment(" " + _clean(text).replace("--", "- -") + " ")


def _category(path: str) -> ET.Element:
    question = ET.Element("question", {"type": "category"})
    category = ET.SubElement(question, "category")
    ET.SubElement(category, "text").text = _clean(path)
    return question


def _question(item: PracticeItem, shuffle: bool) -> ET.Element:
    question = ET.Element("question", {"type": TRUEFALSE if item.kind == TRUEFALSE else MULTICHOICE})
    _text_element(question, "name", item.title, None)
    _text_element(question, "questiontext", item.text)
    _text_element(question, "generalfeedback", item.general_feedback)
    ET.SubElement(question, "defaultgrade").text = f"{moodle_round(item.default_mark):.7f}"
    if item.kind != TRUEFALSE:
        ET.SubElement(question, "single").text = "false" if item.multiple else "true"
        ET.SubElement(question, "shuffleanswers").text = "true" if shuffle else "false"
        ET.SubElement(question, "answernumbering").text = "abc"
    for option in item.options:
        answer = ET.SubElement(question, "answer", {"fraction": percent(option.fraction), "format": _WRITTEN_FORMAT})
        ET.SubElement(answer, "text").text = _clean(option.text)
        _text_element(answer, "feedback", option.feedback)
    return question


def write_xml(items: Iterable[PracticeItem], header: Sequence[str] = (),
              notes: Mapping[int, Sequence[str]] | None = None, *, shuffle: bool = True) -> str:
    """Moodle XML for `items`: a category question whenever the category changes, comments from `header`
    at the top and from `notes[i]` before item i; `shuffle` sets Moodle's "shuffle the choices"."""
    notes = notes or {}
    quiz = ET.Element("quiz")
    quiz.extend(_comment(line) for line in header)
    category: str | None = None
    for index, item in enumerate(items):
        quiz.extend(_comment(line) for line in notes.get(index, ()))
        if item.category and (item.category != category or index in notes):
            quiz.append(_category(item.category))
        category = item.category
        quiz.append(_question(item, shuffle))
    ET.indent(quiz, space="  ")
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# --- reading -------------------------------------------------------------------------------------------


class _LineTarget:
    """A tree builder that remembers the line of every start tag (read from the expat parser)."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = self.builder.start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse(data: bytes | str) -> tuple[ET.Element, dict[int, int]]:
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    parser.feed(data)
    root = parser.close()
    return root, target.lines


def _child_text(element: ET.Element | None, tag: str = "text") -> str:
    if element is None:
        return ""
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _format(element: ET.Element | None, default: str) -> str:
    if element is None or "format" not in element.attrib:
        return default
    return XML_FORMATS.get(element.attrib["format"].strip(), HTML)


def _single(value: str | None) -> bool:
    """Moodle's trans_single: false only for `false`, `0` or nothing."""
    value = (value or "").strip()
    return not (value in ("false", "0") or not value)


def _default_title(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77].rstrip() + "..."


class _Reader:
    def __init__(self, lines: dict[int, int]) -> None:
        self.lines = lines
        self.items: list[PracticeItem] = []
        self.unsupported: list[Unsupported] = []
        self.problems: list[ImportProblem] = []
        self.category = ""

    def problem(self, line: int, key: str, title: str = "", skipped: bool = True, **values: str) -> None:
        self.problems.append(ImportProblem(line, "interchange.problem." + key, title, skipped, values))

    def question(self, element: ET.Element) -> None:
        line = self.lines.get(id(element), 0)
        qtype = (element.get("type") or "").strip()
        if qtype == "category":
            category = element.find("category")
            if category is not None:
                self.category = _child_text(category) or (category.text or "").strip()
            return
        questiontext = element.find("questiontext")
        fmt = _format(questiontext, HTML)
        text = to_plain(_child_text(questiontext), fmt)
        title = " ".join(_child_text(element.find("name")).split()) or _default_title(text)
        general = element.find("generalfeedback")
        general_text = to_plain(_child_text(general), _format(general, fmt))
        if qtype == MULTICHOICE:
            self.multichoice(element, title, line, text, fmt, general_text)
        elif qtype == TRUEFALSE:
            self.truefalse(element, title, line, text, fmt, general_text)
        else:
            self.unsupported.append(Unsupported(title, line, _TYPE_NAMES.get(qtype, qtype or "unknown")))

    def answers(self, element: ET.Element, title: str, line: int, fmt: str) -> list[PracticeOption] | None:
        options = []
        for answer in element.findall("answer"):
            raw = answer.get("fraction", "0")
            try:
                fraction = moodle_round(float(raw) / 100)
            except ValueError:
                self.problem(line, "bad_fraction", title, fraction=raw)
                return None
            answer_format = _format(answer, fmt)
            text = answer.find("text")
            # Very old files put the answer text directly inside <answer>.
            raw_text = (text.text or "") if text is not None else (answer.text or "")
            feedback = answer.find("feedback")
            options.append(PracticeOption(to_plain(raw_text.strip(), answer_format),
                                          fraction, to_plain(_child_text(feedback), _format(feedback, fmt))))
        return options

    def multichoice(self, element: ET.Element, title: str, line: int, text: str, fmt: str, general: str) -> None:
        options = self.answers(element, title, line, fmt)
        if options is None:
            return
        # Moodle saves no answer whose text is blank.
        options = [option for option in options if option.text]
        if len(options) < 2:
            self.problem(line, "too_few_answers", title)
            return
        single_element = element.find("single")
        single = _single(single_element.text if single_element is not None else "true")
        self.add(PracticeItem(title, text, tuple(options), not single, self.category, line, MULTICHOICE, general,
                              _mark(element)))

    def truefalse(self, element: ET.Element, title: str, line: int, text: str, fmt: str, general: str) -> None:
        options = self.answers(element, title, line, fmt)
        if options is None:
            return
        if len(options) != 2:
            self.problem(line, "truefalse_answers", title)
            return
        by_text = {option.text.strip().lower(): option for option in options}
        if set(by_text) != {TRUE_TEXT, FALSE_TEXT}:
            # Old files wrote translated words; Moodle then takes the first answer as "true".
            self.problem(line, "truefalse_order", title, skipped=False)
            by_text = {TRUE_TEXT: options[0], FALSE_TEXT: options[1]}
        correct_true = by_text[TRUE_TEXT].fraction == 1.0
        tf = (
            PracticeOption(TRUE_TEXT, 1.0 if correct_true else 0.0, by_text[TRUE_TEXT].feedback),
            PracticeOption(FALSE_TEXT, 0.0 if correct_true else 1.0, by_text[FALSE_TEXT].feedback),
        )
        self.add(PracticeItem(title, text, tf, False, self.category, line, TRUEFALSE, general, _mark(element)))

    def add(self, item: PracticeItem) -> None:
        """Keep the item, with a warning when Moodle would refuse its grades."""
        self.problems.extend(grade_problems(item))
        self.items.append(item)


def _mark(element: ET.Element) -> float:
    grade = element.find("defaultgrade")
    try:
        return float((grade.text or "").strip()) if grade is not None else 1.0
    except ValueError:
        return 1.0


def read_xml(data: bytes | str) -> ImportReport:
    """Read Moodle XML (bytes, or an already decoded str)."""
    try:
        root, lines = _parse(data)
    except DefusedXmlException:
        return ImportReport(format=FORMAT, problems=(ImportProblem(1, "interchange.problem.xml_forbidden"),))
    except ET.ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else 1
        return ImportReport(format=FORMAT, problems=(
            ImportProblem(line, "interchange.problem.xml_syntax", values={"detail": str(error)}),))
    if root.tag != "quiz":
        return ImportReport(format=FORMAT, problems=(
            ImportProblem(lines.get(id(root), 1), "interchange.problem.not_moodle_xml", values={"tag": root.tag}),))
    reader = _Reader(lines)
    for element in root.findall("question"):
        reader.question(element)
    return ImportReport(tuple(reader.items), tuple(reader.unsupported), tuple(reader.problems), FORMAT)

