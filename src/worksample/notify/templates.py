"""Rendering e-mails from the Jinja2 templates in ``notify/templates``.

Each e-mail is ``<name>.subject.j2``, ``<name>.txt.j2`` and ``<name>.html.j2``; only the HTML part
is autoescaped (a candidate's name must not become markup there, while the text part stays as
written). ``StrictUndefined``: a template asking for a value nobody passed fails loudly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from worksample.notify.mail import EmailMessageSpec


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("worksample.notify", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_email(name: str, *, to: str, **context: Any) -> EmailMessageSpec:
    env = _environment()
    subject = env.get_template(f"{name}.subject.j2").render(**context)
    return EmailMessageSpec(
        to=to,
        # One line: a template's trailing newline must not reach the header.
        subject=" ".join(subject.split()),
        text=env.get_template(f"{name}.txt.j2").render(**context),
        html=env.get_template(f"{name}.html.j2").render(**context),
    )
