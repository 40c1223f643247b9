"""The assignments board and the trigger form (recruiters)."""

from __future__ import annotations

import json
import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from worksample.api.assignments import create_assignment
from worksample.api.deps import ArqPoolDep, CatalogDep, GitHubDep, SessionDep, SettingsDep
from worksample.api.errors import ApiError
from worksample.artifacts.errors import UnknownArtifact
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment, Organization
from worksample.web.deps import Csrf, RecruiterDep
from worksample.web.forms import GENERAL, field_errors, form_to_body, parse_body
from worksample.web.render import page

router = APIRouter(include_in_schema=False)

BOARD_LIMIT = 200
# The trigger form's own idempotency key: a form sent twice (a double click, Back and send again)
# replays the first answer instead of making a second assignment. Anything else is no key of ours.
FORM_KEY = "form_key"
_FORM_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
KEY_REUSED = (
    "This form was already sent, with other values, and made an assignment. "
    "The form below is a fresh one with your values: send it to make another assignment."
)


@router.get("/board")
async def board(
    viewer: RecruiterDep,
    db: SessionDep,
    catalog: CatalogDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    artifact: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    status = status if status in AssignmentStatus.__members__.values() else None
    artifact = artifact or None
    counts = dict(
        (
            await db.execute(
                select(Assignment.status, func.count())
                .where(Assignment.organization_id == viewer.org_id)
                .group_by(Assignment.status)
            )
        ).all()
    )
    query = (
        select(Assignment)
        .where(Assignment.organization_id == viewer.org_id)
        .options(selectinload(Assignment.candidate), selectinload(Assignment.reviewers))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
        .limit(BOARD_LIMIT)
    )
    if status:
        query = query.where(Assignment.status == status)
    if artifact:
        query = query.where(Assignment.artifact_id == artifact)
    rows = list((await db.scalars(query)).all())
    return page(
        "board.html.j2",
        viewer=viewer,
        title="Assignments",
        statuses=[s.value for s in AssignmentStatus],
        counts=counts,
        total=sum(counts.values()),
        rows=rows,
        artifacts=catalog.ids(),
        chosen_status=status,
        artifact=artifact,
        limit=BOARD_LIMIT,
    )


def _form_page(
    viewer: Any, catalog: Any, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    if not _FORM_KEY_SHAPE.fullmatch(values.get(FORM_KEY, "")):
        values = {**values, FORM_KEY: secrets.token_urlsafe(16)}
    chosen = values.get("artifact") or (catalog.ids()[0] if len(catalog) else "")
    try:
        artifact = catalog.get(chosen) if chosen else None
    except UnknownArtifact:
        artifact = None
    return page(
        "new.html.j2",
        status,
        viewer=viewer,
        title="Send a work sample",
        artifacts=catalog.all(),
        artifact=artifact,
        values=values,
        errors=errors,
        general=errors.get(GENERAL),
        form_key=values[FORM_KEY],
    )


@router.get("/assignments/new")
async def new_assignment(
    viewer: RecruiterDep, catalog: CatalogDep, artifact: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    return _form_page(viewer, catalog, {"artifact": artifact or ""}, {})


@router.post("/assignments/new", dependencies=[Csrf])
async def trigger_assignment(
    request: Request,
    viewer: RecruiterDep,
    db: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    github: GitHubDep,
    arq_pool: ArqPoolDep,
) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    if form.get("action") == "choose":
        # "Show its fields" only switches the artifact: nothing is validated or sent yet.
        return _form_page(viewer, catalog, {"artifact": values.get("artifact", "")}, {})
    parsed = parse_body(form_to_body(values))
    if isinstance(parsed, dict):
        return _form_page(viewer, catalog, values, parsed, 422)
    org = await db.get_one(Organization, viewer.org_id)
    form_key = values.get(FORM_KEY, "")
    key = f"web-form:{form_key}" if _FORM_KEY_SHAPE.fullmatch(form_key) else None
    try:
        answer = await create_assignment(parsed, org, db, settings, catalog, github, arq_pool, key)
    except ApiError as exc:
        await db.rollback()
        if exc.code == "idempotency_key_reused":
            return _form_page(viewer, catalog, {**values, FORM_KEY: ""}, {GENERAL: KEY_REUSED}, exc.status)
        errors = field_errors(exc.fields) if exc.fields else {GENERAL: exc.message}
        return _form_page(viewer, catalog, values, errors, exc.status)
    created = json.loads(bytes(answer.body))
    return RedirectResponse(f"/assignments/{created['id']}?done=created", status_code=303)
