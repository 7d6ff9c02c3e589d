"""One read through boto3 (an independent client), to confirm the state a test left in moto; prints the answer as JSON.

Usage: python3 moto_read.py ENDPOINT REGION ACCESS_KEY SECRET_KEY SERVICE OPERATION '{"Param": ...}'
"""
import json, sys
import boto3

endpoint, region, ak, sk, service, operation, parameters = sys.argv[1:8]
client = boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=ak, aws_secret_access_key=sk)
answer = getattr(client, operation)(**json.loads(parameters))
answer.pop("ResponseMetadata", None)
print(json.dumps(answer, default=str))
