"""Whole-word replacement of personal data inside strings, JSON and bytes."""

from __future__ import annotations

from worksample.lifecycle.scrub import ERASED, replace_in, term_pattern, variants


def test_whole_words_only_and_case_insensitive() -> None:
    pattern = term_pattern(["octocat"])
    assert pattern is not None
    assert replace_in("acme/test-sample-OctoCat", pattern) == f"acme/test-sample-{ERASED}"
    assert replace_in("http://x/octocat/pull/1", pattern) == f"http://x/{ERASED}/pull/1"
    # Another login that merely contains it is left alone.
    assert replace_in("octocats and xoctocat", pattern) == "octocats and xoctocat"


def test_json_keys_values_and_escaped_names() -> None:
    pattern = term_pattern(["Zoë Doe", "zoe@example.com"])
    assert pattern is not None
    data = {"who": {"name": "Zoë Doe", "emails": ["zoe@example.com"]}, "zoe@example.com": 1, "n": 3}
    assert replace_in(data, pattern) == {"who": {"name": ERASED, "emails": [ERASED]}, ERASED: 1, "n": 3}
    # Stored JSON text escapes non-ASCII characters; that form is found too.
    assert replace_in(b'{"name": "Zo\\u00eb Doe"}', pattern) == b'{"name": "' + ERASED.encode() + b'"}'
    assert replace_in(b"\xff\xfe", pattern) == b"\xff\xfe"


def test_nothing_to_search_for() -> None:
    assert term_pattern(["", "  "]) is None
    assert variants(["a"]) == ["a"]
