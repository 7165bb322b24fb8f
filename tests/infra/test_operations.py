"""What operators rely on in the packaged template: access logs, tracing, ceilings, dead letters."""

from __future__ import annotations

import json
import re

from tests.infra.conftest import ROLE, Packaged, as_list

QUEUE = "EventsDeadLetterQueue"
QUEUE_ARN = {"Fn::GetAtt": [QUEUE, "Arn"]}
EVENT_FUNCTIONS = ("ObjectCreated", "Sweep")
FORBIDDEN_ACCESS_LOG_VARIABLES = ("$context.path", "$input", "$context.identity.userAgent", "$method.request")


def test_api_stage_writes_json_access_logs_without_paths_or_headers(packaged: Packaged) -> None:
    setting = packaged.props("RestAPI")["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    fields = json.loads(setting["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["route"] == "$context.resourcePath"  # the template: a path can carry a link token
    assert fields["status"] == "$context.status"
    for variable in FORBIDDEN_ACCESS_LOG_VARIABLES:
        assert not any(value.startswith(variable) for value in fields.values()), variable
    group = packaged.resources["ApiAccessLogs"]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_api_and_every_function_are_traced(packaged: Packaged) -> None:
    assert packaged.props("RestAPI")["TracingEnabled"] is True
    for name, props in packaged.functions().items():
        assert props["Tracing"] == "Active", name
    [tracing] = [
        s
        for s in packaged.props(ROLE)["Policies"][0]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "Tracing"
    ]
    assert set(tracing["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_every_function_has_a_concurrency_ceiling(packaged: Packaged) -> None:
    functions = packaged.functions()
    assert functions["APIHandler"]["ReservedConcurrentExecutions"] == {"Ref": "ApiReservedConcurrency"}
    assert functions["ObjectCreated"]["ReservedConcurrentExecutions"] == {"Ref": "EventsReservedConcurrency"}
    assert functions["Sweep"]["ReservedConcurrentExecutions"] == 1  # never two sweeps at once
    for name in ("ApiReservedConcurrency", "EventsReservedConcurrency"):
        assert packaged.template["Parameters"][name]["MinValue"] >= 1


def test_event_functions_keep_what_they_could_not_process(packaged: Packaged) -> None:
    queue = packaged.resources[QUEUE]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600  # SQS's longest
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    for name in EVENT_FUNCTIONS:
        assert packaged.props(name)["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": QUEUE_ARN}, name
    granted = [
        s
        for s in packaged.props(ROLE)["Policies"][0]["PolicyDocument"]["Statement"]
        if "sqs:SendMessage" in as_list(s.get("Action", []))
    ]
    assert [s["Resource"] for s in granted] == [QUEUE_ARN]


def test_bucket_events_eventbridge_cannot_deliver_reach_the_queue(packaged: Packaged) -> None:
    event = packaged.props("ObjectCreated")["Events"]["ObjectCreatedEvent"]["Properties"]
    assert event["DeadLetterConfig"] == {"Arn": QUEUE_ARN}
    assert event["RetryPolicy"]["MaximumEventAgeInSeconds"] == 24 * 3600
    [statement] = packaged.props("EventsDeadLetterQueuePolicy")["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == QUEUE_ARN
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    alarm = packaged.props("EventsDeadLetterAlarm")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [QUEUE, "QueueName"]}}]
    assert (alarm["MetricName"], alarm["Threshold"]) == ("ApproximateNumberOfMessagesVisible", 1)


def test_files_bucket_access_is_logged_to_a_private_log_bucket(packaged: Packaged) -> None:
    logging = packaged.props("FilesBucket")["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "LogsBucket"}
    logs = packaged.props("LogsBucket")
    assert all(logs["PublicAccessBlockConfiguration"].values())
    [rule] = logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "LogRetentionDays"}
    statements = packaged.props("LogsBucketPolicy")["PolicyDocument"]["Statement"]
    [writer] = [s for s in statements if s["Effect"] == "Allow"]
    assert writer["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert writer["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": ["FilesBucket", "Arn"]}}
    prefix = logging["LogFilePrefix"]
    assert writer["Resource"] == {"Fn::Sub": f"${{LogsBucket.Arn}}/{prefix}*"}


def test_every_checkov_skip_names_a_check_and_says_why(packaged: Packaged) -> None:
    skips = [
        (name, skip)
        for name, resource in packaged.resources.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), name
        assert len(skip["comment"]) >= 40, (name, skip["id"])
