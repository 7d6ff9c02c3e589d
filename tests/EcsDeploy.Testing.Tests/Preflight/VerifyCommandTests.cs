using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Testing.Tests.Operations;
using static EcsDeploy.Testing.Tests.Preflight.PreflightWorld;

namespace EcsDeploy.Testing.Tests.Preflight;

/// <summary>
/// <c>verify</c> on the simulated AWS: for each check, a world where it passes (the seed) and one where it fails, naming
/// the resource and the fix; exit 2 with nothing changed.
/// </summary>
public sealed class VerifyCommandTests
{
    [Fact]
    public async Task Verify_OnTheSeed_PassesEveryCheck_AsATree_Exit0()
    {
        var world = new PreflightWorld();
        var (code, stdout, _) = await world.Day2.RunAsync("verify");

        Assert.Equal(0, code);
        Assert.Contains("ok      service truecaller-backend-service", stdout);
        Assert.Contains("  ok      cluster: truecaller-backend-cluster exists", stdout);
        Assert.Contains("    ok      execution role: truecaller-backend-execution exists and trusts ecs-tasks.amazonaws.com", stdout);
        Assert.Contains("    ok      image of truecaller-backend: in ECR, has linux/amd64", stdout);
        Assert.Contains("    ok      Fargate size: cpu 512, memory 1024", stdout);
        Assert.Contains("    ok      target group truecaller-backend-tg: exists, routes to truecaller-backend:3000", stdout);
        Assert.Contains("    ok      log group of truecaller-backend: /ecs/truecaller-backend exists", stdout);
        Assert.DoesNotContain("FAILED", stdout);
        Assert.Contains("verify: every check passed or was skipped", stdout);
        Assert.Empty(world.Day2.Mutations);
    }

    [Fact]
    public async Task Verify_Json_IsTheTree_WithStatusesResourcesAndFixes()
    {
        var world = new PreflightWorld();
        world.Aws.Logs.DeleteLogGroup("/ecs/truecaller-backend");
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(2, code);
        Assert.True(report.GetProperty("failed").GetBoolean());
        var service = Assert.Single(report.GetProperty("services").EnumerateArray().ToList());
        Assert.Equal("failed", Status(service));
        var logs = Check(report, "log group of truecaller-backend");
        Assert.Equal("failed", Status(logs));
        Assert.Equal("/ecs/truecaller-backend", logs.GetProperty("resource").GetString());
        Assert.Contains("awslogs-create-group", logs.GetProperty("fix").GetString());
        Assert.Equal("ok", Status(Check(report, "roles")));
    }

    [Fact]
    public async Task Cluster_Missing_FailsNamingIt()
    {
        var world = new PreflightWorld();
        var pipeline = Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster("no-such-cluster").Deploy(d => d.Service(DayTwo.Service));
        var (code, report, _) = await world.VerifyAsync(pipeline);

        Assert.Equal(2, code);
        var cluster = Check(report, "cluster");
        Assert.Equal("failed", Status(cluster));
        Assert.Contains("no-such-cluster", cluster.GetProperty("detail").GetString());
        Assert.Contains(".OnCluster", cluster.GetProperty("fix").GetString());
    }

    [Fact]
    public async Task NetworkConfiguration_MissingOnAnAwsvpcService_Fails()
    {
        var world = new PreflightWorld();
        Assert.Equal("ok", Status(Check((await world.VerifyAsync()).Report, "network configuration")));

        world.Aws.Ecs.SetNetworkConfiguration(DayTwo.Cluster, DayTwo.Service, null);
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        var check = Check(report, "network configuration");
        Assert.Equal("failed", Status(check));
        Assert.Contains("network_configuration", check.GetProperty("fix").GetString());
    }

    [Fact]
    public async Task HostPort_OtherThanContainerPort_Fails()
    {
        var world = new PreflightWorld();
        Assert.Equal("ok", Status(Check((await world.VerifyAsync()).Report, "port truecaller-backend:3000")));

        await world.RunAsync(d => WithContainer(d, c => c with { PortMappings = [new PortMapping { ContainerPort = 3000, HostPort = 8080, Protocol = "tcp" }] }));
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        var check = Check(report, "port truecaller-backend:3000");
        Assert.Equal("failed", Status(check));
        Assert.Contains("hostPort 8080", check.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("512", "512", "with cpu 512 use memory 1024 to 4096 in steps of 1024")]
    [InlineData("300", "1024", "no task size with cpu 300")]
    public async Task FargateSize_APairFargateDoesNotOffer_Fails(string cpu, string memory, string detail)
    {
        var world = new PreflightWorld();
        await world.RunAsync(d => d with { Cpu = cpu, Memory = memory });
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(2, code);
        var check = Check(report, "Fargate size");
        Assert.Equal("failed", Status(check));
        Assert.Contains(detail, check.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("1024", "3072")]
    [InlineData("4096", "30720")]
    [InlineData("16384", "122880")]
    public async Task FargateSize_APairFargateOffers_Passes(string cpu, string memory)
    {
        var world = new PreflightWorld();
        await world.RunAsync(d => d with { Cpu = cpu, Memory = memory });
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(0, code);
        var check = Check(report, "Fargate size");
        Assert.Equal("ok", Status(check));
        Assert.Equal($"cpu {cpu}, memory {memory}", check.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RuntimePlatform_Unsupported_Fails_Arm64Linux_Passes()
    {
        var world = new PreflightWorld();
        await world.RunAsync(d => d with { ExtensionData = new() { ["runtimePlatform"] = JsonSerializer.SerializeToElement(new { cpuArchitecture = "ARM64", operatingSystemFamily = "WINDOWS_SERVER_2022_CORE" }) } });
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        Assert.Contains("ARM64 runs on Fargate with operatingSystemFamily LINUX only", Check(report, "runtime platform").GetProperty("detail").GetString());

        await world.RunAsync(d => d with { ExtensionData = new() { ["runtimePlatform"] = JsonSerializer.SerializeToElement(new { cpuArchitecture = "ARM64", operatingSystemFamily = "LINUX" }) } });
        Assert.Equal("ok", Status(Check((await world.VerifyAsync()).Report, "runtime platform")));
    }

    [Fact]
    public async Task LoadBalancer_MissingTargetGroup_UnknownContainer_UnmappedPort_EachFail()
    {
        var world = new PreflightWorld();
        var arn = world.Aws.Ecs.CurrentTaskDefinition(DayTwo.Cluster, DayTwo.Service).TaskDefinitionArn!;
        var lb = world.Aws.Elbv2.CreateLoadBalancer("other-alb");
        var tg = world.Aws.Elbv2.CreateTargetGroup("other-tg", lb.LoadBalancerArn);
        world.Aws.Ecs.CreateRunningService(DayTwo.Cluster, "gone-tg", arn, 1, tg.Replace("other-tg", "gone-tg", StringComparison.Ordinal), DayTwo.Family, 3000);
        world.Aws.Ecs.CreateRunningService(DayTwo.Cluster, "wrong-container", arn, 1, tg, "sidecar", 3000);
        world.Aws.Ecs.CreateRunningService(DayTwo.Cluster, "wrong-port", arn, 1, tg, DayTwo.Family, 8080);

        foreach (var (service, detail) in new[] { ("gone-tg", "the target group does not exist"), ("wrong-container", "routes to container 'sidecar'"), ("wrong-port", "routes to port 8080 of 'truecaller-backend', which maps no such port (it maps: 3000)") })
        {
            var (code, report, _) = await world.VerifyAsync(Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(DayTwo.Cluster).Deploy(d => d.Service(service)));
            Assert.Equal(2, code);
            var check = Assert.Single(All(report), c => c.GetProperty("name").GetString()!.StartsWith("target group", StringComparison.Ordinal));
            Assert.Equal("failed", Status(check));
            Assert.Contains(detail, check.GetProperty("detail").GetString());
        }
        Assert.Empty(world.Day2.Mutations);
    }

    [Fact]
    public async Task ExecutionRole_NotTrustingEcsTasks_FailsNamingTheRoleAndTheTrustStatement()
    {
        var world = new PreflightWorld();
        world.Aws.Faults.Arm("untrusted-execution-role");
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(2, code);
        var role = Check(report, "execution role");
        Assert.Equal("failed", Status(role));
        Assert.Equal("arn:aws:iam::123456789012:role/truecaller-backend-execution", role.GetProperty("resource").GetString());
        Assert.Contains("does not trust ecs-tasks.amazonaws.com", role.GetProperty("detail").GetString());
        Assert.Contains("\"Service\":\"ecs-tasks.amazonaws.com\"", role.GetProperty("fix").GetString());
        Assert.Equal("ok", Status(Check(report, "task role")));
    }

    [Fact]
    public async Task ExecutionRole_Missing_Fails_TaskRole_NotTrustingEcsTasks_Fails()
    {
        var world = new PreflightWorld();
        world.Aws.Iam.DeleteRole("truecaller-backend-execution");
        Assert.True(world.Aws.Iam.SetTrustPolicy("truecaller-backend-task", SimulatedIam.Ec2TrustPolicy));
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(2, code);
        var execution = Check(report, "execution role");
        Assert.Equal("failed", Status(execution));
        Assert.Contains("role truecaller-backend-execution does not exist", execution.GetProperty("detail").GetString());
        Assert.Contains("executionRoleArn", execution.GetProperty("fix").GetString());
        var task = Check(report, "task role");
        Assert.Equal("failed", Status(task));
        Assert.Contains("role truecaller-backend-task does not trust ecs-tasks.amazonaws.com", task.GetProperty("detail").GetString());
        Assert.Equal("arn:aws:iam::123456789012:role/truecaller-backend-task", task.GetProperty("resource").GetString());
        Assert.Empty(world.Day2.Mutations);
    }

    [Fact]
    public async Task Roles_TheDeployerMayNotRead_AreSkippedSayingWhy_NeverPassed()
    {
        var world = new PreflightWorld();
        world.Aws.Iam.DeleteRole("truecaller-backend-task");
        world.Aws.DeniedOperations.Add("GetRole");
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(0, code);
        foreach (var name in new[] { "execution role", "task role" })
        {
            var role = Check(report, name);
            Assert.Equal("skipped", Status(role));
            Assert.Contains("iam:GetRole denied", role.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task TaskRole_Missing_Fails()
    {
        var world = new PreflightWorld();
        world.Aws.Iam.DeleteRole("truecaller-backend-task");
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(2, code);
        var role = Check(report, "task role");
        Assert.Equal("failed", Status(role));
        Assert.Contains("role truecaller-backend-task does not exist", role.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_BuiltForArm64_OnAnX86Task_Fails_AnIndexWithAmd64_Passes()
    {
        var world = new PreflightWorld();
        var arm = world.PushImage("arm-only", "linux/arm64");
        await world.RunAsync(d => WithContainer(d, c => c with { Image = arm }));
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        var image = Check(report, "image of truecaller-backend");
        Assert.Equal("failed", Status(image));
        Assert.Contains("is built for linux/arm64, but the task runs linux/amd64", image.GetProperty("detail").GetString());
        Assert.Contains("--platform linux/amd64", image.GetProperty("fix").GetString());

        var multi = world.PushImage("multi", "linux/arm64", "linux/amd64");
        await world.RunAsync(d => WithContainer(d, c => c with { Image = multi }));
        (code, report, _) = await world.VerifyAsync();
        Assert.Equal(0, code);
        Assert.Equal("in ECR, has linux/amd64", Check(report, "image of truecaller-backend").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_BuiltForAnotherOs_Fails_AndAnIndexWithoutTheTasksPlatform_Fails()
    {
        var world = new PreflightWorld();
        var windows = world.PushImage("windows-only", "windows/amd64");
        await world.RunAsync(d => WithContainer(d, c => c with { Image = windows }));
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        var image = Check(report, "image of truecaller-backend");
        Assert.Equal("failed", Status(image));
        Assert.Contains("is built for windows/amd64, but the task runs linux/amd64", image.GetProperty("detail").GetString());
        Assert.Equal(windows, image.GetProperty("resource").GetString());

        var others = world.PushImage("arm-and-s390x", "linux/arm64", "linux/s390x");
        await world.RunAsync(d => WithContainer(d, c => c with { Image = others }));
        (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        image = Check(report, "image of truecaller-backend");
        Assert.Equal("failed", Status(image));
        Assert.Contains("is built for linux/arm64, linux/s390x, but the task runs linux/amd64", image.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Image_NotInEcr_Fails_AndImageTag_ChecksThatTag()
    {
        var world = new PreflightWorld();
        var (code, report, _) = await world.VerifyAsync(null, "--image-tag", "never-pushed");
        Assert.Equal(2, code);
        var image = Check(report, "image of truecaller-backend");
        Assert.Equal("failed", Status(image));
        Assert.Contains(":never-pushed is not in ECR", image.GetProperty("detail").GetString());

        world.PushImage("v2", "linux/amd64");
        (code, _, _) = await world.VerifyAsync(null, "--image-tag", "v2");
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Secret_Missing_Fails_BothAsThePipelinesReferenceAndInTheRunningRevision()
    {
        var world = new PreflightWorld();
        var arn = world.Aws.SecretsManager.CreateSecret("truecaller-backend/API_KEY", "k-123");
        await world.RunAsync(d => WithContainer(d, c => c with { Secrets = [new EcsSecret("API_KEY", arn)] }));
        var pipeline = DayTwo.Pipeline(d => d.Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET"));
        Assert.Equal(0, (await world.VerifyAsync(pipeline)).ExitCode);

        world.Aws.SecretsManager.DeleteSecret("truecaller-backend/API_KEY");
        world.Aws.SecretsManager.DeleteSecret("truecaller-backend/JWT_SECRET");
        var (code, report, _) = await world.VerifyAsync(DayTwo.Pipeline(d => d.Secret("JWT_SECRET", "truecaller-backend/JWT_SECRET")));
        Assert.Equal(2, code);
        Assert.Contains("has no secret 'truecaller-backend/JWT_SECRET'", Check(report, "secret JWT_SECRET").GetProperty("detail").GetString());
        Assert.Equal("failed", Status(Check(report, "secret API_KEY")));
    }

    [Fact]
    public async Task SecretJsonKey_Missing_Fails_Present_Passes()
    {
        var world = new PreflightWorld();
        var arn = world.Aws.SecretsManager.CreateSecret("truecaller-backend/db", """{"username":"app","password":"Sim-Pa55-json-key"}""");
        await world.RunAsync(d => WithContainer(d, c => c with { Secrets = [new EcsSecret("DB_PASSWORD", $"{arn}:password::"), new EcsSecret("DB_HOST", $"{arn}:host::")] }), wait: false);
        var (code, stdout, _) = await world.Day2.RunAsync("verify", "--output", "json");

        Assert.Equal(2, code);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal("exists with JSON key 'password'", Check(report.RootElement, "secret DB_PASSWORD").GetProperty("detail").GetString());
        var host = Check(report.RootElement, "secret DB_HOST");
        Assert.Equal("failed", Status(host));
        Assert.Contains("no JSON key 'host' (its keys: username, password)", host.GetProperty("detail").GetString());
        Assert.DoesNotContain("Sim-Pa55-json-key", stdout);
    }

    [Fact]
    public async Task SecretJsonKey_WhenTheDeployerMayNotReadTheValue_IsSkippedSayingWhy()
    {
        var world = new PreflightWorld();
        var arn = world.Aws.SecretsManager.CreateSecret("truecaller-backend/db", """{"username":"app","password":"Sim-Pa55-denied"}""");
        await world.RunAsync(d => WithContainer(d, c => c with { Secrets = [new EcsSecret("DB_PASSWORD", $"{arn}:password::"), new EcsSecret("DB_HOST", $"{arn}:host::")] }), wait: false);
        world.Aws.DeniedOperations.Add("GetSecretValue");
        var (code, report, _) = await world.VerifyAsync();

        Assert.Equal(0, code);
        foreach (var (name, key) in new[] { ("secret DB_PASSWORD", "password"), ("secret DB_HOST", "host") })
        {
            var check = Check(report, name);
            Assert.Equal("skipped", Status(check));
            Assert.Contains($"secretsmanager:GetSecretValue denied), so JSON key '{key}' is not checked", check.GetProperty("detail").GetString());
        }

        world.Aws.SecretsManager.DeleteSecret("truecaller-backend/db");
        (code, report, _) = await world.VerifyAsync();
        Assert.Equal(2, code);
        Assert.Contains("Secrets Manager has no secret", Check(report, "secret DB_PASSWORD").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task LogGroup_Missing_Fails_UnlessCreateGroupIsSet()
    {
        var world = new PreflightWorld();
        world.Aws.Logs.DeleteLogGroup("/ecs/truecaller-backend");
        Assert.Equal(2, (await world.VerifyAsync()).ExitCode);

        await world.RunAsync(d => WithContainer(d, c => c with { LogConfiguration = c.LogConfiguration! with { Options = new Dictionary<string, string>(c.LogConfiguration.Options!) { ["awslogs-create-group"] = "true" } } }));
        var (code, report, _) = await world.VerifyAsync();
        Assert.Equal(0, code);
        Assert.Contains("awslogs-create-group is set", Check(report, "log group of truecaller-backend").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HealthCheckGracePeriod_WithoutALoadBalancer_Fails_WithOne_Passes()
    {
        var world = new PreflightWorld();
        world.Aws.Ecs.SetHealthCheckGracePeriod(DayTwo.Cluster, DayTwo.Service, 60);
        Assert.Equal("60 s with a load balancer", Check((await world.VerifyAsync()).Report, "health-check grace period").GetProperty("detail").GetString());

        var arn = world.Current.TaskDefinitionArn!;
        world.Aws.Ecs.CreateRunningService(DayTwo.Cluster, "worker", arn, 1);
        world.Aws.Ecs.SetHealthCheckGracePeriod(DayTwo.Cluster, "worker", 60);
        var (code, report, _) = await world.VerifyAsync(Pipeline.For("truecaller-backend").InRegion("eu-central-1").OnCluster(DayTwo.Cluster).Deploy(d => d.Service("worker")));
        Assert.Equal(2, code);
        Assert.Equal("failed", Status(Check(report, "health-check grace period")));
    }
}
