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

# IAM roles the task definitions name: trusting ecs-tasks.amazonaws.com, and one that trusts only EC2.
def trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
iam_signed = c("iam")
for role in ("exec", "truecaller-backend-execution", "truecaller-backend-task", "truecaller-backend-ollama-execution"):
    iam_signed.create_role(RoleName=role, AssumeRolePolicyDocument=trust("ecs-tasks.amazonaws.com"))
out["ec2OnlyRole"] = iam_signed.create_role(RoleName="ec2-only", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))["Role"]["RoleName"]

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
for name in ("wire-app-alb", "wire-llm-alb", "wire-other-alb"):
    lbs.append(elb.create_load_balancer(Name=name, Subnets=subnets, SecurityGroups=[sg], Scheme="internal", Type="application")["LoadBalancers"][0])
tg = elb.create_target_group(Name="wire-llm-tg", Protocol="HTTP", Port=11434, VpcId=vpc, TargetType="ip", HealthCheckPath="/api/tags")["TargetGroups"][0]
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

# The seed document's environment (as EcsDeploy.Testing's Seed.Apply builds it in the simulated AWS), for the
# pipeline's end-to-end run against moto.
def placeholder_manifest(label):
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"x": label}}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
                       "layers": []})

tc = {}
family, tc_cluster = "truecaller-backend", "truecaller-backend-cluster"
ecs.create_cluster(clusterName=tc_cluster)
for group in ("/ecs/truecaller-backend", "/ecs/truecaller-backend-ollama"):
    logs.create_log_group(logGroupName=group)
for name in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS_JSON"):
    sm.create_secret(Name="truecaller-backend/" + name, SecretString="moto-" + name.lower())
backend_repo = ecr.create_repository(repositoryName=family)["repository"]["repositoryUri"]
running = ecr.put_image(repositoryName=family, imageManifest=placeholder_manifest("running"), imageTag="0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
                        imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")["image"]["imageId"]["imageDigest"]
ecr.put_image(repositoryName=family, imageManifest=placeholder_manifest("v2"), imageTag="v2", imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")
backend_lb = elb.create_load_balancer(Name="truecaller-backend-alb", Subnets=subnets, SecurityGroups=[sg], Type="application")["LoadBalancers"][0]
backend_tg = elb.create_target_group(Name="truecaller-backend-tg", Protocol="HTTP", Port=3000, VpcId=vpc, TargetType="ip", HealthCheckPath="/health")["TargetGroups"][0]
elb.create_listener(LoadBalancerArn=backend_lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": backend_tg["TargetGroupArn"]}])
backend_td = ecs.register_task_definition(
    family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="512", memory="1024",
    executionRoleArn="arn:aws:iam::123456789012:role/truecaller-backend-execution", taskRoleArn="arn:aws:iam::123456789012:role/truecaller-backend-task",
    containerDefinitions=[{"name": family, "image": backend_repo + "@" + running, "essential": True,
                           "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
                           "environment": [{"name": "NODE_ENV", "value": "production"}, {"name": "PORT", "value": "3000"}],
                           "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/" + family, "awslogs-region": region, "awslogs-stream-prefix": "ecs"}}}],
    tags=[{"key": "app", "value": family}])["taskDefinition"]
ecs.create_service(cluster=tc_cluster, serviceName="truecaller-backend-service", taskDefinition=backend_td["taskDefinitionArn"], desiredCount=2,
                   launchType="FARGATE", networkConfiguration=network,
                   loadBalancers=[{"targetGroupArn": backend_tg["TargetGroupArn"], "containerName": family, "containerPort": 3000}])
ollama_family = "truecaller-backend-ollama"
ollama_repo = ecr.create_repository(repositoryName=ollama_family)["repository"]["repositoryUri"]
ollama_digest = ecr.put_image(repositoryName=ollama_family, imageManifest=placeholder_manifest("ollama"), imageTag="latest",
                              imageManifestMediaType="application/vnd.oci.image.manifest.v1+json")["image"]["imageId"]["imageDigest"]
ollama_lb = elb.create_load_balancer(Name="truecaller-backend-ollama-alb", Subnets=subnets, SecurityGroups=[sg], Scheme="internal", Type="application")["LoadBalancers"][0]
ollama_tg = elb.create_target_group(Name="truecaller-backend-ollama-tg", Protocol="HTTP", Port=11434, VpcId=vpc, TargetType="ip", HealthCheckPath="/")["TargetGroups"][0]
elb.create_listener(LoadBalancerArn=ollama_lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": ollama_tg["TargetGroupArn"]}])
ollama_td = ecs.register_task_definition(
    family=ollama_family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="2048", memory="8192",
    executionRoleArn="arn:aws:iam::123456789012:role/truecaller-backend-ollama-execution",
    containerDefinitions=[{"name": ollama_family, "image": ollama_repo + "@" + ollama_digest, "portMappings": [{"containerPort": 11434}],
                           "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/" + ollama_family, "awslogs-region": region, "awslogs-stream-prefix": "ecs"}}}])["taskDefinition"]
ecs.create_service(cluster=tc_cluster, serviceName="truecaller-backend-ollama-service", taskDefinition=ollama_td["taskDefinitionArn"], desiredCount=1,
                   launchType="FARGATE", networkConfiguration=network,
                   loadBalancers=[{"targetGroupArn": ollama_tg["TargetGroupArn"], "containerName": ollama_family, "containerPort": 11434}])
out["truecaller"] = {"cluster": tc_cluster, "backendTaskDefinitionArn": backend_td["taskDefinitionArn"], "ollamaDns": ollama_lb["DNSName"],
                     "repositoryUri": backend_repo}

print(json.dumps(out))
