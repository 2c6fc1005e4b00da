#!/usr/bin/env python3
"""Signs S3 requests with botocore, AWS's own Python SDK core, as a reference for our signer.

Reads a JSON list of requests on standard input and prints a JSON list of their Authorization
header values. Each request:

    {"method": "GET", "url_base": "http://127.0.0.1:9000", "path_prefix": "/bucket",
     "key": "a b/c+d.ts" or null, "query": [["prefix", "x y"]], "headers": [["Range", "bytes=0-9"]],
     "body": "text", "timestamp": "20130524T000000Z", "access_key": "...", "secret_key": "...",
     "session_token": null, "region": "us-east-1"}

The key is percent-encoded here as botocore's S3 serializer does (percent_encode with "/~"
kept), the query by botocore's signer itself: neither comes from the code under test.
"""
import datetime
import json
import sys
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def sign(spec):
    path = spec["path_prefix"]
    if spec["key"] is not None:
        path += "/" + percent_encode(spec["key"], safe="/~")
    if path == "":
        path = "/"
    params = {}
    for name, value in spec["query"]:
        params[name] = value
    request = AWSRequest(
        method=spec["method"],
        url=spec["url_base"] + path,
        headers={name: value for name, value in spec["headers"]},
        data=spec["body"].encode("utf-8"),
        params=params,
    )
    request.context["payload_signing_enabled"] = True
    credentials = Credentials(spec["access_key"], spec["secret_key"], spec.get("session_token"))
    signer = botocore.auth.S3SigV4Auth(credentials, "s3", spec["region"])
    moment = datetime.datetime.strptime(spec["timestamp"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        signer.add_auth(request)
    return request.headers["Authorization"]


print(json.dumps([sign(spec) for spec in json.load(sys.stdin)]))
