"""Every S3 and DynamoDB call of every multi-step operation fails in turn; nothing breaks."""

from __future__ import annotations

import pytest

from tests.faults import table
from tests.faults.harness import run_scenario
from tests.faults.scenarios import SCENARIOS, Scenario
from tests.faults.world import Lab


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_failing_call_leaves_a_state_the_api_allows(scenario: Scenario, faults: Lab) -> None:
    outcomes = run_scenario(scenario, faults)
    table.OUTCOMES.extend(outcomes)
    assert outcomes, "the operation made no S3 or DynamoDB call"
    bad = [f"{o.point} ({o.kind}): {'; '.join(o.problems)}" for o in outcomes if not o.good]
    assert not bad, "\n".join(bad)
