"""The provisioning steps for one assignment, in order, each recorded as it completes.

``service.provision_assignment`` drives a ``Run``; its module docstring says why each step is safe
to repeat and why the order is what it is.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from githubkit import GitHub
from githubkit.exception import RateLimitExceeded, RequestFailed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.errors import RenderError, UnknownArtifact, VariableError
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment, Installation, Organization, Person
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.github.client import GitHubApp, InstallationNotFound
from worksample.provisioning import github_calls as calls
from worksample.provisioning.errors import ProvisioningFailed, Superseded
from worksample.provisioning.naming import is_ours, repository_description, repository_name
from worksample.provisioning.rendering import RenderCache
from worksample.provisioning.reviewer_access import OrgAccess, ReviewerAccessCache, org_access
from worksample.provisioning.templates import TemplateRegistry, content_digest, ensure_template

log = logging.getLogger(__name__)

# Names tried (``name``, ``name-2``, ...) before giving up on finding a free one.
MAX_NAME_ATTEMPTS = 20

# Called after a step's GitHub calls succeeded and before the step is recorded: the point where a
# crash hurts most. Tests inject failures here; production passes None.
Checkpoint = Callable[[str], Awaitable[None]]

# The statuses in which provisioning may call GitHub for an assignment.
PROVISIONABLE = (AssignmentStatus.REQUESTED, AssignmentStatus.PROVISIONING)


def _refused(exc: RequestFailed, what: str) -> ProvisioningFailed | None:
    """GitHub's answer as a permanent failure, or None when a retry may succeed."""
    if isinstance(exc, RateLimitExceeded):
        return None
    status = calls.status_of(exc)
    if status in (403, 404, 422):
        return ProvisioningFailed(f"{what}: GitHub answered {status}: {calls.message_of(exc)}")
    return None


class Run:
    def __init__(
        self,
        session: AsyncSession,
        github: GitHubApp,
        assignment: Assignment,
        checkpoint: Checkpoint | None,
        templates: TemplateRegistry | None,
        renders: RenderCache | None,
        reviewer_access: ReviewerAccessCache | None,
    ) -> None:
        self.session = session
        self.github = github
        self.assignment = assignment
        self.org: Organization = assignment.organization
        assert assignment.candidate_login is not None  # checked by provision_assignment
        self.login: str = assignment.candidate_login
        self.checkpoint = checkpoint
        self.templates = templates
        # Without a shared cache every run renders afresh.
        self.renders = renders or RenderCache(size=1)
        # None: every reviewer gets a grant (no one to remember who already reads everything).
        self.reviewer_access = reviewer_access
        self.repo: calls.Repository | None = None
        # Created by this run, so nobody has been granted anything on it yet.
        self.fresh = False
        self.installation_id: int | None = None
        self.digest = ""

    async def _reached(self, step: str) -> None:
        if self.checkpoint is not None:
            await self.checkpoint(step)

    async def _record(self, kind: str, detail: Mapping[str, Any]) -> None:
        await record_event(self.session, self.assignment, kind, detail=detail)
        await self.session.commit()

    async def current_status(self) -> AssignmentStatus | None:
        """The stored status; None while it is still the one this run set (same version)."""
        row = await self.session.execute(
            select(Assignment.status, Assignment.version).where(Assignment.id == self.assignment.id)
        )
        status, version = row.one()
        # Ends the read, so no snapshot stays open across the GitHub call that follows.
        await self.session.commit()
        # Every status change bumps the version (compare-and-set in ``change_status``).
        return None if version == self.assignment.version else AssignmentStatus(status)

    async def _ensure_wanted(self) -> None:
        """Before a GitHub step: stop once someone else (a cancel) moved the assignment on."""
        moved_to = await self.current_status()
        if moved_to is not None:
            raise Superseded(moved_to)

    async def withdraw_invitation(self) -> None:
        """Take back the candidate's invitation this assignment recorded (after a late cancel)."""
        a = self.assignment
        if a.invitation_id is None or self.installation_id is None:
            return
        owner, name = self._owner_and_name()
        await calls.delete_invitation(
            self.github.installation(self.installation_id), owner, name, a.invitation_id
        )
        await self._record("provisioning.invitation_withdrawn", {"invitation_id": a.invitation_id})

    async def run(self, catalog: Catalog) -> None:
        # Render first: a bad artifact or variable must fail before anything exists on GitHub.
        files, title = self._render(catalog)
        self.installation_id = await self._installation_id()
        gh = self.github.installation(self.installation_id)
        try:
            step = "creating the repository"
            await self._repository(gh, files, title)
            step = "committing the work sample"
            await self._content(gh, files, title)
            step = "granting reviewers read access"
            await self._reviewers(gh)
            step = f"inviting {self.login}"
            await self._invitation(gh)
        except RequestFailed as exc:
            refused = _refused(exc, step)
            if refused is not None:
                raise refused from exc
            raise

    def _render(self, catalog: Catalog) -> tuple[dict[str, bytes], str]:
        a = self.assignment
        try:
            return self.renders.render(catalog, a.artifact_id, a.variables)
        except (UnknownArtifact, VariableError, RenderError) as exc:
            raise ProvisioningFailed(f"artifact {a.artifact_id!r} cannot be rendered: {exc}") from exc

    async def _installation_id(self) -> int:
        org = self.org
        if org.installation_id is not None:
            return org.installation_id
        try:
            installation_id, account_id = await self.github.find_installation(org.login)
        except InstallationNotFound as exc:
            raise ProvisioningFailed(str(exc)) from exc
        if await self.session.get(Installation, installation_id) is None:
            self.session.add(Installation(id=installation_id, account_login=org.login, account_id=account_id))
        org.installation_id = installation_id
        if org.github_id is None:
            org.github_id = account_id
        await self.session.commit()
        return installation_id

    async def _repository(self, gh: GitHub[Any], files: dict[str, bytes], title: str) -> None:
        a = self.assignment
        if a.repo_created_at is not None:
            return
        await self._ensure_wanted()
        template = await self._template(gh, files, title) if self.templates is not None else None
        description = repository_description(title, a.id)
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            name = repository_name(a.artifact_id, self.login, attempt)
            if template is not None:
                repo = await self._generate(gh, template, name, description)
            else:
                repo = await calls.create_repository(gh, self.org.login, name, description)
            adopted = False
            if repo is None:
                existing = await calls.get_repository(gh, self.org.login, name)
                if existing is None or not is_ours(existing.description, a.id):
                    continue
                repo, adopted = existing, True
            await self._reached("repository")
            self.repo, self.fresh = repo, not adopted
            a.repo_name, a.repo_full_name, a.repo_id = repo.name, repo.full_name, repo.id
            a.repo_html_url = repo.html_url
            a.repo_created_at = session_now(self.session)
            if repo.from_template:
                # GitHub copied the template's files in its own single commit.
                a.content_committed_at = a.repo_created_at
            await self._record(
                "provisioning.repository_created",
                {"repo": repo.full_name, "repo_id": repo.id, "adopted": adopted, "template": template},
            )
            if repo.from_template:
                await self._record(
                    "provisioning.content_committed", {"template": template, "files": sorted(files)}
                )
            return
        raise ProvisioningFailed(f"no free repository name after {MAX_NAME_ATTEMPTS} tries")

    async def _generate(
        self, gh: GitHub[Any], template: str, name: str, description: str
    ) -> calls.Repository | None:
        try:
            return await calls.generate_repository(gh, template, self.org.login, name, description)
        except calls.TemplateMissing:
            # Deleted on GitHub behind our back: forget it; the retry builds it again.
            assert self.templates is not None
            assert self.installation_id is not None
            await self.templates.forget(self.installation_id, self.digest)
            raise

    async def _template(self, gh: GitHub[Any], files: dict[str, bytes], title: str) -> str:
        assert self.templates is not None
        assert self.installation_id is not None
        self.digest = content_digest(files)
        return await ensure_template(
            gh,
            self.templates,
            installation_id=self.installation_id,
            org=self.org.login,
            artifact_id=self.assignment.artifact_id,
            title=title,
            files=files,
        )

    async def _known_repo(self, gh: GitHub[Any]) -> calls.Repository:
        if self.repo is not None:
            return self.repo
        a = self.assignment
        assert a.repo_full_name is not None  # set with repo_created_at
        owner, name = a.repo_full_name.split("/", 1)
        repo = await calls.get_repository(gh, owner, name)
        if repo is None or repo.id != a.repo_id:
            raise ProvisioningFailed(f"repository {a.repo_full_name} was deleted or replaced on GitHub")
        self.repo = repo
        return repo

    async def _content(self, gh: GitHub[Any], files: dict[str, bytes], title: str) -> None:
        a = self.assignment
        if a.content_committed_at is not None:
            return
        await self._ensure_wanted()
        repo = await self._known_repo(gh)
        owner, name = repo.full_name.split("/", 1)
        sha = await calls.commit_files(
            gh, owner, name, repo.default_branch, files, message=f"{title}\n", date=a.created_at
        )
        await self._reached("content")
        a.content_commit_sha = sha
        a.content_committed_at = session_now(self.session)
        await self._record("provisioning.content_committed", {"sha": sha, "files": sorted(files)})

    async def _invitation(self, gh: GitHub[Any]) -> None:
        a = self.assignment
        if a.candidate_invited_at is not None:
            return
        # The last check before GitHub e-mails the candidate: never invite after a cancel.
        await self._ensure_wanted()
        owner, name = self._owner_and_name()
        # Safe to repeat: GitHub answers a second PUT for a pending invitee with the same invitation.
        invitation = await calls.add_collaborator(gh, owner, name, self.login, "push")
        await self._reached("invitation")
        await self._record_candidate_id(gh, invitation)
        a.invitation_id = invitation.id
        a.candidate_invited_at = session_now(self.session)
        await self._record(
            "provisioning.candidate_invited",
            {
                "login": self.login,
                "invitation_id": invitation.id,
                "already_collaborator": invitation.id is None,
            },
        )

    def _owner_and_name(self) -> tuple[str, str]:
        full_name = self.repo.full_name if self.repo is not None else self.assignment.repo_full_name
        assert full_name is not None
        owner, name = full_name.split("/", 1)
        return owner, name

    async def _record_candidate_id(self, gh: GitHub[Any], invitation: calls.Invitation) -> None:
        """Key the candidate by GitHub's numeric id: logins can be renamed and reused."""
        person: Person = self.assignment.candidate
        seen = invitation.invitee_id
        if seen is None and person.github_id is None:
            seen = await calls.user_id(gh, self.login)
        if seen is None:
            return
        if person.github_id is not None and person.github_id != seen:
            # The login was renamed and taken by another account since the request: take the
            # invitation back and refuse, rather than hand the work sample to a stranger.
            if invitation.id is not None:
                owner, name = self._owner_and_name()
                await calls.delete_invitation(gh, owner, name, invitation.id)
            raise ProvisioningFailed(
                f"GitHub login {self.login!r} now belongs to account {seen}, "
                f"not the candidate's account {person.github_id}; the invitation was withdrawn"
            )
        person.github_id = seen

    async def _reviewers(self, gh: GitHub[Any]) -> None:
        owner, name = self._owner_and_name()
        for reviewer in self.assignment.reviewers:
            if reviewer.access_granted_at is not None:
                continue
            await self._ensure_wanted()
            access = await self._org_access(gh, reviewer.login)
            if access is not None and access.org_wide:
                # Reads every repository of the organization already: nothing to grant.
                via, invitation_id, github_id = "organization", None, access.github_id
            else:
                invitation = await calls.add_collaborator(gh, owner, name, reviewer.login, "pull")
                via, invitation_id = "collaborator", invitation.id
                github_id = invitation.invitee_id or (access.github_id if access else None)
            await self._reached(f"reviewer:{reviewer.login}")
            reviewer.access_granted_at = session_now(self.session)
            if reviewer.github_id is None:
                reviewer.github_id = github_id
            await self._record(
                "provisioning.reviewer_granted",
                {"login": reviewer.login, "permission": "pull", "via": via, "invitation_id": invitation_id},
            )

    async def _org_access(self, gh: GitHub[Any], login: str) -> OrgAccess | None:
        if self.reviewer_access is None:
            return None
        assert self.installation_id is not None  # set before the first step
        repo = self._owner_and_name()
        cache = self.reviewer_access
        return await org_access(gh, cache, self.installation_id, repo, login, may_learn=self.fresh)
