"""Seeds a moto server for the wire client tests; prints one JSON object with what it made.

Usage: python3 moto_seed.py ENDPOINT REGION
The server must run with INITIAL_NO_AUTH_ACTION_COUNT=3: the first three calls (IAM) create a user with an
allow-all policy and an access key; everything after is signed with that key and checked by moto.
"""
import hashlib, json, sys, time
import boto3
from botocore.config import Config

endpoint, region = sys.argv[1], sys.argv[2]
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})

def client(name, key="AKIAIOSFODNN7EXAMPLE", secret="bootstrap"):
    return boto3.client(name, endpoint_url=endpoint, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=cfg)

iam = client("iam")
iam.create_user(UserName="ecsdeploy-tests")
iam.put_user_policy(UserName="ecsdeploy-tests", PolicyName="all",
                    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="ecsdeploy-tests")["AccessKey"]
ak, sk = key["AccessKeyId"], key["SecretAccessKey"]
c = lambda name: client(name, ak, sk)

out = {"accessKeyId": ak, "secretAccessKey": sk}

# Network for ECS and ELBv2
ec2 = c("ec2")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone=region + z)["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
sg = ec2.create_security_group(GroupName="wire", Description="wire", VpcId=vpc)["GroupId"]

# ECS
ecs = c("ecs")
cluster = "wire-cluster"
ecs.create_cluster(clusterName=cluster)
container = {"name": "app", "image": "123456789012.dkr.ecr.%s.amazonaws.com/app:v1" % region, "memory": 512, "essential": True,
             "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
             "environment": [{"name": "NODE_ENV", "value": "production"}],
             "secrets": [{"name": "DATABASE_URL", "valueFrom": "arn:aws:secretsmanager:%s:123456789012:secret:db-AbCdEf" % region}],
             "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": region, "awslogs-stream-prefix": "app"}}}
td = ecs.register_task_definition(family="wire-app", containerDefinitions=[container], cpu="256", memory="512",
                                  networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                  executionRoleArn="arn:aws:iam::123456789012:role/exec",
                                  tags=[{"key": "team", "value": "wire"}])["taskDefinition"]
ecs.register_task_definition(family="wire-app", containerDefinitions=[container], cpu="256", memory="512",
                             networkMode="awsvpc", requiresCompatibilities=["FARGATE"])
network = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg], "assignPublicIp": "DISABLED"}}
ecs.create_service(cluster=cluster, serviceName="wire-service", taskDefinition=td["taskDefinitionArn"], desiredCount=1,
                   launchType="FARGATE", networkConfiguration=network,
                   deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100})
# moto 5.2 cannot run an awsvpc task (500: NetworkInterface has no private_dns_name): RunTask gets a plain family.
run_td = ecs.register_task_definition(family="wire-task", containerDefinitions=[{"name": "app", "image": container["image"], "memory": 512, "essential": True}])["taskDefinition"]
out.update(runTaskDefinitionArn=run_td["taskDefinitionArn"])
ecs.create_service(cluster=cluster, serviceName="wire-service-updates", taskDefinition=td["taskDefinitionArn"], desiredCount=1,
                   launchType="FARGATE", networkConfiguration=network)
out.update(cluster=cluster, service="wire-service", updateService="wire-service-updates", family="wire-app", taskDefinitionArn=td["taskDefinitionArn"])

# ECR
ecr = c("ecr")
repo = ecr.create_repository(repositoryName="wire/app")["repository"]
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest()},
                       "layers": []})
image = ecr.put_image(repositoryName="wire/app", imageManifest=manifest, imageTag="v1")["image"]
out.update(repositoryName="wire/app", repositoryUri=repo["repositoryUri"], imageDigest=image["imageId"]["imageDigest"], imageManifest=manifest)

# ELBv2
elb = c("elbv2")
lbs = []
for name in ("wire-app-alb", "wire-ollama-alb", "wire-other-alb"):
    lbs.append(elb.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[sg], Scheme="internal", Type="application")["LoadBalancers"][0])
tg = elb.create_target_group(Name="wire-ollama-tg", Protocol="HTTP", Port=11434, VpcId=vpc, TargetType="ip", HealthCheckPath="/api/tags")["TargetGroups"][0]
elb.create_listener(LoadBalancerArn=lbs[1]["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
out.update(loadBalancers=[{"name": lb["LoadBalancerName"], "arn": lb["LoadBalancerArn"], "dns": lb["DNSName"]} for lb in lbs],
           targetGroupArn=tg["TargetGroupArn"])

# Secrets Manager
sm = c("secretsmanager")
secret = sm.create_secret(Name="wire/db", SecretString="postgres://user:hunter2@db/app")
out.update(secretName="wire/db", secretArn=secret["ARN"])

# CloudWatch Logs
logs = c("logs")
logs.create_log_group(logGroupName="/ecs/app")
logs.create_log_stream(logGroupName="/ecs/app", logStreamName="app/app/task1")
# moto drops events older than its retention window: stamp them a minute ago, one second apart.
first = (int(time.time()) - 60) * 1000
logs.put_log_events(logGroupName="/ecs/app", logStreamName="app/app/task1",
                    logEvents=[{"timestamp": first + i * 1000, "message": "line %d" % i} for i in range(5)])
out.update(logGroup="/ecs/app", logStream="app/app/task1", firstLogTimestamp=first)

# S3 Terraform state
s3 = c("s3")
s3.create_bucket(Bucket="wire-tfstate", CreateBucketConfiguration={"LocationConstraint": region})
state = {"version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "x",
         "outputs": {"ecs_cluster_name": {"value": cluster, "type": "string"},
                     "db_password": {"value": "s3cr3t", "type": "string", "sensitive": True},
                     "subnets": {"value": subnets, "type": ["list", "string"]}},
         "resources": []}
s3.put_object(Bucket="wire-tfstate", Key="env/test/terraform.tfstate", Body=json.dumps(state).encode())
out.update(stateBucket="wire-tfstate", stateKey="env/test/terraform.tfstate", subnets=subnets, securityGroup=sg)

print(json.dumps(out))
