"""GitHub's JSON for pull requests, reviews and issue comments."""

from __future__ import annotations

from typing import Any

from worksample.sandbox.pull_diff import diff_entries
from worksample.sandbox.records import IssueComment, PlainIssue, PullRequest, Repo, Review
from worksample.sandbox.serializers import api, app, full_name, html, node_id, repository, user
from worksample.sandbox.state import World, iso

REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")


def author_association(world: World, repo: Repo, user_id: int) -> str:
    owner = world.accounts[repo.owner_id]
    if user_id == owner.id or user_id in owner.admins:
        return "OWNER" if user_id == owner.id else "MEMBER"
    if user_id in owner.members:
        return "MEMBER"
    if user_id in repo.collaborators:
        return "COLLABORATOR"
    return "NONE"


def _branch(world: World, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    owner = world.accounts[repo.owner_id]
    return {
        "label": f"{owner.login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(world, owner),
        "repo": repository(world, repo),
    }


def _diff_stats(repo: Repo, pull: PullRequest) -> tuple[int, int, int]:
    entries = diff_entries(repo, pull.base_sha, pull.head_sha)
    return (sum(e["additions"] for e in entries), sum(e["deletions"] for e in entries), len(entries))


def _commit_count(repo: Repo, pull: PullRequest) -> int:
    count, seen, stack = 0, set(), [pull.head_sha]
    while stack:
        sha = stack.pop()
        if sha in seen or repo.git.is_ancestor(sha, pull.base_sha):
            continue
        seen.add(sha)
        commit = repo.git.commit(sha)
        if commit is not None:
            count += 1
            stack.extend(commit.parents)
    return count


def pull_request(world: World, pull: PullRequest, *, full: bool = True) -> dict[str, Any]:
    repo = world.repos[pull.repo_id]
    name = full_name(world, repo)
    base = api(world, f"/repos/{name}")
    web = html(world, f"/{name}")
    n = pull.number
    out: dict[str, Any] = {
        "url": f"{base}/pulls/{n}",
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": f"{web}/pull/{n}",
        "diff_url": f"{web}/pull/{n}.diff",
        "patch_url": f"{web}/pull/{n}.patch",
        "issue_url": f"{base}/issues/{n}",
        "number": n,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user(world, world.accounts[pull.user_id]),
        "body": pull.body,
        "created_at": iso(pull.created_at),
        "updated_at": iso(pull.updated_at),
        "closed_at": iso(pull.closed_at),
        "merged_at": iso(pull.merged_at),
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [user(world, world.accounts[i]) for i in pull.requested_reviewer_ids],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "commits_url": f"{base}/pulls/{n}/commits",
        "review_comments_url": f"{base}/pulls/{n}/comments",
        "review_comment_url": f"{base}/pulls/comments{{/number}}",
        "comments_url": f"{base}/issues/{n}/comments",
        "statuses_url": f"{base}/statuses/{pull.head_sha}",
        "head": _branch(world, repo, pull.head_ref, pull.head_sha),
        "base": _branch(world, repo, pull.base_ref, pull.base_sha),
        "_links": {
            "self": {"href": f"{base}/pulls/{n}"},
            "html": {"href": f"{web}/pull/{n}"},
            "issue": {"href": f"{base}/issues/{n}"},
            "comments": {"href": f"{base}/issues/{n}/comments"},
            "review_comments": {"href": f"{base}/pulls/{n}/comments"},
            "review_comment": {"href": f"{base}/pulls/comments{{/number}}"},
            "commits": {"href": f"{base}/pulls/{n}/commits"},
            "statuses": {"href": f"{base}/statuses/{pull.head_sha}"},
        },
        "author_association": author_association(world, repo, pull.user_id),
        "auto_merge": None,
        "active_lock_reason": None,
        "draft": pull.draft,
    }
    if full:
        additions, deletions, changed = _diff_stats(repo, pull)
        out.update(
            {
                "merged": pull.merged,
                "mergeable": None if pull.state == "closed" else True,
                "rebaseable": None if pull.state == "closed" else True,
                "mergeable_state": "unknown" if pull.state == "closed" else "clean",
                "merged_by": user(world, world.accounts[pull.merged_by_id]) if pull.merged_by_id else None,
                "comments": pull.comments,
                "review_comments": 0,
                "maintainer_can_modify": False,
                "commits": _commit_count(repo, pull),
                "additions": additions,
                "deletions": deletions,
                "changed_files": changed,
            }
        )
    return out


def review(world: World, rev: Review, *, webhook: bool = False) -> dict[str, Any]:
    repo = world.repos[rev.repo_id]
    name = full_name(world, repo)
    pr_api = api(world, f"/repos/{name}/pulls/{rev.pull_number}")
    link = html(world, f"/{name}/pull/{rev.pull_number}#pullrequestreview-{rev.id}")
    return {
        "id": rev.id,
        "node_id": node_id("PullRequestReview", rev.id),
        "user": user(world, world.accounts[rev.user_id]),
        "body": rev.body if (rev.body or not webhook) else None,
        # REST speaks upper case, webhooks lower case.
        "state": rev.state.lower() if webhook else rev.state,
        "html_url": link,
        "pull_request_url": pr_api,
        "author_association": author_association(world, repo, rev.user_id),
        "_links": {"html": {"href": link}, "pull_request": {"href": pr_api}},
        "submitted_at": iso(rev.submitted_at),
        "commit_id": rev.commit_id,
    }


def _reactions(url: str) -> dict[str, Any]:
    """Reactions are not simulated: every count is zero, as on a thing nobody reacted to."""
    return {"url": url, "total_count": 0, **dict.fromkeys(REACTIONS, 0)}


def issue_comment(world: World, comment: IssueComment) -> dict[str, Any]:
    repo = world.repos[comment.repo_id]
    name = full_name(world, repo)
    base = api(world, f"/repos/{name}")
    return {
        "url": f"{base}/issues/comments/{comment.id}",
        "html_url": html(world, f"/{name}/pull/{comment.issue_number}#issuecomment-{comment.id}"),
        "issue_url": f"{base}/issues/{comment.issue_number}",
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "user": user(world, world.accounts[comment.user_id]),
        "created_at": iso(comment.created_at),
        "updated_at": iso(comment.updated_at),
        "author_association": author_association(world, repo, comment.user_id),
        "performed_via_github_app": None
        if comment.app_id is None
        else app(world, world.apps[comment.app_id]),
        "body": comment.body,
        "reactions": _reactions(f"{base}/issues/comments/{comment.id}/reactions"),
    }


def issue(world: World, item: PlainIssue | PullRequest) -> dict[str, Any]:
    """GitHub's issue JSON (``GET /repos/{o}/{r}/issues``, the ``issue`` of ``issue_comment`` events)."""
    repo = world.repos[item.repo_id]
    # A pull request's page on github.com is under /pull/, an issue's under /issues/.
    web_kind = "pull" if isinstance(item, PullRequest) else "issues"
    name = full_name(world, repo)
    base = api(world, f"/repos/{name}")
    n = item.number
    return {
        "url": f"{base}/issues/{n}",
        "repository_url": base,
        "labels_url": f"{base}/issues/{n}/labels{{/name}}",
        "comments_url": f"{base}/issues/{n}/comments",
        "events_url": f"{base}/issues/{n}/events",
        "html_url": html(world, f"/{name}/{web_kind}/{n}"),
        "id": item.id,
        "node_id": node_id("Issue", item.id),
        "number": n,
        "title": item.title,
        "user": user(world, world.accounts[item.user_id]),
        "labels": [],
        "state": item.state,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": item.comments,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "closed_at": iso(item.closed_at),
        "author_association": author_association(world, repo, item.user_id),
        "active_lock_reason": None,
        "body": item.body,
        "reactions": _reactions(f"{base}/issues/{n}/reactions"),
        "timeline_url": f"{base}/issues/{n}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }


def issue_for_pull(world: World, pull: PullRequest) -> dict[str, Any]:
    """A pull request as an issue: the ``issue`` object of an ``issue_comment`` event on it."""
    name = full_name(world, world.repos[pull.repo_id])
    web = html(world, f"/{name}/pull/{pull.number}")
    return {
        **issue(world, pull),
        "draft": pull.draft,
        "pull_request": {
            "url": api(world, f"/repos/{name}/pulls/{pull.number}"),
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "merged_at": iso(pull.merged_at),
        },
    }
