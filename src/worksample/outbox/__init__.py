"""Events we send to the ATS: payloads, signing, the retry schedule and one HTTP delivery attempt.

Everything here is free of database access so the outbox tables and arq jobs can compose it:
``events`` builds the exact bytes, ``signing`` signs them (Standard Webhooks), ``transport`` makes
one attempt and returns an ``AttemptResult``, ``schedule`` decides what happens next.
"""
