"""Reads Locker's resource definitions from infra/template.json for local use.

The emulator gets the same table (keys, indexes, TTL) and the same bucket CORS
rules as a deployment, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"


def template() -> dict[str, Any]:
    """The merge template as a dict."""
    loaded: dict[str, Any] = json.loads(TEMPLATE.read_text())
    return loaded


def _properties(name: str) -> dict[str, Any]:
    properties: dict[str, Any] = template()["Resources"][name]["Properties"]
    return properties


def create_table_request(table_name: str) -> dict[str, Any]:
    """Keyword arguments for DynamoDB ``create_table``, from the FilesTable resource."""
    props = _properties("FilesTable")
    request: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
    }
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return request


def ttl_attribute() -> str:
    """The table's TTL attribute name."""
    name: str = _properties("FilesTable")["TimeToLiveSpecification"]["AttributeName"]
    return name


def bucket_cors(origin: str) -> dict[str, Any]:
    """The bucket's CORS configuration with the SPA origin filled in."""
    rules = []
    for rule in _properties("FilesBucket")["CorsConfiguration"]["CorsRules"]:
        rule = {k: v for k, v in rule.items() if k != "Id"}
        rule["AllowedOrigins"] = [origin]
        # CloudFormation and the S3 API spell two fields differently.
        rule["MaxAgeSeconds"] = rule.pop("MaxAge", 600)
        if "ExposedHeaders" in rule:
            rule["ExposeHeaders"] = rule.pop("ExposedHeaders")
        rules.append(rule)
    return {"CORSRules": rules}


def create_resources(dynamodb: Any, s3: Any, table: str, bucket: str, origin: str) -> None:
    """Create the table (with TTL) and the private bucket (with CORS) on an emulator."""
    dynamodb.create_table(**create_table_request(table))
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": ttl_attribute(), "Enabled": True}
    )
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=bucket_cors(origin))
