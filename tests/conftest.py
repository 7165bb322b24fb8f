"""Root test configuration, loaded before any test module imports boto3 or moto.

No test may ever reach real AWS: the credentials are forced to moto's fake ones
(any real key or session token in the developer's shell is hidden). And moto
reads ``MOTO_DISABLE_GLOBAL_CORS`` once, when first imported, so it is set here
or buckets would answer every origin and CORS bugs would hide until production.
Every test also starts and ends with no per-container state (``runtime.reset()``).
Hypothesis runs without its per-example deadline (see the end).
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings as _hypothesis

os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
for _name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def _fresh_container() -> Iterator[None]:
    """Every test starts and ends with nothing cached: settings, clients, keys, the wired Locker."""
    from chalicelib import runtime

    runtime.reset()
    yield
    runtime.reset()


# Hypothesis fails an example that runs over 200 ms by default: a timed assertion,
# which a shared, busy machine trips at random. Speed is measured by `make bench` only.
_hypothesis.register_profile("locker", deadline=None)
_hypothesis.load_profile("locker")
