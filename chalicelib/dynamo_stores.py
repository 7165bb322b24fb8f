"""The real sharing stores: one DynamoDB table and the Cognito user pool.

Each store is built (and its module imported) the first time it is used, so a
container whose first request creates a file never loads the sharing code: that
request needs the activity store only (its ``created`` event).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.dynamo_activity import DynamoActivity

if TYPE_CHECKING:
    from chalicelib.dynamo_grants import DynamoGrants
    from chalicelib.dynamo_groups import DynamoGroups
    from chalicelib.dynamo_inbox import DynamoInbox
    from chalicelib.dynamo_links import DynamoLinks
    from chalicelib.users import CognitoDirectory


class DynamoStores:
    """``stores.SharingStores`` on one table; ``cognito`` builds the pool's client when first needed."""

    def __init__(self, dynamodb: Any, table: str, cognito: Callable[[], Any], pool_id: str) -> None:
        self._db = dynamodb
        self._table = table
        self._cognito = cognito
        self._pool_id = pool_id
        self.activity = DynamoActivity(dynamodb, table)

    @cached_property
    def grants(self) -> DynamoGrants:
        """Grants and each file's grant summary."""
        from chalicelib.dynamo_grants import DynamoGrants

        return DynamoGrants(self._db, self._table)

    @cached_property
    def groups(self) -> DynamoGroups:
        """Groups and memberships."""
        from chalicelib.dynamo_groups import DynamoGroups

        return DynamoGroups(self._db, self._table)

    @cached_property
    def links(self) -> DynamoLinks:
        """Download links (their token hashes)."""
        from chalicelib.dynamo_links import DynamoLinks

        return DynamoLinks(self._db, self._table)

    @cached_property
    def inbox(self) -> DynamoInbox:
        """Each user's "shared with me" entries."""
        from chalicelib.dynamo_inbox import DynamoInbox

        return DynamoInbox(self._db, self._table)

    @cached_property
    def directory(self) -> CognitoDirectory:
        """User names resolved with AdminGetUser on the pool."""
        from chalicelib.users import CognitoDirectory

        return CognitoDirectory(self._cognito, self._pool_id)
