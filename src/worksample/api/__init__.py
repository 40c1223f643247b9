"""HTTP routes: the recruiter/ATS API (assignments, artifacts), health, and their shared plumbing."""
