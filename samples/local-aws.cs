#!/usr/bin/env dotnet
// A local AWS whose deployments really roll out: the simulated AWS, seeded like the seed's environment
// (truecaller-backend in eu-central-1), served over the real AWS wire protocols on 127.0.0.1. Any AWS CLI or
// SDK, and `dotnet run samples/deploy.cs -- --target aws`, can deploy to it and inspect it.
//
//   dotnet run samples/local-aws.cs -- --speed 10
//   dotnet run samples/local-aws.cs -- --port 4566 --fault unhealthy-tasks
//   dotnet run samples/local-aws.cs -- --fault http-503:0.1 --fault slow:0.05 --slow-delay 3
//
// Paste the printed export lines into another shell (ECSDEPLOY_TERRAFORM_STATE names a state file with the seed's
// Terraform outputs, from which deploy.cs takes its names), then for example:
//   aws ecs describe-services --cluster truecaller-backend-cluster --services truecaller-backend-service
//   dotnet run samples/deploy.cs -- --target aws
//   dotnet run samples/deploy-canary.cs -- --target aws
//   curl http://<alb dns name>/health          (HTTP_PROXY sends it through the host)
//
// Options:
//   --port N             the port on 127.0.0.1 (default: a free one)
//   --speed X            simulated seconds per wall second (default 1; 10 makes a 30 s health check take 3 s)
//   --fault NAME         a scenario of the simulated AWS: unhealthy-tasks, image-pull-failure, migration-failure,
//                        no-ollama, throttling (every third call of each operation)
//   --fault NAME[:SHARE] a fault between the processes on a share of the API calls (default 0.1):
//                        http-500, http-503, drop-connection, slow, and throttling:SHARE
//   --slow-delay S       how long a slow answer waits, in seconds (default 2)
// Stop with Ctrl+C. The state lives as long as the process: a deploy killed midway can be run again.
#:project ../src/EcsDeploy.Testing/EcsDeploy.Testing.csproj
#:property PublishAot=false

using System.Globalization;
using EcsDeploy.Testing;
using EcsDeploy.Testing.Hosting;

var port = 0;
var speed = 1.0;
var slowDelay = TimeSpan.FromSeconds(2);
var scenarios = new List<string>();
var hostFaults = new HostFaults();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--port":
                port = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
                break;
            case "--speed":
                speed = double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture);
                break;
            case "--slow-delay":
                slowDelay = TimeSpan.FromSeconds(double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture));
                break;
            case "--fault":
            {
                var value = Next();
                var colon = value.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? value : value[..colon];
                var hasShare = colon >= 0;
                var share = hasShare ? double.Parse(value[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture) : 0.1;
                if (FaultScenarios.Names.Contains(name) && !hasShare)
                {
                    scenarios.Add(name);
                }
                else if (HostFaults.Names.Contains(name))
                {
                    hostFaults = hostFaults.WithNamed(name, share);
                }
                else
                {
                    throw new ArgumentException($"Unknown fault '{name}': use one of {string.Join(", ", FaultScenarios.Names.Concat(HostFaults.Names).Distinct())}.");
                }
                break;
            }
            case "-h" or "--help":
                Console.Error.WriteLine("usage: dotnet run samples/local-aws.cs -- [--port N] [--speed X] [--fault NAME[:SHARE]]... [--slow-delay S]");
                return 0;
            default:
                throw new ArgumentException($"Unknown option '{args[i]}'.");
        }
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

// The seed's environment, plus what blue/green, linear and canary deployments need (samples/deploy-canary.cs): a second
// target group, production and test (port 8080) listener rules, the infrastructure role, and their Terraform outputs.
var aws = new SimulatedAws();
Seed.Apply(aws, SeedSpec.Truecaller with { TrafficShifting = true });
foreach (var scenario in scenarios)
{
    aws.Faults.Arm(scenario);
}
await using var host = await LocalAwsHost.StartAsync(aws, new LocalAwsHostOptions
{
    Port = port,
    Speed = speed,
    Faults = hostFaults with { SlowDelay = slowDelay },
}, CancellationToken.None);

// The seed's Terraform outputs, as a state file: deploy.cs (Pipeline.FromTerraform) reads its names from it on --target aws.
var stateFolder = Directory.CreateTempSubdirectory("local-aws-");
var statePath = Path.Combine(stateFolder.FullName, "terraform.tfstate");
await File.WriteAllTextAsync(statePath, aws.Terraform.ToStateJson());
foreach (var (name, value) in host.EnvironmentVariables.Concat(host.ProxyEnvironmentVariables).Append(new("ECSDEPLOY_TERRAFORM_STATE", statePath)))
{
    Console.WriteLine($"export {name}={value}");
}
Console.Out.Flush();
Console.Error.WriteLine($"# local AWS on {host.Endpoint} (region {host.Region}, account {aws.AccountId}), speed {speed.ToString(CultureInfo.InvariantCulture)}x");
foreach (var loadBalancer in (await aws.Elbv2.DescribeLoadBalancersAsync(null, null, null, CancellationToken.None)).LoadBalancers)
{
    Console.Error.WriteLine($"# load balancer {loadBalancer.LoadBalancerName}: http://{loadBalancer.DNSName}/ (through HTTP_PROXY, or curl -H 'Host: {loadBalancer.DNSName}' {host.Endpoint})");
}
if (scenarios.Count > 0 || hostFaults.Any)
{
    var shares = new[] { ("throttling", hostFaults.Throttling), ("http-500", hostFaults.Http500), ("http-503", hostFaults.Http503), ("drop-connection", hostFaults.DropConnection), ("slow", hostFaults.Slow) }
        .Where(f => f.Item2 > 0).Select(f => $"{f.Item1} on {(f.Item2 * 100).ToString("0.#", CultureInfo.InvariantCulture)}% of calls");
    Console.Error.WriteLine($"# faults: {string.Join(", ", scenarios.Concat(shares))}");
}
Console.Error.WriteLine("# serving; Ctrl+C to stop");

var stopped = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopped.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
await stopped.Task;
stateFolder.Delete(recursive: true);
var statistics = host.Statistics;
Console.Error.WriteLine($"# stopped: {statistics.ApiCalls} API calls, {statistics.RegistryRequests} registry requests, {statistics.LoadBalancerRequests} load balancer requests, {statistics.SignatureFailures} refused signatures, {statistics.FaultsInjected} injected faults");
return 0;
