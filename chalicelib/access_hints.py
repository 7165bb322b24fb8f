"""What the last access check of a file learned, so the next one can read everything at once.

A file id's owner never changes (ids are fresh per file, and a record never moves to
another owner), so once a consistent read has shown it, it is known for good: the owner's
check is their one record read, and anyone else's check can ask for the owner's record in
the same round trip as the grant summary. Who holds grants on the file does change, at any
time, so that part is only a hint: it says which group keys to read alongside the summary;
the summary read in the same round decides, and a wrong hint costs one more round, never a
wrong answer. Only the owner, which cannot go stale, is ever relied on. Bounded (least
recently used dropped; at most 100 users and 100 groups a file), per container: it lives and
is forgotten with its ``AccessControl``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from chalicelib.sharing_model import GROUP, USER, Grant

MAX_FILES = 1024


@dataclass(frozen=True)
class Hint:
    """A file's owner (a fact) and, when last read, the users and groups granted it (a guess)."""

    owner: str
    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    def groups_for(self, caller: str) -> frozenset[str]:
        """The groups whose membership a check by ``caller`` will likely need.

        Empty when the caller had a direct grant, which wins over any group's.
        """
        return frozenset() if caller in self.users else self.groups


class Hints:
    """File id -> Hint, for the most recently checked ``MAX_FILES`` files."""

    def __init__(self, size: int = MAX_FILES) -> None:
        self._size = size
        self._hints: OrderedDict[str, Hint] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, file_id: str) -> Hint | None:
        """The file's hint, or None when no check here has seen its owner."""
        with self._lock:
            hint = self._hints.get(file_id)
            if hint is not None:
                self._hints.move_to_end(file_id)
            return hint

    def _put(self, file_id: str, hint: Hint) -> None:
        with self._lock:
            self._hints[file_id] = hint
            self._hints.move_to_end(file_id)
            while len(self._hints) > self._size:
                self._hints.popitem(last=False)

    def owned(self, file_id: str, owner: str) -> None:
        """A consistent read found ``owner``'s record of the file."""
        current = self.get(file_id)
        if current is None or current.owner != owner:
            self._put(file_id, Hint(owner))

    def granted(self, file_id: str, grants: list[Grant], now: int) -> None:
        """A consistent read of the file's grant summary found ``grants`` (all of them) at ``now``."""
        owners = {g.owner for g in grants}
        if len(owners) == 1:  # grants are made by the file's owner: one owner, or none known
            live = [g for g in grants if g.live(now)]
            users = frozenset(g.grantee.id for g in live if g.grantee.type == USER)
            groups = frozenset(g.grantee.id for g in live if g.grantee.type == GROUP)
            self._put(file_id, Hint(owners.pop(), users, groups))
        elif not grants and (current := self.get(file_id)) is not None:
            self._put(file_id, Hint(current.owner))
