"""Where GitHub is called: App and installation auth, write pacing, rate-limit handling.

- ``auth``: the installation-token cache and the githubkit auth strategy that uses it.
- ``client``: ``GitHubApp``, one per process: the App-level client and one githubkit client per
  installation, installations looked up by organization.
- ``pacing``: spacing of mutative requests per installation, shared by every job (Redis-backed
  across processes, or in-process).
- ``transport``: the httpx transport that applies the pacing and waits out short rate-limit answers.
- ``ratelimit``: reading GitHub's rate-limit answers (pure functions).
"""
