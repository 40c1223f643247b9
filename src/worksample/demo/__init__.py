"""``worksample demo``: the real service, walked through one assignment on this machine.

No GitHub account, credentials or configuration are needed. The demo serves, each on a free
127.0.0.1 port and all in this one process: the GitHub simulator, the service's API (which is also
its GitHub webhook intake), an arq worker, and a small ATS receiver that verifies every delivery
with the independent ``standardwebhooks`` package. The database is a fresh SQLite file; Redis is
the local one, or a private ``redis-server`` the demo starts when none answers.

Modules: ``ports`` (binding), ``redis`` (finding or starting Redis), ``servers`` (uvicorn and the
worker as tasks), ``world`` (the simulated organization and App), ``receiver`` (the ATS),
``story`` (the scripted walkthrough), ``report`` (what is printed), ``runner`` (all of it in order).
"""
