"""Recognising a candidate's personal data: distinctive terms anywhere, logins as tokens, a word
that is also a role or a state only where a login or a name belongs; and every text column of the
schema is either scrubbed or kept for a stated reason."""

from __future__ import annotations

import json

from sqlalchemy import JSON, LargeBinary, String, Text

from worksample.db.models import Base
from worksample.lifecycle.personal import ERASED, Eraser
from worksample.lifecycle.scrub import KEPT, PLACES


def test_logins_are_whole_tokens_and_case_insensitive() -> None:
    eraser = Eraser(logins=["octocat"])
    assert eraser.text("http://x/OctoCat/pull/1") == f"http://x/{ERASED}/pull/1"
    assert eraser.text("thanks @octocat!") == f"thanks @{ERASED}!"
    # Another login, a suffix of a dotted name, a mailbox: not the person.
    for other in (
        "octocats",
        "xoctocat",
        "team-octocat",
        "octocat-bot",
        "assignment.octocat",
        "octocat@x.org",
    ):
        assert eraser.text(other) == other


def test_a_login_that_is_a_word_is_erased_only_where_a_login_belongs() -> None:
    eraser = Eraser(logins=["lead"], names=["Pending"])
    data = {
        "reviewers": [{"login": "lead-eng", "role": "lead"}, {"login": "LEAD", "role": "engineer"}],
        "state": "pending",
        "candidate": {"login": "lead", "name": "Pending"},
        "scores": {"lead": 3},
        "url": "https://github.com/lead",
    }
    assert eraser.json(data) == {
        "reviewers": [{"login": "lead-eng", "role": "lead"}, {"login": ERASED, "role": "engineer"}],
        "state": "pending",
        "candidate": {"login": ERASED, "name": ERASED},
        "scores": {"lead": 3},
        "url": f"https://github.com/{ERASED}",
    }
    assert eraser.text("lead") == "lead"
    assert eraser.text("lead", holds="login") == ERASED
    # A name is structured data: its words are not searched for in running text.
    assert eraser.text("pending review") == "pending review"


def test_distinctive_terms_anywhere_even_in_keys_and_stored_bodies() -> None:
    eraser = Eraser(
        names=["Zoë Doe"], emails=["zoe@example.com"], repositories=["acme/sample-zoe", "sample-zoe"]
    )
    data = {"who": "Zoë Doe wrote", "zoe@example.com": 1, "repo": "acme/sample-zoe", "first_name": "Zoë"}
    assert eraser.json(data) == {"who": f"{ERASED} wrote", ERASED: 1, "repo": ERASED, "first_name": ERASED}
    body = json.dumps(
        {"data": {"name": "Zoë Doe", "n": 3}, "type": "x"}, separators=(",", ":"), sort_keys=True
    )
    scrubbed = eraser.json_bytes(body.encode(), compact_sorted=True)
    assert scrubbed == b'{"data":{"n":3,"name":"' + ERASED.encode() + b'"},"type":"x"}'
    # Escaped non-ASCII is found too (the body is parsed, not searched).
    assert ERASED in eraser.json_text('{"name": "Zo\\u00eb Doe"}')
    assert eraser.json_bytes(b"\xff\xfe") == b"\xff\xfe"
    assert eraser.json_text("not json: zoe@example.com") == f"not json: {ERASED}"


def test_nothing_to_search_for() -> None:
    eraser = Eraser(logins=["", None], names=["  "])
    assert not eraser
    assert eraser.text("anything") == "anything"


def test_every_text_column_is_scrubbed_or_kept_for_a_reason() -> None:
    scrubbed = {f"{p.model.__tablename__}.{c.name}" for p in PLACES for c in p.columns}
    undecided = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, (String, Text, JSON, LargeBinary)):
                continue
            name = f"{table.name}.{column.name}"
            if name not in scrubbed and name not in KEPT and f"{table.name}.*" not in KEPT:
                undecided.append(name)
    assert undecided == [], "add each to lifecycle.scrub.PLACES or KEPT"
    assert scrubbed.isdisjoint(KEPT)
