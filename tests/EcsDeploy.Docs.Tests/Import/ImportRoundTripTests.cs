using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws;
using EcsDeploy.Aws.Wire;
using EcsDeploy.Hosting;
using EcsDeploy.Testing;
using EcsDeploy.Testing.Hosting;

namespace EcsDeploy.Docs.Tests.Import;

/// <summary>
/// <c>import</c> round trips: a live service imported into a script, the script compiled with no compiler or analyzer
/// warning, and its <c>diff --exit-code</c> run against the same account: exit 0, no difference. On the simulated AWS,
/// and on the local AWS host through the wire clients; for the seed's service with OLLAMA_URL and secrets, and for a
/// service with two containers (a sidecar) and JSON-key secrets.
/// </summary>
public sealed class ImportRoundTripTests
{
    private const string Cluster = "truecaller-backend-cluster";
    private const string Service = "truecaller-backend-service";
    private const string Family = "truecaller-backend";

    /// <summary>The seed's service after a deploy: OLLAMA_* variables, four secrets, log retention 14 days.</summary>
    private static SimulatedAws SeedAfterDeploy()
    {
        var aws = Seed.Truecaller();
        var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        var secrets = aws.SecretsManager;
        var ollamaDns = "http://" + aws.Terraform.ReadAsync(CancellationToken.None).GetAwaiter().GetResult()!["ollama_alb_dns_name"].Value.GetString();
        var container = current.ContainerDefinitions![0] with
        {
            Environment =
            [
                new("NODE_ENV", "production"), new("PORT", "3000"), new("OLLAMA_URL", ollamaDns), new("OLLAMA_MODEL", "llama3.2:1b"),
                new("OLLAMA_TIMEOUT", "30000"), new("OLLAMA_ENABLED", "true"), new("GREETING", "say \"hi\"\\n"),
            ],
            Secrets = [.. SeedSpec.Truecaller.Secrets.Keys.Select(id => new EcsSecret(id.Split('/')[1], Describe(secrets, id)))],
        };
        Deploy(aws, TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with { ContainerDefinitions = [container] });
        aws.Logs.PutRetentionPolicyAsync(new PutRetentionPolicyRequest("/ecs/truecaller-backend", 14), CancellationToken.None).GetAwaiter().GetResult();
        return aws;
    }

    /// <summary>A service with an Envoy sidecar (not essential), secrets read by JSON key, and a plain variable that looks secret.</summary>
    private static SimulatedAws TwoContainers()
    {
        var aws = Seed.Truecaller();
        var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        var db = aws.SecretsManager.CreateSecret("truecaller-backend/db", """{"username":"app","password":"Sim-json-Pa55"}""");
        var whole = Describe(aws.SecretsManager, "truecaller-backend/JWT_SECRET");
        var main = current.ContainerDefinitions![0] with
        {
            Environment = [new("NODE_ENV", "production"), new("PORT", "3000"), new("LEGACY_API_TOKEN", "not-a-real-token")],
            Secrets = [new("DB_USER", $"{db}:username::"), new("DB_PASSWORD", $"{db}:password::"), new("JWT_SECRET", whole)],
        };
        var sidecar = new ContainerDefinition
        {
            Name = "envoy",
            Image = "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod",
            Essential = false,
            Environment = [new("APPMESH_RESOURCE_ARN", "mesh/app/virtualNode/backend")],
            PortMappings = [new PortMapping { ContainerPort = 9901, Protocol = "tcp" }],
        };
        Deploy(aws, TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with { ContainerDefinitions = [main, sidecar] });
        return aws;
    }

    public static TheoryData<string> Worlds => ["seed-after-deploy", "two-containers"];

    private static SimulatedAws World(string name) => name == "seed-after-deploy" ? SeedAfterDeploy() : TwoContainers();

    [Theory]
    [MemberData(nameof(Worlds))]
    public async Task Import_OnTheSimulatedAws_CompilesClean_AndItsDiffFindsNoDifference(string world)
    {
        var aws = World(world);
        var script = new ImportedScript(await ImportAsync(LocalHost(aws)));

        Assert.Empty(script.CompilerDiagnostics());
        Assert.Empty(await script.AnalyzerDiagnosticsAsync());
        var mutationsBefore = Mutations(aws);
        Assert.Equal(0, await script.RunAsync(LocalHost(aws), "diff", "--exit-code"));
        Assert.Equal(mutationsBefore, Mutations(aws));

        // The check can fail: the same script against a changed service exits 1.
        var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        Deploy(aws, TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with
        {
            ContainerDefinitions = [.. current.ContainerDefinitions!.Select(c => c.Name == Family ? c with { Environment = [.. c.Environment!.Where(e => e.Name != "NODE_ENV")] } : c)],
        });
        Assert.Equal(1, await script.RunAsync(LocalHost(aws), "diff", "--exit-code"));
    }

    [Fact]
    public async Task Import_OfTheSeedAfterADeploy_WritesOllamaDiscoverySecretsAsReferencesRetentionAndTheBreaker()
    {
        var aws = SeedAfterDeploy();
        var text = await ImportAsync(LocalHost(aws));

        Assert.Contains("return await Pipeline.For(\"truecaller-backend\")", text);
        Assert.Contains(".InRegion(\"eu-central-1\")", text);
        Assert.Contains(".OnCluster(\"truecaller-backend-cluster\")", text);
        Assert.Contains(".WithOllama(o => o.Model(\"llama3.2:1b\").Timeout(TimeSpan.FromMilliseconds(30000)))", text);
        Assert.DoesNotContain(".Environment(\"OLLAMA_URL\"", text);
        Assert.Contains(".Environment(\"GREETING\", \"say \\\"hi\\\"\\\\n\")", text);
        Assert.Contains(".Secret(\"DATABASE_URL\", \"truecaller-backend/DATABASE_URL\")", text);
        Assert.Contains(".LogRetention(14)", text);
        Assert.Contains(".RollbackOnFailure())", text);
        Assert.Contains(".Push()", text);
        Assert.Contains("#:package EcsDeploy@", text);
        Assert.All(aws.SecretsManager.AllValues, value => Assert.DoesNotContain(value, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_OfTwoContainers_NamesTheContainer_AndWritesWhatItCannotExpressAsComments()
    {
        var aws = TwoContainers();
        var text = await ImportAsync(LocalHost(aws));

        Assert.Contains(".Container(\"truecaller-backend\")", text);
        Assert.Contains(".Secret(\"JWT_SECRET\", \"truecaller-backend/JWT_SECRET\")", text);
        Assert.Contains("//   - DB_PASSWORD reads JSON key 'password' of arn:aws:secretsmanager:", text);
        Assert.Contains("//   - container 'envoy' (public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod), not essential", text);
        Assert.Contains("//   - LEGACY_API_TOKEN is a plain variable that looks like a secret", text);
        Assert.DoesNotContain("not-a-real-token", text);
        Assert.DoesNotContain(".Secret(\"DB_PASSWORD\"", text);
    }

    [Theory]
    [MemberData(nameof(Worlds))]
    public async Task Import_ThroughTheWireClients_OnTheLocalAwsHost_RoundTrips(string world)
    {
        var aws = World(world);
        await using var local = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions { Speed = 0 }, CancellationToken.None);
        var script = new ImportedScript(await ImportAsync(WireHost(local), "--target", "aws"));

        if (world == "seed-after-deploy")
        {
            Assert.Contains(".Secret(\"REDIS_URL\", \"truecaller-backend/REDIS_URL\")", script.Text);
        }
        else
        {
            // Two containers: the deployed one named, the sidecar and the JSON-key secrets written as comments.
            Assert.Contains(".Container(\"truecaller-backend\")", script.Text);
            Assert.Contains(".Secret(\"JWT_SECRET\", \"truecaller-backend/JWT_SECRET\")", script.Text);
            Assert.Contains("//   - DB_PASSWORD reads JSON key 'password' of arn:aws:secretsmanager:", script.Text);
            Assert.Contains("//   - container 'envoy' (public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod), not essential", script.Text);
            Assert.All(aws.SecretsManager.AllValues, value => Assert.DoesNotContain(value, script.Text, StringComparison.Ordinal));
        }
        Assert.Empty(script.CompilerDiagnostics());
        var mutationsBefore = Mutations(aws);
        Assert.Equal(0, await script.RunAsync(WireHost(local), "diff", "--exit-code", "--target", "aws"));
        Assert.Equal(mutationsBefore, Mutations(aws));
        Assert.Contains(aws.Calls, c => c.Operation == "DescribeSecret");

        // Through the wire as well, the check can fail: a variable removed from the service is a difference (exit 1).
        var current = aws.Ecs.CurrentTaskDefinition(Cluster, Service);
        Deploy(aws, TaskDefinitions.TaskDefinitionRenderer.StripReadOnly(current) with
        {
            ContainerDefinitions = [.. current.ContainerDefinitions!.Select(c => c.Name == Family ? c with { Environment = [.. c.Environment!.Where(e => e.Name != "NODE_ENV")] } : c)],
        });
        Assert.Equal(1, await script.RunAsync(WireHost(local), "diff", "--exit-code", "--target", "aws"));
    }

    [Fact]
    public async Task Import_WritesTheFile_RefusesToOverwrite_AndAnUnknownServiceIsInvalid()
    {
        var aws = SeedAfterDeploy();
        var folder = Directory.CreateTempSubdirectory("ecsdeploy-import-").FullName;
        var file = Path.Combine(folder, "deploy.cs");
        var host = LocalHost(aws);

        var (code, stdout, stderr) = await RunAsync(host, "import", "--cluster", Cluster, "--service", Service, "--out", file);
        Assert.Equal(0, code);
        Assert.Contains("wrote " + file, stdout + stderr);
        Assert.StartsWith("#!/usr/bin/env dotnet", File.ReadAllText(file));

        (code, _, stderr) = await RunAsync(host, "import", "--cluster", Cluster, "--service", Service, "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("exists already", stderr);

        (code, _, stderr) = await RunAsync(host, "import", "--cluster", Cluster, "--service", "no-such-service");
        Assert.Equal(2, code);
        Assert.Contains("Service 'no-such-service' was not found", stderr);
    }

    private static string Describe(SimulatedSecretsManager secrets, string id)
        => secrets.DescribeSecretAsync(id, CancellationToken.None).GetAwaiter().GetResult().ARN;

    /// <summary>Registers <paramref name="definition"/> and rolls the service onto it.</summary>
    private static void Deploy(SimulatedAws aws, TaskDefinition definition)
    {
        var arn = aws.Ecs.Register(definition);
        aws.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = Service, TaskDefinition = arn }, CancellationToken.None).GetAwaiter().GetResult();
        aws.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(arn, aws.Ecs.Service(Cluster, Service).TaskDefinition);
    }

    private static IReadOnlyList<string> Mutations(SimulatedAws aws)
        => [.. aws.Calls.Where(c => c.Operation is "RegisterTaskDefinition" or "UpdateService" or "PutRetentionPolicy").Select(c => c.Operation)];

    /// <summary>A host whose --target local is <paramref name="aws"/>.</summary>
    private static PipelineHost LocalHost(SimulatedAws aws)
    {
        var host = new PipelineHost();
        host.Targets.Add("local", new LocalTarget(_ => aws));
        return host;
    }

    /// <summary>A host whose --target aws is the wire clients against <paramref name="local"/>.</summary>
    private static PipelineHost WireHost(LocalAwsHost local)
    {
        var host = new PipelineHost();
        host.Targets.Add("aws", new WireTarget(local));
        return host;
    }

    private sealed class WireTarget(LocalAwsHost local) : IDeploymentTarget
    {
        public Task<AwsEnvironment> CreateAsync(PipelineDefinition definition, HostOptions options, CancellationToken cancellationToken)
            => AwsWireEnvironment.CreateAsync(new AwsWireOptions
            {
                Region = local.Region,
                TimeProvider = TimeProvider.System,
                Credentials = new BasicAWSCredentials(local.AccessKeyId, local.SecretAccessKey),
                Environment = name => local.EnvironmentVariables.GetValueOrDefault(name),
                Terraform = local.Aws.Terraform,
            }, cancellationToken);
    }

    /// <summary>The importing script: any pipeline of the same region (import reads the service it is given).</summary>
    private static PipelineBuilder Importer() => Pipeline.For("importer").InRegion("eu-central-1").OnCluster(Cluster).Deploy(d => d.Service(Service));

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(PipelineHost host, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await host.RunAsync(Importer(), args, stdout, stderr, _ => null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<string> ImportAsync(PipelineHost host, params string[] extra)
    {
        var (code, stdout, stderr) = await RunAsync(host, ["import", "--cluster", Cluster, "--service", Service, .. extra]);
        Assert.True(code == 0, $"import exited {code}: {stderr}");
        return stdout;
    }
}
