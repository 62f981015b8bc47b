"""Per-user message catalogue: Bahasa Indonesia first, English second.

`t(lang, key, **values)` is a pure lookup, so two users in one server process can read different languages
(never `gettext.install()`, which would switch every user at once).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
_LOCALES = Path(__file__).resolve().parent / "locales"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by message id: every `locales/<lang>/*.yaml` file, merged.

    One file per feature keeps each feature's messages beside each other; a key defined twice is an error.
    """
    messages: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for key, value in data.items():
            if key in messages:
                raise ValueError(f"{path}: message {key!r} is already defined in another file")
            messages[str(key)] = str(value)
    return messages


def normalise_language(lang: str | None) -> str:
    """A supported language code for `lang` (`en-US` -> `en`), defaulting to Bahasa Indonesia."""
    code = (lang or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def t(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang`, formatted with `values`; a missing key shows itself rather than crash."""
    lang = normalise_language(lang)
    message = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return message.format(**values) if values else message
