"""Recognising one candidate's personal data inside text and JSON. Pure: no I/O.

Three kinds of terms, because each is told apart from everything else differently:

- *distinctive* ones (an e-mail address, the candidate's repository names, a name of two words or
  more) cannot be mistaken for anything we store, so they are replaced wherever they occur;
- *logins* can be ordinary words that our own data uses as values (``lead``, ``pending``,
  ``open`` are GitHub users). A login is replaced inside a longer text (a URL, an @-mention, a
  sentence), but a value that *is* the login only where it is a login: a JSON key such as
  ``login``, or a column the caller says holds one. ``"role": "lead"`` stays;
- *name words* (a one-word name, the parts of a longer one) are replaced only as the whole value
  of a name: a ``name``/``first_name``... key or a name column. A recruiter's free-text name is
  matched as structured data, never as a word in running text.

Matches are whole tokens: a login inside ``team-octocat``, ``octocats`` or ``assignment.octocat``
is another word, not the person; inside ``/octocat/``, ``@octocat`` or a sentence it is them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Literal

ERASED = "[erased]"

# A value is "the person's" by its place: which JSON key or which column holds it.
Holds = Literal["login", "name"]

# Keys whose value is a login (or a name): equal to the person's, it is the person. Logins are
# unique, so a key that holds logins can be listed here without risk; keys holding anything else
# (a role, a state) must not be.
LOGIN_KEYS = frozenset(
    {
        *("login", "username", "candidate", "candidate_login", "by", "sender", "author", "actor"),
        *("user", "assignee", "owner", "reviewer", "collaborator", "member", "invitee"),
    }
)
NAME_KEYS = frozenset({"name", "first_name", "last_name", "preferred_name", "display_name", "candidate_name"})

# A login, a name or a repository name runs on across letters, digits, "_" and "-"; a "." before
# it makes it a suffix of something else (``assignment.pending``), an "@" after it a mailbox.
_BEFORE = r"(?<![\w.-])"
_AFTER = r"(?![\w@-])"


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    found = sorted({t for t in terms if t}, key=len, reverse=True)
    if not found:
        return None
    alternatives = "|".join(re.escape(t) for t in found)
    return re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE)


def _holds(key: Any) -> Holds | None:
    if not isinstance(key, str):
        return None
    lowered = key.lower()
    if lowered in LOGIN_KEYS:
        return "login"
    if lowered in NAME_KEYS:
        return "name"
    return None


def _clean(values: Iterable[str | None]) -> set[str]:
    return {v.strip() for v in values if v and v.strip()}


class Eraser:
    """Replaces one person's terms by ``[erased]`` in strings, JSON values and stored JSON bodies."""

    def __init__(
        self,
        *,
        logins: Iterable[str | None] = (),
        names: Iterable[str | None] = (),
        emails: Iterable[str | None] = (),
        repositories: Iterable[str | None] = (),
    ) -> None:
        logins_found = _clean(logins)
        distinctive = _clean((*emails, *repositories))
        name_words: set[str] = set()
        for name in _clean(names):
            parts = name.split()
            if len(parts) > 1:
                distinctive.add(" ".join(parts))
            name_words.update(parts)
        self.logins = frozenset(v.casefold() for v in logins_found)
        # What a name may be: a part of the name, or the login (many set their name to it).
        self.name_words = frozenset(v.casefold() for v in name_words) | self.logins
        self._anywhere = _pattern(logins_found | distinctive)
        self._in_keys = _pattern(distinctive)

    def __bool__(self) -> bool:
        return self._anywhere is not None or bool(self.name_words)

    def text(self, value: str, *, holds: Holds | None = None) -> str:
        """``value`` with the person's terms replaced. ``holds``: the value's place holds a login
        (or a name), so being exactly the person's login (or name) is enough."""
        whole = value.strip().casefold()
        # A value that is nothing but one of the words is the person only where a login (or a
        # name) belongs; elsewhere it is that word: a role, a state, a label.
        if whole in self.name_words:
            mine = whole in self.logins if holds == "login" else holds == "name"
            return ERASED if mine else value
        return value if self._anywhere is None else self._anywhere.sub(ERASED, value)

    def json(self, value: Any, *, holds: Holds | None = None) -> Any:
        """A JSON value with the terms replaced: keys only for distinctive terms (keys are
        identifiers: role names, reviewer logins), values by what their key says they hold."""
        if isinstance(value, str):
            return self.text(value, holds=holds)
        if isinstance(value, list):
            return [self.json(item, holds=holds) for item in value]
        if isinstance(value, dict):
            return {self._key(k): self.json(v, holds=_holds(k)) for k, v in value.items()}
        return value

    def _key(self, key: Any) -> Any:
        if isinstance(key, str) and self._in_keys is not None:
            return self._in_keys.sub(ERASED, key)
        return key

    def json_text(self, value: str, *, compact_sorted: bool = False) -> str:
        """Stored JSON text (a webhook body): parsed, walked, written back. Text that is not JSON
        is treated as plain text. ``compact_sorted`` keeps the ATS events' canonical form."""
        try:
            parsed = json.loads(value)
        except ValueError:
            return self.text(value)
        scrubbed = self.json(parsed)
        if scrubbed == parsed:
            return value
        if compact_sorted:
            return json.dumps(scrubbed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False)

    def json_bytes(self, value: bytes, *, compact_sorted: bool = False) -> bytes:
        try:
            decoded = value.decode("utf-8")
        except UnicodeDecodeError:
            return value
        return self.json_text(decoded, compact_sorted=compact_sorted).encode("utf-8")
