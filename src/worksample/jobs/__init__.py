"""Background jobs on arq, kept behind this one package (arq is in maintenance mode).

- ``names``: the stable dotted job names and ``enqueue_provision``, what the API calls.
- ``provision``: the thin job wrappers: ``assignment.provision`` and the stuck-assignment sweeper.
- ``worker``: worker start-up (resources into ``ctx``) and ``build_worker``.
"""

from worksample.jobs.names import PROVISION_JOB, SWEEP_JOB, enqueue_provision, provision_job_id

__all__ = ["PROVISION_JOB", "SWEEP_JOB", "enqueue_provision", "provision_job_id"]
