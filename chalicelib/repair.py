"""The sweep's repair pass: find broken invariants owner by owner, fix what is safe, report the rest.

Owners come from the bucket's ``users/`` prefixes (paged listings); each owner is
read with Queries and listings (``inventory.read_owner``, never a Scan) and
checked with the same rules as ``make doctor``. Repaired here:

- quota drift: ``Records.recount``, a write conditional on the counter's version,
  so it cannot race a create (``dynamo_recount`` explains why);
- objects with no live record, older than the upload window: deleted;
- multipart uploads whose record is gone or no longer pending: aborted;
- grants and links of a file whose record is gone: removed through the stores.

Each one re-reads the record first (consistent) and leaves alone anything that
came alive since the inventory was read; file ids are never reused, so a gone
record stays gone. Everything else (a ready file's bytes missing or different,
a record under the wrong key, a record the sweep keeps failing) is reported:
one log line each, ids only, and the ``InvariantViolations`` metric.
A run visits owners in random order until its time budget is spent, so a large
bucket is covered over several runs. Owners with no bytes left are not visited:
their drift is repaired at their next quota refusal (``Locker.sweep(owner)``),
and ``make doctor`` sees all of it.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from typing import Any

from chalicelib import invariants, metrics
from chalicelib.dynamo_util import batch_delete
from chalicelib.invariants import LIVE_STATUSES, Violation
from chalicelib.inventory import Inventory, owners, read_owner
from chalicelib.model import DELETING, PENDING
from chalicelib.service import Locker

log = logging.getLogger("locker.sweep")
log.setLevel(logging.INFO)  # Chalice sets the "locker" logger to ERROR
# The sweep function may run 300 s; its other steps come first.
BUDGET_SECONDS = 120.0


class Repairs:
    """Repairs one deployment's stored state (the sweep's last step)."""

    def __init__(self, locker: Locker, s3: Any, dynamodb: Any, table: str, window: int) -> None:
        self._locker = locker
        self._s3 = s3
        self._db = dynamodb
        self._table = table
        self._window = window

    def run(self, budget: float = BUDGET_SECONDS) -> Counter[str]:
        """Check and repair owners with bytes in the bucket, in random order, for about ``budget`` seconds.

        Returns counts of "repaired", "left" (reported) and "unvisited" owners.
        """
        tally: Counter[str] = Counter()
        bucket = self._locker.settings.bucket
        deadline = time.monotonic() + budget
        listed = owners(self._s3, bucket)
        random.shuffle(listed)  # a run the budget cuts short leaves other owners to the next one
        for visited, owner in enumerate(listed):
            if time.monotonic() >= deadline:
                tally["unvisited"] = len(listed) - visited
                break
            found = read_owner(self._s3, self._db, bucket, self._table, owner)
            tally += self.repair(found)
        metrics.count(metrics.REPAIRS, tally["repaired"])
        metrics.count(metrics.INVARIANT_VIOLATIONS, tally["left"])
        if tally:
            counts = (tally["repaired"], tally["left"], tally["unvisited"])
            log.info("sweep repairs: %d repaired, %d left, %d owners not visited", *counts)
        return tally

    def repair(self, found: Inventory) -> Counter[str]:
        """Check ``found`` and repair what is safe; counts of "repaired" and "left"."""
        tally: Counter[str] = Counter()
        now = self._locker.now()
        for violation in invariants.check(found, self._content_type, now, self._window):
            if self._fix(violation, found):
                tally["repaired"] += 1
            else:
                tally["left"] += 1
                log.warning("invariant broken: %s", violation)
        return tally

    def _content_type(self, key: str) -> str | None:
        stored = self._locker.storage.head(key)
        return None if stored is None else stored.content_type

    def _status(self, violation: Violation) -> str | None:
        if violation.owner is None or violation.file_id is None:
            return None
        record = self._locker.records.get(violation.owner, violation.file_id)
        return None if record is None else record.status

    def _fix(self, violation: Violation, found: Inventory) -> bool:
        kind, storage = violation.kind, self._locker.storage
        if kind == invariants.QUOTA_DRIFT and violation.owner is not None:
            return self._locker.records.recount(violation.owner) is not None
        if kind == invariants.ORPHAN_OBJECT and violation.target is not None:
            if self._status(violation) in LIVE_STATUSES:
                return False
            storage.delete(violation.target)
            return True
        if kind == invariants.UPLOAD_OUTLIVES_RECORD and violation.target is not None:
            if self._status(violation) in (PENDING, DELETING):
                return False
            storage.abort_uploads(violation.target)
            return True
        if kind in (invariants.GRANT_MISSING_FILE, invariants.LINK_MISSING_FILE):
            return self._unshare(violation, found)
        return False

    def _unshare(self, violation: Violation, found: Inventory) -> bool:
        file_id = violation.file_id
        # A link pointer names no owner: without one the record cannot be re-read, so leave it.
        if file_id is None or violation.owner is None or self._status(violation) is not None:
            return False
        stores = self._locker.stores
        stores.grants.remove_all(file_id)
        stores.links.remove_all(file_id)
        leftovers = [r.table_key for r in found.references if r.file_id == file_id]
        batch_delete(self._db, self._table, leftovers)  # items no summary or pointer named
        return True
