"""The sharing stores one Locker uses: what it needs of them, and the in-memory set tests use.

``dynamo_stores.DynamoStores`` is the real set, each store built on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from chalicelib.activity import Activity, InMemoryActivity
from chalicelib.grants import InMemoryGrants
from chalicelib.groups import InMemoryGroups
from chalicelib.inbox import InMemoryInbox
from chalicelib.links import InMemoryLinks
from chalicelib.users import InMemoryDirectory

if TYPE_CHECKING:
    from chalicelib.grants import Grants
    from chalicelib.groups import Groups
    from chalicelib.inbox import Inbox
    from chalicelib.links import Links
    from chalicelib.users import Directory


class SharingStores(Protocol):
    """Grants, groups, links, activity, "shared with me" entries and the user directory."""

    @property
    def grants(self) -> Grants: ...

    @property
    def groups(self) -> Groups: ...

    @property
    def links(self) -> Links: ...

    @property
    def activity(self) -> Activity: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def inbox(self) -> Inbox: ...


@dataclass
class InMemoryStores:
    """A set of given stores, the in-memory fakes where none is given (service tests)."""

    grants: Grants = field(default_factory=InMemoryGrants)
    groups: Groups = field(default_factory=InMemoryGroups)
    links: Links = field(default_factory=InMemoryLinks)
    activity: Activity = field(default_factory=InMemoryActivity)
    directory: Directory = field(default_factory=InMemoryDirectory)
    inbox: Inbox = field(default_factory=InMemoryInbox)

    def __post_init__(self) -> None:
        # The fakes share one inbox, as the real stores share one table.
        if isinstance(self.grants, InMemoryGrants) and isinstance(self.inbox, InMemoryInbox):
            self.grants.use_inbox(self.inbox)
