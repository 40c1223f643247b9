"""``GET /v1/artifacts``: the work samples a recruiter can assign, without reviewer-only text."""

from __future__ import annotations

from fastapi import APIRouter

from worksample.api.deps import CatalogDep, OrganizationDep
from worksample.api.schemas import ArtifactOut, CriterionOut, VariableOut
from worksample.artifacts.model import Artifact

router = APIRouter(prefix="/v1/artifacts", tags=["artifacts"])


def artifact_out(artifact: Artifact) -> ArtifactOut:
    manifest = artifact.manifest
    return ArtifactOut(
        id=manifest.id,
        title=manifest.title,
        profile=manifest.profile,
        summary=manifest.summary,
        time_limit_hours=manifest.time_limit_hours,
        variables={
            name: VariableOut(
                type=v.type, default=v.default, description=v.description, max_length=v.max_length
            )
            for name, v in manifest.variables.items()
        },
        rubric=[
            CriterionOut(id=c.id, title=c.title, weight=c.weight, required=c.required)
            for c in manifest.rubric.criteria
        ],
    )


@router.get("", summary="List the artifacts that can be assigned")
async def list_artifacts(_org: OrganizationDep, catalog: CatalogDep) -> list[ArtifactOut]:
    return [artifact_out(artifact) for artifact in catalog.all()]
