"""The work samples' numbers agree across files, as each README promises the candidate.

The planted flaws are the only intended inconsistencies; everything a candidate would cross-check
(totals, shares, rates, dates) is recomputed here from the data files, so an edit to one file that
silently contradicts another fails the build.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.render import render_artifact

INT32_MAX = 2_147_483_647


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_traffic_csv_agrees_with_the_rfc(catalog: Catalog) -> None:
    tree = render_artifact(catalog.get("api-deprecation-rfc"), {})
    rows = _csv(tree["data/v1-traffic-by-client.csv"])
    rfc = tree["rfc/0042-retire-v1.md"].decode()
    v1 = sum(int(r["v1_requests_30d"]) for r in rows)
    v2 = sum(int(r["v2_requests_30d"]) for r in rows)
    assert f"v2 serves **{v2 / 1e9:.2f} billion requests** a month" in rfc
    assert f"v1 serves **{v1 / 1e9:.2f} billion**" in rfc
    for row in rows:
        assert float(row["share_of_v1_pct"]) == round(100 * int(row["v1_requests_30d"]) / v1, 1)
        # Every client the RFC's outreach table names carries the CSV's exact figure.
        if f"| {row['client_name'].split(' (')[0]}" in rfc:
            assert f"{int(row['v1_requests_30d']):,}" in rfc
    # The RFC's headline share is computed after leaving out partner-managed and internal clients:
    # that exclusion is planted flaw 4, so the figure must follow from the CSV exactly.
    kept = sum(int(r["v1_requests_30d"]) for r in rows if r["segment"] not in {"partner-managed", "internal"})
    assert f"v1 is **{100 * kept / (kept + v2):.1f}%**" in rfc
    largest = max(rows, key=lambda r: int(r["v1_requests_30d"]))
    assert largest["segment"] == "partner-managed"
    assert "90 days written notice" in largest["contract_notes"]


def test_sdk_calendar_puts_a_v2_sdk_after_the_sunset(catalog: Catalog) -> None:
    sunset = dt.date(2028, 1, 11)
    tree = render_artifact(catalog.get("api-deprecation-rfc"), {"sunset_date": sunset.isoformat()})
    calendar = tree["docs/sdk-release-calendar.md"].decode()
    ruby = re.search(r"\| Ruby .*planned \w+ (\d+ \w+ \d{4})", calendar)
    assert ruby is not None
    assert dt.datetime.strptime(ruby.group(1), "%d %B %Y").date() > sunset  # planted flaw 6


def test_load_profile_agrees_with_the_migration_plan(catalog: Catalog) -> None:
    tree = render_artifact(catalog.get("db-migration-plan"), {})
    hours = _csv(tree["data/write-load-by-hour.csv"])
    plan = tree["docs/migration-plan.md"].decode()
    inserts = {r["hour_utc"]: int(r["inserts_per_s"]) for r in hours}
    updates = {r["hour_utc"]: int(r["updates_per_s"]) for r in hours}
    per_day = sum(inserts.values()) * 3600
    assert abs(per_day - 4_100_000) < 50_000  # "about 4.1 million line items a day"
    # The plan picks 02:00 for its insert rate; the same hour has the day's heaviest updates.
    assert min(inserts, key=lambda h: inserts[h]) == "02:00"
    assert max(updates, key=lambda h: updates[h]) == "02:00"
    assert f"about {inserts['02:00']} inserts a second, against {max(inserts.values())} at the peak" in plan


def test_exhaustion_date_follows_from_the_table_stats(catalog: Catalog) -> None:
    cutover = dt.date(2027, 6, 5)
    tree = render_artifact(catalog.get("db-migration-plan"), {"cutover_date": cutover.isoformat()})
    stats = tree["data/table-stats.md"].decode()
    plan = tree["docs/migration-plan.md"].decode()
    found = re.search(r"\| Largest `id` \| ([\d,]+) \|", stats)
    assert found is not None
    max_id = int(found.group(1).replace(",", ""))
    written = cutover - dt.timedelta(days=24)
    days_left = (INT32_MAX - max_id) / 4_100_000
    exhaustion = written + dt.timedelta(days=int(days_left))
    assert f"{exhaustion.day} {exhaustion.strftime('%B')} {exhaustion.year}**" in plan
    assert f"{max_id:,}" in plan
