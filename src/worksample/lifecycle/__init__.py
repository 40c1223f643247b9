"""An assignment's life after provisioning: deadlines that really lock, reminders, re-invites,
cancellation on GitHub, archiving, retention and erasure.

- ``schedule``: pure — the effective deadline and which timers are due (every timer is derived
  from the assignment's columns, so nothing is scheduled and nothing is lost on a restart);
- ``claims``: the row that lets exactly one worker fire a timer;
- ``tick``: the cron job's body — find due timers, claim, act; ``selection`` pages through the
  assignments whose ``next_timer_at`` has come, ``agenda`` (pure) says when to look again;
- ``failures``: which GitHub answers mean "retry later" and which close a firing;
- ``deadline``, ``notices``, ``closing``, ``erase``: the actions (GitHub calls in ``github_ops``);
- ``scrub``: removing a candidate's personal data from the rows of their own assignments,
  recognised by ``personal`` (pure);
- ``extension``: pure decision for ``POST /v1/assignments/{id}/extend``.

For the scoring loop: ``Assignment.deadline_sha`` is the commit tagged at the deadline and
``locked_at`` when write access was removed; ``schedule.is_late(deadline_sha, head_sha)`` says
whether a head is late work. ``lock_failed_at`` set means GitHub still let the candidate write.
"""
