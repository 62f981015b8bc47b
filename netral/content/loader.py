"""Load every content file under a content folder, keeping what is valid and reporting every problem.

One broken file (or one broken scenario inside a file) never hides the others: each file, and each item of
its main list, is validated on its own. Every problem names the file, the line and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from netral.content.models import (
    Category,
    Dataset,
    Institution,
    Provision,
    Quiz,
    SanctionLevel,
    Scenario,
    Source,
)
from netral.content.yamlsource import LocatedDocument, Path_, YamlSyntaxError, read_yaml

Model = TypeVar("Model", bound=BaseModel)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, printable as `path:line: field: message`."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Origin:
    """Where an item came from: its file, and its location inside that file's document."""

    document: LocatedDocument
    location: Path_

    def line(self, *sub: str | int) -> int:
        return self.document.line_of(self.location + sub)


@dataclass
class Content:
    """All the content that loaded, indexed by id, with the origin of each item for later checks."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    sanction_levels: dict[str, SanctionLevel] = field(default_factory=dict)
    provisions: dict[str, Provision] = field(default_factory=dict)
    institutions: dict[str, Institution] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)

    def origin(self, kind: str, item_id: str) -> Origin:
        return self.origins[(kind, item_id)]

    @property
    def question_count(self) -> int:
        return sum(len(scenario.questions) for scenario in self.scenarios.values())

    def standalone_scenarios(self, category: str | None = None) -> list[Scenario]:
        """Scenarios that can be drawn on their own (not follow-ups), optionally of one category, in id order."""
        return sorted(
            (
                s
                for s in self.scenarios.values()
                if not s.followup_only and (category is None or s.category == category)
            ),
            key=lambda s: s.id,
        )


def _display_path(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _field_name(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(document)"


class _Collector:
    """Gathers problems and origins while files are read."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def add(self, document: LocatedDocument, location: Path_, message: str) -> None:
        self.problems.append(
            Problem(
                _display_path(document.path, self.root),
                document.line_of(location),
                _field_name(location),
                message,
            )
        )

    def read(self, path: Path) -> LocatedDocument | None:
        try:
            return read_yaml(path)
        except YamlSyntaxError as exc:
            self.problems.append(Problem(_display_path(path, self.root), exc.line, "(document)", exc.message))
            return None
        except OSError as exc:
            self.problems.append(Problem(_display_path(path, self.root), 1, "(document)", f"cannot read: {exc}"))
            return None

    def validate(self, model: type[Model], data: Any, document: LocatedDocument, location: Path_) -> Model | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                # Pydantic adds union/type tags to the location; keep only the parts that name real fields.
                loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part[:1].isupper()))
                message = error["msg"]
                if error["type"] == "extra_forbidden":
                    message = "unknown field (a typo?)"
                self.add(document, location + loc, message)
            return None

    def mapping(self, document: LocatedDocument, keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The document as a mapping with only `keys` at the top; reports anything else."""
        data = document.data
        if not isinstance(data, dict):
            self.add(document, (), f"expected a mapping with {', '.join(keys)} at the top")
            return None
        for key in data:
            if key not in keys:
                self.add(document, (key,), f"unknown top-level field; expected {', '.join(keys)}")
        return data

    def items(
        self,
        content: Content,
        kind: str,
        model: type[Model],
        document: LocatedDocument,
        key: str,
        target: dict[str, Model],
        *,
        required: bool = True,
    ) -> None:
        """Validate each item of the list `key` on its own and index the valid ones by id."""
        data = document.data if isinstance(document.data, dict) else {}
        raw = data.get(key)
        if raw is None:
            if required:
                self.add(document, (), f"missing list `{key}`")
            return
        if not isinstance(raw, list) or not raw:
            self.add(document, (key,), "expected a non-empty list")
            return
        for index, item in enumerate(raw):
            location = (key, index)
            self.register(content, kind, model, item, document, location, target)

    def register(
        self,
        content: Content,
        kind: str,
        model: type[Model],
        item: Any,
        document: LocatedDocument,
        location: Path_,
        target: dict[str, Model],
    ) -> None:
        value = self.validate(model, item, document, location)
        if value is None:
            return
        item_id = value.id  # type: ignore[attr-defined]
        if item_id in target:
            first = content.origin(kind, item_id)
            self.add(
                document,
                location + ("id",),
                f"duplicate {kind} id {item_id!r} (first defined in "
                f"{_display_path(first.document.path, self.root)}:{first.line('id')})",
            )
            return
        target[item_id] = value
        content.origins[(kind, item_id)] = Origin(document, location)


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_content(root: Path | str | None = None) -> tuple[Content, list[Problem]]:
    """Read every content file under `root` (default: the project's `content/`).

    Returns what loaded and the list of problems, sorted by file and line. Cross-file checks are in
    `netral.content.crosscheck`; `netral.content.validate_content` runs both.
    """
    root = Path(root) if root is not None else DEFAULT_CONTENT_DIR
    collector = _Collector(root)
    content = Content(root=root)
    if not root.is_dir():
        collector.problems.append(Problem(str(root), 1, "(folder)", "content folder not found"))
        return content, collector.problems

    regulations = root / "regulations.yaml"
    if not regulations.exists():
        collector.problems.append(Problem(_display_path(regulations, root), 1, "(document)", "file is missing"))
    elif (document := collector.read(regulations)) is not None:
        if collector.mapping(document, ("sources", "sanction_levels", "provisions", "institutions")) is not None:
            collector.items(content, "source", Source, document, "sources", content.sources)
            collector.items(content, "sanction level", SanctionLevel, document, "sanction_levels", content.sanction_levels)
            collector.items(content, "provision", Provision, document, "provisions", content.provisions)
            collector.items(
                content, "institution", Institution, document, "institutions", content.institutions, required=False
            )

    categories = root / "categories.yaml"
    if not categories.exists():
        collector.problems.append(Problem(_display_path(categories, root), 1, "(document)", "file is missing"))
    elif (document := collector.read(categories)) is not None:
        if collector.mapping(document, ("categories",)) is not None:
            collector.items(content, "category", Category, document, "categories", content.categories)

    scenario_files = _yaml_files(root / "scenarios")
    if not scenario_files:
        collector.problems.append(Problem(_display_path(root / "scenarios", root), 1, "(folder)", "no scenario files"))
    for path in scenario_files:
        if (document := collector.read(path)) is not None:
            if collector.mapping(document, ("scenarios",)) is not None:
                collector.items(content, "scenario", Scenario, document, "scenarios", content.scenarios)

    quiz_files = _yaml_files(root / "quizzes")
    if not quiz_files:
        collector.problems.append(Problem(_display_path(root / "quizzes", root), 1, "(folder)", "no quiz files"))
    for path in quiz_files:
        if (document := collector.read(path)) is not None:
            collector.register(content, "quiz", Quiz, document.data, document, (), content.quizzes)

    for path in _yaml_files(root / "stats"):
        if (document := collector.read(path)) is not None:
            before = len(content.datasets)
            collector.register(content, "dataset", Dataset, document.data, document, (), content.datasets)
            if len(content.datasets) > before:
                dataset = list(content.datasets.values())[-1]
                for location, message in dataset.row_problems():
                    collector.add(document, location, message)

    return content, sorted(collector.problems)
