"""The idempotency store's contract, run against DynamoDB as the emulator server speaks it."""

from tests.unit.test_idempotency_contract import *  # noqa: F403 (the shared contract tests)
