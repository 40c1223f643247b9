"""Finding reviewer-only text (guide sentences, rubric anchors) inside a rendered candidate tree.

Whole-text equality would miss the realistic leak: an author pastes one sentence of the guide
into the RFC, or rewraps it, changes its case or its emphasis. So both sides are normalised to
lower-case word sequences (markdown punctuation, quotes and line breaks gone) and compared two
ways: a reviewer sentence of at least ``MIN_SENTENCE_WORDS`` words found whole, or any run of
``PHRASE_WORDS`` consecutive reviewer words found anywhere in a rendered file.

Reviewers need to quote the artifact ("the RFC says ..."), so quoted material in reviewer text is
exempt: ``>`` blockquote lines, fenced and inline code, and spans in double quotes (straight or
typographic). Anything else the guide shares with the tree is reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from worksample.artifacts.catalog import REVIEWER_GUIDE_FILE
from worksample.artifacts.model import Artifact

MIN_SENTENCE_WORDS = 5
PHRASE_WORDS = 7

_FENCED = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")
_BLOCKQUOTE = re.compile(r"^\s*>.*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
# Stands in for removed quotations, so the words either side never join into a false phrase.
_CUT = "\x1f"
# Headings and table rows never continue onto the next line.
_ONE_LINE_BLOCK = re.compile(r"^\s*(?:#|\|)")
_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|\||$)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Leak:
    file: str  # path in the rendered tree
    source: str  # where the reviewer text comes from, e.g. "REVIEWER_GUIDE.md", "rubric rollback level 3"
    excerpt: str  # the reviewer text that was found, trimmed for display

    def __str__(self) -> str:
        return f"{self.file} contains reviewer text from {self.source}: {self.excerpt!r}"


def words(text: str) -> list[str]:
    """Lower-case words with markup, punctuation and Unicode variants folded away."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return _WORD.findall(folded)


def reviewer_passages(artifact: Artifact) -> list[tuple[str, str]]:
    """Every piece of reviewer-only text, labelled with where it comes from."""
    passages = [(REVIEWER_GUIDE_FILE, artifact.reviewer_guide)]
    for criterion in artifact.manifest.rubric.criteria:
        for level, anchor in sorted(criterion.anchors.items()):
            passages.append((f"rubric {criterion.id} level {level}", anchor))
    return passages


def find_leaks(rendered: Mapping[str, bytes], passages: Iterable[tuple[str, str]]) -> list[Leak]:
    """Reviewer text found in rendered text files, at most once per (file, passage block)."""
    files = _index_files(rendered)
    leaks: list[Leak] = []
    for source, text in passages:
        for block in _blocks(_strip_quotations(text)):
            runs = [words(run) for run in block.split(_CUT)]
            # Phrases run across sentence ends inside a block, so splitting a pasted passage at a
            # full stop or colon does not hide it.
            phrases = set().union(*(_phrases(run) for run in runs))
            sentences = [
                (sentence, " " + " ".join(sentence_words) + " ")
                for run in block.split(_CUT)
                for sentence in _SENTENCE_END.split(run)
                if len(sentence_words := words(sentence)) >= MIN_SENTENCE_WORDS
            ]
            for path, (flat, file_phrases) in files.items():
                whole = next((s for s, joined in sentences if joined in flat), None)
                shared = sorted(phrases & file_phrases)
                if whole is not None:
                    leaks.append(Leak(path, source, _trim(whole)))
                elif shared:
                    leaks.append(Leak(path, source, _trim(" ".join(shared[0]))))
    return leaks


def _index_files(rendered: Mapping[str, bytes]) -> dict[str, tuple[str, set[tuple[str, ...]]]]:
    index: dict[str, tuple[str, set[tuple[str, ...]]]] = {}
    for path, data in sorted(rendered.items()):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # binary files cannot carry prose a candidate would read
        file_words = words(text)
        index[path] = (" " + " ".join(file_words) + " ", _phrases(file_words))
    return index


def _phrases(seq: list[str]) -> set[tuple[str, ...]]:
    return {tuple(seq[i : i + PHRASE_WORDS]) for i in range(len(seq) - PHRASE_WORDS + 1)}


def _strip_quotations(text: str) -> str:
    for pattern in (_FENCED, _BLOCKQUOTE, _INLINE_CODE, _QUOTED):
        text = pattern.sub(_CUT, text)
    return text


def _blocks(text: str) -> list[str]:
    """Paragraphs, list items, headings and table rows: wrapped lines rejoined, blocks kept apart."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if current and _BLOCK_START.match(line):
            blocks.append(" ".join(current))
            current = []
        if line.strip():
            current.append(line.strip())
        if _ONE_LINE_BLOCK.match(line):
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def _trim(sentence: str) -> str:
    flat = " ".join(sentence.split())
    return flat if len(flat) <= 100 else flat[:97] + "..."
