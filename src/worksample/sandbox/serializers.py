"""GitHub's JSON for accounts, apps, installations, repositories and invitations.

Each function returns the full object GitHub returns (the superset of the REST and webhook shapes),
so the same dict validates against githubkit's REST model and carries every key of the real
webhook examples.
"""

from __future__ import annotations

import base64
from typing import Any

from worksample.sandbox.records import (
    INVITATION_NAMES,
    PERMISSIONS,
    Account,
    AppRecord,
    Installation,
    Invitation,
    Repo,
    permission_rank,
)
from worksample.sandbox.state import World, iso


def node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def api(world: World, path: str) -> str:
    return world.config.html_base + path


def html(world: World, path: str) -> str:
    return world.config.html_base + path


def user(world: World, account: Account) -> dict[str, Any]:
    u = f"/users/{account.login}"
    return {
        "login": account.login,
        "id": account.id,
        "node_id": node_id(account.type, account.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": api(world, u),
        "html_url": html(world, f"/{account.login}"),
        "followers_url": api(world, f"{u}/followers"),
        "following_url": api(world, f"{u}/following{{/other_user}}"),
        "gists_url": api(world, f"{u}/gists{{/gist_id}}"),
        "starred_url": api(world, f"{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": api(world, f"{u}/subscriptions"),
        "organizations_url": api(world, f"{u}/orgs"),
        "repos_url": api(world, f"{u}/repos"),
        "events_url": api(world, f"{u}/events{{/privacy}}"),
        "received_events_url": api(world, f"{u}/received_events"),
        "type": account.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(world: World, account: Account) -> dict[str, Any]:
    owned = [r for r in world.repos.values() if r.owner_id == account.id]
    return {
        **user(world, account),
        "name": account.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": sum(1 for r in owned if not r.private),
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.created_at),
    }


def private_user(world: World, account: Account) -> dict[str, Any]:
    owned = [r for r in world.repos.values() if r.owner_id == account.id]
    return {
        **public_user(world, account),
        "private_gists": 0,
        "total_private_repos": sum(1 for r in owned if r.private),
        "owned_private_repos": sum(1 for r in owned if r.private),
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
    }


def organization(world: World, org: Account) -> dict[str, Any]:
    o = f"/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": api(world, o),
        "repos_url": api(world, f"{o}/repos"),
        "events_url": api(world, f"{o}/events"),
        "hooks_url": api(world, f"{o}/hooks"),
        "issues_url": api(world, f"{o}/issues"),
        "members_url": api(world, f"{o}/members{{/member}}"),
        "public_members_url": api(world, f"{o}/public_members{{/member}}"),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{org.id}?v=4",
        "description": None,
    }


def app(world: World, record: AppRecord) -> dict[str, Any]:
    owner = world.accounts.get(record.owner_id)
    return {
        "id": record.id,
        "slug": record.slug,
        "client_id": record.client_id,
        "node_id": node_id("Integration", record.id),
        "owner": user(world, owner) if owner else None,
        "name": record.name,
        "description": None,
        "external_url": html(world, f"/apps/{record.slug}"),
        "html_url": html(world, f"/apps/{record.slug}"),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.created_at),
        "permissions": dict(record.permissions),
        "events": list(record.events),
        "installations_count": sum(1 for i in world.installations.values() if i.app_id == record.id),
    }


def installation(world: World, inst: Installation) -> dict[str, Any]:
    record = world.apps[inst.app_id]
    account = world.accounts[inst.account_id]
    return {
        "id": inst.id,
        "node_id": node_id("Installation", inst.id),
        "client_id": record.client_id,
        "account": user(world, account),
        "repository_selection": inst.repository_selection,
        "access_tokens_url": api(world, f"/app/installations/{inst.id}/access_tokens"),
        "repositories_url": api(world, "/installation/repositories"),
        "html_url": html(world, f"/organizations/{account.login}/settings/installations/{inst.id}"),
        "app_id": record.id,
        "app_slug": record.slug,
        "target_id": account.id,
        "target_type": account.type,
        "permissions": dict(record.permissions),
        "events": list(record.events),
        "created_at": iso(inst.created_at),
        "updated_at": iso(inst.created_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
        "contact_email": None,
        "requester": None,
    }


def installation_ref(inst: Installation) -> dict[str, Any]:
    """The ``installation`` object every App webhook payload carries."""
    return {"id": inst.id, "node_id": node_id("Installation", inst.id)}


_REPO_URLS: dict[str, str] = {
    "forks_url": "/forks",
    "keys_url": "/keys{/key_id}",
    "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams",
    "hooks_url": "/hooks",
    "issue_events_url": "/issues/events{/number}",
    "events_url": "/events",
    "assignees_url": "/assignees{/user}",
    "branches_url": "/branches{/branch}",
    "tags_url": "/tags",
    "blobs_url": "/git/blobs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "trees_url": "/git/trees{/sha}",
    "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages",
    "stargazers_url": "/stargazers",
    "contributors_url": "/contributors",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}",
    "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}",
    "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}",
    "merges_url": "/merges",
    "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads",
    "issues_url": "/issues{/number}",
    "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}",
    "releases_url": "/releases{/id}",
    "deployments_url": "/deployments",
}


def full_name(world: World, repo: Repo) -> str:
    return f"{world.accounts[repo.owner_id].login}/{repo.name}"


def repository(world: World, repo: Repo, *, permission: str | None = None) -> dict[str, Any]:
    owner = world.accounts[repo.owner_id]
    name = full_name(world, repo)
    base = api(world, f"/repos/{name}")
    host = world.config.html_base.split("://", 1)[-1]
    open_issues = sum(1 for p in world.pulls.values() if p.repo_id == repo.id and p.state == "open")
    out: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": name,
        "private": repo.private,
        "owner": user(world, owner),
        "html_url": html(world, f"/{name}"),
        "description": repo.description,
        "fork": False,
        "url": base,
        **{key: base + suffix for key, suffix in _REPO_URLS.items()},
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.updated_at),
        "pushed_at": iso(repo.pushed_at or repo.created_at),
        "git_url": f"git://{host}/{name}.git",
        "ssh_url": f"git@{host}:{name}.git",
        "clone_url": html(world, f"/{name}.git"),
        "svn_url": html(world, f"/{name}"),
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": repo.archived,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": None,
        "allow_forking": False,
        "is_template": repo.is_template,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo.private else "public",
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
        "default_branch": repo.default_branch,
        "custom_properties": {},
        "subscribers_count": 0,
        "network_count": 0,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_rebase_merge": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "temp_clone_token": "",
    }
    if repo.template_repo_id is not None and repo.template_repo_id in world.repos:
        out["template_repository"] = repository(world, world.repos[repo.template_repo_id])
    if permission is not None:
        out["permissions"] = permissions_block(permission)
    return out


def full_repository(world: World, repo: Repo, *, permission: str | None) -> dict[str, Any]:
    """The REST ``FullRepository``: adds ``organization`` (a user object here, a login string in
    webhook repository objects, so it is left out of those)."""
    out = repository(world, repo, permission=permission)
    owner = world.accounts[repo.owner_id]
    if owner.type == "Organization":
        out["organization"] = user(world, owner)
    return out


def permissions_block(permission: str) -> dict[str, bool]:
    rank = permission_rank(permission)
    return {name: rank >= i for i, name in enumerate(PERMISSIONS)}


def invitation(world: World, inv: Invitation) -> dict[str, Any]:
    repo = world.repos[inv.repo_id]
    expired = world.now() >= inv.created_at + world.config.invitation_expiry_seconds
    return {
        "id": inv.id,
        "node_id": node_id("RepositoryInvitation", inv.id),
        "repository": repository(world, repo),
        "invitee": user(world, world.accounts[inv.invitee_id]),
        "inviter": user(world, world.accounts[inv.inviter_id]),
        "permissions": INVITATION_NAMES[inv.permission],
        "created_at": iso(inv.created_at),
        "expired": expired,
        "url": api(world, f"/user/repository_invitations/{inv.id}"),
        "html_url": html(world, f"/{full_name(world, repo)}/invitations"),
    }
