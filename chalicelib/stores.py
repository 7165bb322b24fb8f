"""The sharing stores one deployment uses, bundled so the wiring stays in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.activity import Activity, InMemoryActivity
from chalicelib.dynamo_activity import DynamoActivity
from chalicelib.dynamo_grants import DynamoGrants
from chalicelib.dynamo_groups import DynamoGroups
from chalicelib.dynamo_inbox import DynamoInbox
from chalicelib.dynamo_links import DynamoLinks
from chalicelib.grants import Grants, InMemoryGrants
from chalicelib.groups import Groups, InMemoryGroups
from chalicelib.inbox import Inbox, InMemoryInbox
from chalicelib.links import InMemoryLinks, Links
from chalicelib.users import CognitoDirectory, Directory, InMemoryDirectory


@dataclass
class SharingStores:
    """Grants, groups, links, activity, "shared with me" entries and the user directory."""

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


def dynamo(dynamodb: Any, table: str, cognito: Callable[[], Any], pool_id: str) -> SharingStores:
    """The real stores: one DynamoDB table and the Cognito user pool (``cognito`` builds its client)."""
    return SharingStores(
        grants=DynamoGrants(dynamodb, table),
        groups=DynamoGroups(dynamodb, table),
        links=DynamoLinks(dynamodb, table),
        activity=DynamoActivity(dynamodb, table),
        directory=CognitoDirectory(cognito, pool_id),
        inbox=DynamoInbox(dynamodb, table),
    )
