"""Least privilege: one role for every function, data actions only on Locker's own ARNs."""

from __future__ import annotations

from typing import Any

from cfnlint.data import AdditionalSpecs
from cfnlint.helpers import load_resource

from tests.infra.conftest import ROLE, Packaged, as_list, unwrap_if

ROLE_ARN = {"Fn::GetAtt": [ROLE, "Arn"]}
OBJECTS = {"Fn::Sub": "${FilesBucket.Arn}/users/*"}
BUCKET = {"Fn::GetAtt": ["FilesBucket", "Arn"]}
TABLE = {"Fn::GetAtt": ["FilesTable", "Arn"]}
SWEEP_INDEX = {"Fn::Sub": "${FilesTable.Arn}/index/sweep"}
SHARING_INDEXES = [
    {"Fn::Sub": "${FilesTable.Arn}/index/grantee"},
    {"Fn::Sub": "${FilesTable.Arn}/index/activity"},
]
POOL = {"Fn::GetAtt": ["UserPool", "Arn"]}
# TransactWriteItems is not an IAM action: each write in a transaction is
# authorised as its own PutItem / UpdateItem / DeleteItem.
TABLE_ACTIONS = {"GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "Query"}


def _policy_documents(packaged: Packaged) -> list[dict[str, Any]]:
    documents = []
    for resource in packaged.resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            documents += [p["PolicyDocument"] for p in props.get("Policies", [])]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents.append(props["PolicyDocument"])
    return documents


def _allows(packaged: Packaged) -> list[dict[str, Any]]:
    statements = [s for d in _policy_documents(packaged) for raw in d["Statement"] for s in unwrap_if(raw)]
    return [s for s in statements if s["Effect"] == "Allow"]


def _granted(packaged: Packaged, service: str) -> dict[str, list[Any]]:
    """action (without the service prefix) -> resources it is allowed on."""
    granted: dict[str, list[Any]] = {}
    for statement in _allows(packaged):
        for action in as_list(statement["Action"]):
            if action.startswith(f"{service}:"):
                granted.setdefault(action.split(":", 1)[1], []).extend(as_list(statement["Resource"]))
    return granted


def test_every_function_runs_as_the_template_role(packaged: Packaged) -> None:
    roles = [n for n, r in packaged.resources.items() if r["Type"] == "AWS::IAM::Role"]
    assert roles == [ROLE]  # Chalice generated none of its own
    for name, props in packaged.functions().items():
        assert props["Role"] == ROLE_ARN, name
        assert "Policies" not in props, name
    principal = packaged.props(ROLE)["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "lambda.amazonaws.com"}


def test_objects_only_under_users(packaged: Packaged) -> None:
    granted = _granted(packaged, "s3")
    object_actions = (
        "PutObject",
        "GetObject",
        "DeleteObject",
        "AbortMultipartUpload",
        "ListMultipartUploadParts",
    )
    assert granted == {
        **{a: [OBJECTS] for a in object_actions},
        "ListBucketMultipartUploads": [BUCKET],
        "ListBucket": [BUCKET],
    }


def test_listing_only_under_users_so_a_missing_key_is_a_404(packaged: Packaged) -> None:
    """Without s3:ListBucket S3 answers 403 for a missing key, which Locker must not take for "missing"."""
    [listing] = [s for s in _allows(packaged) if "s3:ListBucket" in as_list(s["Action"])]
    assert as_list(listing["Action"]) == ["s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "users/*"}}


def test_table_and_its_indexes_only(packaged: Packaged) -> None:
    granted = _granted(packaged, "dynamodb")
    assert set(granted) == TABLE_ACTIONS | {"Scan"}
    for action in TABLE_ACTIONS - {"Query"}:
        assert granted[action] == [TABLE], action
    assert granted["Query"] == [TABLE, SWEEP_INDEX, *SHARING_INDEXES]
    assert granted["Scan"] == [SWEEP_INDEX]  # sharing data is never scanned


def test_users_are_looked_up_in_the_pool_only(packaged: Packaged) -> None:
    assert _granted(packaged, "cognito-idp") == {"AdminGetUser": [POOL]}


def test_no_wildcard_resource_or_action_for_data(packaged: Packaged) -> None:
    for statement in _allows(packaged):
        actions = as_list(statement["Action"])
        assert not any("*" in a for a in actions), statement
        if any(a.startswith(("s3:", "dynamodb:", "kms:", "cognito-idp:")) for a in actions):
            assert "*" not in as_list(statement["Resource"]), statement


def test_logs_only_to_the_functions_own_log_groups(packaged: Packaged) -> None:
    granted = _granted(packaged, "logs")
    assert set(granted) == {"CreateLogStream", "PutLogEvents"}
    groups = [props["LoggingConfig"]["LogGroup"]["Ref"] for props in packaged.functions().values()]
    assert len(set(groups)) == len(groups)
    for resources in granted.values():
        assert sorted(r["Fn::GetAtt"][0] for r in resources) == sorted(groups)


def test_kms_only_when_a_key_is_given(packaged: Packaged) -> None:
    statements = packaged.props(ROLE)["Policies"][0]["PolicyDocument"]["Statement"]
    [conditional] = [s for s in statements if "Fn::If" in s]
    condition, kms, absent = conditional["Fn::If"]
    assert (condition, absent) == ("UseKms", {"Ref": "AWS::NoValue"})
    assert kms["Resource"] == {"Ref": "KmsKeyArn"}
    assert set(kms["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}


def test_every_action_is_a_real_iam_action(packaged: Packaged) -> None:
    known = load_resource(AdditionalSpecs, "Policies.json")
    for statement in _allows(packaged):
        for action in as_list(statement["Action"]):
            service, name = action.split(":", 1)
            assert name.lower() in known[service]["Actions"], action
