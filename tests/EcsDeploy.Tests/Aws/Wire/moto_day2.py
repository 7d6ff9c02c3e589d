"""Seeds one service of its own in a running moto server for a day-2 command test; prints what it made as JSON.

Usage: python3 moto_day2.py ENDPOINT REGION ACCESS_KEY SECRET_KEY NAME
NAME-cluster runs NAME-service (2 tasks, its deployment COMPLETED, awsvpc, circuit breaker on) on revision NAME:2 of three; each revision's image
is in ECR; the VPC has DNS hostnames on (as Fargate's VPCs have), so moto can RunTask an awsvpc task; the service has
an Application Auto Scaling target (range 1-4) with nothing suspended.
"""
import hashlib, json, sys
import boto3
from botocore.config import Config

endpoint, region, ak, sk, name = sys.argv[1:6]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
c = lambda service: boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=ak, aws_secret_access_key=sk, config=cfg)

ec2 = c("ec2")
vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.%d.0/24" % i, AvailabilityZone=region + z)["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
sg = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]

logs = c("logs")
logs.create_log_group(logGroupName="/ecs/" + name)

def manifest(label):
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"x": label}}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
                       "layers": []})

ecr = c("ecr")
repository = ecr.create_repository(repositoryName=name)["repository"]["repositoryUri"]
ecs = c("ecs")
cluster = name + "-cluster"
ecs.create_cluster(clusterName=cluster)
revisions = []
for tag in ("v1", "v2", "v3"):
    digest = ecr.put_image(repositoryName=name, imageManifest=manifest(name + tag), imageTag=tag,
                           imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")["image"]["imageId"]["imageDigest"]
    revisions.append(ecs.register_task_definition(
        family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        executionRoleArn="arn:aws:iam::123456789012:role/exec",
        containerDefinitions=[{"name": name, "image": repository + "@" + digest, "essential": True, "memory": 512,
                               "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
                               "environment": [{"name": "NODE_ENV", "value": "production"}],
                               "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/" + name, "awslogs-region": region, "awslogs-stream-prefix": "ecs"}}}],
    )["taskDefinition"]["taskDefinitionArn"])
service = name + "-service"
# moto marks a service's one deployment COMPLETED only when it is created with no more tasks than MOTO_ECS_SERVICE_RUNNING
# (0 here), and never updates it: created at 0 and then scaled to 2 (which moto counts as running at once), the service
# is steady, as a service that finished its last rollout is.
ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=revisions[1], desiredCount=0, launchType="FARGATE",
                   networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}},
                   deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100})
ecs.update_service(cluster=cluster, service=service, desiredCount=2)
resource = "service/%s/%s" % (cluster, service)
c("application-autoscaling").register_scalable_target(ServiceNamespace="ecs", ResourceId=resource, ScalableDimension="ecs:service:DesiredCount",
                                                      MinCapacity=1, MaxCapacity=4)
print(json.dumps({"cluster": cluster, "service": service, "family": name, "container": name, "revisions": revisions, "resourceId": resource}))
