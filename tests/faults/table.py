"""The outcomes of every fault-injection run, and the table they are reported as."""

from __future__ import annotations

from tests.faults.harness import Outcome

OUTCOMES: list[Outcome] = []


def _answer(outcome: Outcome) -> str:
    first = str(outcome.answer.status)
    retry = str(outcome.retry.status) if outcome.retry is not None else "-"
    return f"{first} -> retry {retry}"


def render(outcomes: list[Outcome]) -> str:
    """A Markdown table: one row per scenario, failure point and kind."""
    rows = [
        "| operation | failing call | kind | caller saw -> retry | after sweep | notes |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        verdict = "ok" if o.good else "FAIL: " + "; ".join(o.problems)
        rows.append(
            f"| {o.scenario} | {o.point} | {o.kind} | {_answer(o)} | {verdict} | {'; '.join(o.notes)} |"
        )
    bad = sum(not o.good for o in outcomes)
    rows.append("")
    rows.append(f"{len(outcomes)} runs, {bad} with problems")
    return "\n".join(rows)
