"""Events we send to the ATS: payloads, signing, the retry schedule and one HTTP delivery attempt.

Everything here is free of database access so the outbox tables and arq jobs can compose it:

- ``events``: ``event_types()``, ``load_schema(type)`` (served by the API), ``build_event(type, data,
  timestamp=...)`` -> the exact bytes to store and send, ``new_message_id()`` for ``webhook-id``.
- ``signing``: ``generate_secret()``, ``validate_secret()``, ``webhook_headers()``, ``verify()``.
- ``transport``: ``attempt_delivery(url, body, msg_id=..., secrets=[current, previous], policy=...)``
  -> ``AttemptResult`` (``result``), never raising for network trouble.
- ``destination``: ``check_url()`` for the API to refuse a bad endpoint URL at creation; the SSRF guard.
- ``schedule``: ``decide(result, attempt_number, now, rng)`` -> success / retry at T / disable endpoint /
  give up; ``should_disable_endpoint(history)`` for the N-days rule.

The database side composes them:

- ``store``: ``emit(session, assignment, type, data)`` writes the event and one delivery per subscribed
  endpoint in the caller's transaction (the outbox); ``db.timeline.change_status`` and assignment
  creation call it, so only events without a status change are emitted by hand.
- ``dispatch``: ``claim_due`` (leases), ``deliver`` (one attempt, recorded under the lease),
  ``disable_endpoint``; ``deliver_due_inline`` for burst workers. ``jobs/outbox.py`` runs them in arq.
- ``manage``: rotation, test events, redelivery and recovery, for the API (``api/endpoints.py``,
  ``api/events.py``).
"""
