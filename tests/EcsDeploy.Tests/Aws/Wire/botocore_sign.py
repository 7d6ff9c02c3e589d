"""Signs requests with botocore's SigV4Auth at pinned times: the reference for the signer conformance test.

stdin: a JSON list of {method, url, params, headers, body (base64), accessKey, secretKey, token, service,
region, time ("YYYYMMDDTHHMMSSZ")}. stdout: a JSON list of {authorization, amzDate, canonicalRequest,
bodySha256}, in the same order.
"""
import base64, datetime, hashlib, json, sys
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

pinned = [None]
botocore.auth.get_current_datetime = lambda: pinned[0]

results = []
for item in json.load(sys.stdin):
    pinned[0] = datetime.datetime.strptime(item["time"], "%Y%m%dT%H%M%SZ")
    body = base64.b64decode(item["body"])
    request = AWSRequest(method=item["method"], url=item["url"], headers=dict(item["headers"]), data=body,
                         params=item["params"] or None)
    auth = SigV4Auth(Credentials(item["accessKey"], item["secretKey"], item.get("token")), item["service"], item["region"])
    seen = []
    original = auth.canonical_request
    auth.canonical_request = lambda r: seen.append(original(r)) or seen[-1]
    auth.add_auth(request)
    results.append({
        "authorization": request.headers["Authorization"],
        "amzDate": request.headers["X-Amz-Date"],
        "canonicalRequest": seen[0],
        "bodySha256": hashlib.sha256(body).hexdigest(),
    })
json.dump(results, sys.stdout)
