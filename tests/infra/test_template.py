"""The merged SAM template: bucket, table, Cognito, events and the API's authorizer."""

from __future__ import annotations

import json
import re

from app import app
from chalicelib import gateway
from chalicelib.deployment import ACCESS_SCOPE, OBJECT_CREATED_PATTERN
from chalicelib.routes import unmatched
from tests.infra.conftest import Packaged

SPA_ORIGIN = {"Fn::Sub": "'${WebOrigin}'"}


def test_bucket_is_private_encrypted_and_tidy(packaged: Packaged) -> None:
    bucket = packaged.props("FilesBucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    condition, kms, s3 = rule["Fn::If"]
    assert condition == "UseKms"
    assert kms["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Ref": "KmsKeyArn"},
    }
    assert kms["BucketKeyEnabled"] is True
    assert s3 == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    assert packaged.template["Conditions"]["UseKms"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "KmsKeyArn"}, ""]}]
    }
    assert packaged.template["Parameters"]["KmsKeyArn"]["Default"] == ""
    [lifecycle] = bucket["LifecycleConfiguration"]["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert bucket["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    [cors] = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [{"Ref": "WebOrigin"}]


def test_bucket_cors_allows_what_browser_multipart_needs_and_nothing_more(packaged: Packaged) -> None:
    [cors] = packaged.props("FilesBucket")["CorsConfiguration"]["CorsRules"]
    assert sorted(cors["AllowedMethods"]) == ["DELETE", "GET", "HEAD", "POST", "PUT"]
    assert sorted(cors["AllowedHeaders"]) == ["content-type", "if-none-match", "x-amz-checksum-sha256"]
    assert cors["ExposedHeaders"] == ["ETag"]  # without it no browser can complete a multipart upload


def test_bucket_policy_refuses_requests_without_tls(packaged: Packaged) -> None:
    policy = packaged.props("FilesBucketPolicy")
    assert policy["Bucket"] == {"Ref": "FilesBucket"}
    [statement] = [
        s
        for s in policy["PolicyDocument"]["Statement"]
        if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Resource"] == [
        {"Fn::GetAtt": ["FilesBucket", "Arn"]},
        {"Fn::Sub": "${FilesBucket.Arn}/*"},
    ]


def test_table_is_on_demand_with_ttl_recovery_and_encryption(packaged: Packaged) -> None:
    table = packaged.props("FilesTable")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_user_data_survives_stack_deletion(packaged: Packaged) -> None:
    for name in ("FilesBucket", "FilesTable", "UserPool"):
        resource = packaged.resources[name]
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain"), name


def test_user_pool_signs_in_by_email_with_strong_passwords(packaged: Packaged) -> None:
    pool = packaged.props("UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    for rule in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"):
        assert password[rule] is True, rule


def test_spa_client_is_public_and_password_auth_is_a_choice(packaged: Packaged) -> None:
    client = packaged.props("UserPoolClient")
    assert client["UserPoolId"] == {"Ref": "UserPool"}
    assert client["GenerateSecret"] is False
    condition, allowed, refused = client["ExplicitAuthFlows"]["Fn::If"]
    assert condition == "PasswordAuth"
    assert set(allowed) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"}
    assert set(refused) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert packaged.template["Conditions"]["PasswordAuth"] == {
        "Fn::Equals": [{"Ref": "AllowPasswordAuth"}, "true"]
    }
    assert packaged.template["Parameters"]["AllowPasswordAuth"]["AllowedValues"] == ["true", "false"]


def test_object_created_rule_matches_only_the_files_bucket(packaged: Packaged) -> None:
    [event] = packaged.props("ObjectCreated")["Events"].values()
    assert event["Type"] == "CloudWatchEvent"
    expected = {**OBJECT_CREATED_PATTERN, "detail": {"bucket": {"name": [{"Ref": "FilesBucket"}]}}}
    assert event["Properties"]["Pattern"] == expected


def test_sweep_schedule_stays_as_generated(packaged: Packaged) -> None:
    [event] = packaged.props("Sweep")["Events"].values()
    assert event == {"Type": "Schedule", "Properties": {"Schedule": "cron(17 * * * ? *)"}}


# No bearer token: the probe, the OpenAPI document, and the download link page (its own token is
# the credential).
PUBLIC = {("/health", "get"), ("/openapi.json", "get"), ("/l/{token}", "get"), ("/l/{token}", "post")}


def test_cognito_authorizer_guards_every_route_but_the_public_ones_and_preflight(packaged: Packaged) -> None:
    body = packaged.props("RestAPI")["DefinitionBody"]
    authorizer = body["securityDefinitions"]["LockerUserPool"]["x-amazon-apigateway-authorizer"]
    assert authorizer == {"type": "cognito_user_pools", "providerARNs": [{"Fn::GetAtt": ["UserPool", "Arn"]}]}
    methods = {(path, m) for path, ops in body["paths"].items() for m in ops}
    assert methods == {(path, m.lower()) for path, entry in app.routes.items() for m in entry}
    for path, method in methods:
        security = body["paths"][path][method].get("security")
        if method == "options" or (path, method) in PUBLIC:
            assert security is None, (path, method)
        else:
            assert security == [{"LockerUserPool": [ACCESS_SCOPE]}], (path, method)


def test_gateway_errors_carry_the_spa_cors_headers(packaged: Packaged) -> None:
    responses = packaged.props("RestAPI")["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == SPA_ORIGIN, kind
        assert (
            headers["gatewayresponse.header.Access-Control-Allow-Headers"] == "'Authorization,Content-Type'"
        )
    unauthorized = responses["UNAUTHORIZED"]
    body = json.loads(unauthorized["responseTemplates"]["application/json"])
    assert body == {"Code": "UnauthorizedError", "Message": "A valid access token is required."}


GATEWAY_ANSWERS = {  # API Gateway's own answers: (status it sends, Locker's Code)
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NotFoundError"),
    "UNAUTHORIZED": (None, "UnauthorizedError"),
    "ACCESS_DENIED": (None, "ForbiddenError"),
    "THROTTLED": (None, "TooManyRequestsError"),
    "DEFAULT_4XX": (None, "BadRequestError"),
    "DEFAULT_5XX": (None, "InternalServerError"),
}


def test_gateway_answers_are_lockers_json_and_echo_nothing(packaged: Packaged) -> None:
    responses = packaged.props("RestAPI")["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert set(GATEWAY_ANSWERS) <= set(responses)
    for kind, (status, code) in GATEWAY_ANSWERS.items():
        response = responses[kind]
        assert response.get("statusCode") == status, kind
        [(media, template)] = response["responseTemplates"].items()
        assert media == "application/json"
        assert "$" not in template, kind  # no $context/$input: nothing of the request comes back
        body = json.loads(template)
        assert set(body) == {"Code", "Message"}
        assert body["Code"] == code, kind
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'", kind
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'", kind
    expose = responses["UNAUTHORIZED"]["responseParameters"][
        "gatewayresponse.header.Access-Control-Expose-Headers"
    ]
    assert expose == f"'{gateway.EXPOSE_HEADERS}'"  # the SPA reads why, as from Locker's own 401s
    # An unknown route deployed answers what the app answers locally.
    missing = json.loads(responses["MISSING_AUTHENTICATION_TOKEN"]["responseTemplates"]["application/json"])
    assert missing == unmatched.NOT_FOUND


def test_outputs_tell_a_deployer_everything_the_clients_need(packaged: Packaged) -> None:
    outputs = packaged.template["Outputs"]
    assert outputs["UserPoolId"]["Value"] == {"Ref": "UserPool"}
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": "UserPoolClient"}
    assert outputs["BucketName"]["Value"] == {"Ref": "FilesBucket"}
    assert outputs["TableName"]["Value"] == {"Ref": "FilesTable"}
    endpoint = outputs["EndpointURL"]["Value"]["Fn::Sub"]
    web = json.loads(re.sub(r"\$\{[^}]+\}", "x", outputs["WebConfig"]["Value"]["Fn::Sub"]))
    assert set(web) == {"apiUrl", "region", "cognitoEndpoint", "clientId"}
    assert endpoint in outputs["WebConfig"]["Value"]["Fn::Sub"]
