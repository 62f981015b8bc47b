"""Read YAML into plain Python data while remembering the line of every node.

Validation errors must name the file, the line and the field, so the loader keeps, for each path into the
document (a tuple of keys and list indexes), the 1-based line where that node starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """A parsed YAML document plus the line on which each node starts."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, location: Path_) -> int:
        """The line of the deepest known node on `location` (a missing field reports its parent's line)."""
        location = tuple(location)
        while location:
            if location in self.lines:
                return self.lines[location]
            location = location[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(ValueError):
    """A file that is not well-formed YAML; carries the line of the problem."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def _construct(node: yaml.Node, location: Path_, lines: dict[Path_, int]) -> Any:
    lines[location] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, location + ("<key>",), {})
            if isinstance(key, (list, dict)):
                raise YamlSyntaxError(Path("?"), key_node.start_mark.line + 1, "a mapping key must be a scalar")
            if key in result:
                raise YamlSyntaxError(
                    Path("?"), key_node.start_mark.line + 1, f"duplicate key {key!r} in the same mapping"
                )
            result[key] = _construct(value_node, location + (key,), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, location + (i,), lines) for i, item in enumerate(node.value)]
    # Scalars: the safe constructor resolves ints, floats, bools, nulls and dates as yaml.safe_load would.
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def parse_yaml(text: str, path: Path) -> LocatedDocument:
    """Parse one YAML document from `text`; raise YamlSyntaxError with the file's line on any problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(path, line, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, 1, f"YAML syntax: {exc}") from None
    if node is None:
        return LocatedDocument(path=path, data=None, lines={(): 1})
    lines: dict[Path_, int] = {}
    try:
        data = _construct(node, (), lines)
    except YamlSyntaxError as exc:
        raise YamlSyntaxError(path, exc.line, exc.message) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, node.start_mark.line + 1, f"YAML: {exc}") from None
    return LocatedDocument(path=path, data=data, lines=lines)


def read_yaml(path: Path) -> LocatedDocument:
    """Read and parse a YAML file (UTF-8, a BOM tolerated)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(path, 1, f"file is not UTF-8 text ({exc.reason})") from None
    return parse_yaml(text, path)
