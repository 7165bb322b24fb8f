"""Runs a scenario clean, then with each of its calls failing in turn, and judges each run.

For every (scenario, failure point, kind) the outcome records: what the caller
saw (a documented status: the operation's success or 503 with Retry-After, never
a 500 or an AWS error escaping a handler), whether "nothing was changed" held
when the call failed before it was applied, whether the caller's retry finished
the operation, and whether every invariant holds once the sweep has run later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.faults import checks
from tests.faults.injector import ERROR, Point
from tests.faults.scenarios import Answer, Scenario
from tests.faults.world import ALICE, BOB, LATER, Lab, World, world

# What a failed dependency may answer: the contract's 503 (and, for a handler, a classified error).
UNAVAILABLE = frozenset({503, "raised ServiceUnavailableError"})


@dataclass
class Outcome:
    """One run with one call failing."""

    scenario: str
    point: Point
    kind: str
    answer: Answer
    retry: Answer | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def good(self) -> bool:
        """No problem found."""
        return not self.problems


def visible(w: World) -> dict[str, Any]:
    """Everything alice and bob can see through the API (what "nothing was changed" compares)."""
    seen: dict[str, Any] = {}
    files = w.ok("GET", "/files", 200)["items"]
    seen["files"] = sorted((f["id"], f["status"]) for f in files)
    for f in files:
        if f["status"] == "ready":
            seen[f"grants {f['id']}"] = sorted(
                g["id"] for g in w.ok("GET", f"/files/{f['id']}/grants", 200)["items"]
            )
            links = w.ok("GET", f"/files/{f['id']}/links", 200)["items"]
            seen[f"links {f['id']}"] = sorted((k["id"], k["downloadsLeft"]) for k in links)
    for sub in (ALICE, BOB):
        groups = w.ok("GET", "/groups", 200, sub=sub)["items"]
        seen[f"groups {sub}"] = sorted((g["name"], g["memberCount"]) for g in groups)
    seen["shared"] = sorted(f["id"] for f in w.ok("GET", "/shared", 200, sub=BOB)["items"])
    seen["activity"] = sorted((e["fileId"], e["type"]) for e in w.ok("GET", "/activity", 200)["items"])
    return seen


def count_calls(scenario: Scenario, lab: Lab) -> list[Point]:
    """The S3 and DynamoDB calls the scenario's request makes when nothing fails."""
    injector = lab.injector
    with world(lab) as w:
        context = scenario.setup(w)
        injector.arm(None)
        answer = scenario.act(w, context)
        calls = list(injector.calls)
        assert answer.status in scenario.done, (scenario.name, answer)
        assert not scenario.expect(w, context, frozenset({1})), scenario.name
    return calls


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def run_one(scenario: Scenario, point: Point, kind: str, lab: Lab) -> Outcome:
    """One run with ``point`` failing as ``kind``, judged."""
    injector = lab.injector
    with world(lab) as w:
        context = scenario.setup(w)
        before = visible(w) if kind == ERROR else {}  # only a call that failed unapplied must change nothing
        injector.arm(point, kind)
        answer = scenario.act(w, context)
        fired = injector.fired
        injector.arm(None)
        outcome = Outcome(scenario.name, point, kind, answer)
        if not fired:
            outcome.notes.append("call not reached")
        if answer.status not in UNAVAILABLE | scenario.done:
            outcome.problems.append(f"answered {answer.status}")
        if answer.status == 503 and not answer.retry_after:
            outcome.problems.append("503 without Retry-After")
        if answer.status in UNAVAILABLE and kind == ERROR:
            changed = _changed(before, visible(w))
            if changed:
                outcome.problems.append("503 but changed: " + ", ".join(n.split(" ")[0] for n in changed))
        elif answer.status in UNAVAILABLE:
            outcome.notes.append("lost answer")
        outcome.retry = scenario.act(w, context)
        if not scenario.retry_ok(outcome.retry):
            outcome.problems.append(f"retry answered {outcome.retry.status}")
        outcome.problems += scenario.expect(w, context, _times(answer, scenario, kind))
        w.clock.offset += LATER
        swept = _sweep(w)
        if swept:
            outcome.problems.append(swept)
        outcome.problems += checks.violations(w.s3, w.db, w.clock())
    return outcome


def _times(first: Answer, scenario: Scenario, kind: str) -> frozenset[int]:
    """How many times the operation may have happened after its first attempt and the retry."""
    if first.status in scenario.done:
        return frozenset({2})
    return frozenset({1}) if kind == ERROR else frozenset({1, 2})  # a lost answer: maybe applied


def _sweep(w: World) -> str:
    try:
        w.sweep()
    except Exception as exc:  # a clean sweep must finish
        return f"clean sweep raised {type(exc).__name__}"
    return ""


def run_scenario(scenario: Scenario, lab: Lab) -> list[Outcome]:
    """Every failure point of ``scenario``, each kind."""
    points = count_calls(scenario, lab)
    return [run_one(scenario, point, kind, lab) for point in points for kind in point.kinds]
