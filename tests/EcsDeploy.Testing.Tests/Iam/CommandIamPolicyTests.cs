using System.Text.Json;
using EcsDeploy.Testing.Tests.Operations;

namespace EcsDeploy.Testing.Tests;

/// <summary>
/// <c>--print-iam-policy --command NAME</c>: each day-2 command's policy holds every action the command calls on the
/// simulated AWS, and the pipeline's policy holds Application Auto Scaling's only when Deploy suspends it.
/// </summary>
public sealed class CommandIamPolicyTests
{
    private static readonly Dictionary<string, string> Prefixes = new(StringComparer.Ordinal)
    {
        ["ECS"] = "ecs", ["ECR"] = "ecr", ["ELBv2"] = "elasticloadbalancing", ["SecretsManager"] = "secretsmanager",
        ["Logs"] = "logs", ["ApplicationAutoScaling"] = "application-autoscaling", ["IAM"] = "iam",
    };

    private static async Task<HashSet<string>> PolicyActionsAsync(DayTwo day2, PipelineBuilder pipeline, params string[] args)
    {
        var (code, stdout, stderr) = await day2.RunAsync(pipeline, ["--print-iam-policy", .. args]);
        Assert.True(code == 0, stderr);
        var actions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var statement in JsonDocument.Parse(stdout).RootElement.GetProperty("Statement").EnumerateArray())
        {
            var action = statement.GetProperty("Action");
            foreach (var name in action.ValueKind == JsonValueKind.Array ? action.EnumerateArray().Select(a => a.GetString()!) : [action.GetString()!])
            {
                actions.Add(name);
            }
        }
        return actions;
    }

    [Theory]
    [InlineData("status")]
    [InlineData("diff")]
    [InlineData("rollback", "--deregister-failed")]
    [InlineData("run", "--", "npm", "run", "seed")]
    [InlineData("revisions", "--all")]
    [InlineData("deregister", "--keep", "1", "--delete")]
    [InlineData("scale", "--count", "6", "--adjust-range")]
    public async Task EachCommandsPolicy_HoldsEveryActionTheCommandCalls(string command, params string[] args)
    {
        var day2 = new DayTwo();
        await day2.DeployAsync(day2.Register("v2"));
        day2.Register("v3");
        var policy = await PolicyActionsAsync(day2, DayTwo.Pipeline(d => d.SuspendAutoScaling()), "--command", command);
        var before = day2.Aws.Calls.Count;

        var (code, _, stderr) = await day2.RunAsync(DayTwo.Pipeline(d => d.SuspendAutoScaling()), [command, .. args]);

        Assert.True(code == 0, stderr);
        // Registry calls are the OCI API (ECR's GetAuthorizationToken covers them), not IAM actions.
        var called = day2.Aws.Calls.Skip(before).Where(c => c.Service != "Registry").Select(c => $"{Prefixes[c.Service]}:{c.Operation}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(called);
        var missing = called.Where(a => !policy.Contains(a)).ToList();
        Assert.True(missing.Count == 0, $"{command} calls {string.Join(", ", missing)}, which its policy lacks");
    }

    [Fact]
    public async Task RollbacksPolicy_IsItsOwn_NotThePipelineRuns()
    {
        var day2 = new DayTwo();

        var rollback = await PolicyActionsAsync(day2, DayTwo.Pipeline(), "--command", "rollback");
        var status = await PolicyActionsAsync(day2, DayTwo.Pipeline(), "--command", "status");
        var pipeline = await PolicyActionsAsync(day2, DayTwo.Pipeline());

        Assert.Contains("ecs:ListServiceDeployments", rollback);
        Assert.Contains("ecs:UpdateService", rollback);
        Assert.DoesNotContain("ecs:RegisterTaskDefinition", rollback);
        Assert.DoesNotContain("ecs:UpdateService", status);
        Assert.Contains("ecs:RegisterTaskDefinition", pipeline);
        Assert.DoesNotContain("ecs:ListServiceDeployments", pipeline);
    }

    [Fact]
    public async Task ThePipelinesPolicy_HoldsApplicationAutoScaling_OnlyWhenDeploySuspendsIt()
    {
        var day2 = new DayTwo();

        var suspending = await PolicyActionsAsync(day2, DayTwo.Pipeline(d => d.SuspendAutoScaling()));
        var plain = await PolicyActionsAsync(day2, DayTwo.Pipeline());

        Assert.Contains("application-autoscaling:DescribeScalableTargets", suspending);
        Assert.Contains("application-autoscaling:RegisterScalableTarget", suspending);
        Assert.DoesNotContain(plain, a => a.StartsWith("application-autoscaling:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--print-iam-policy", "--command", "launch" }, "no command named 'launch'")]
    [InlineData(new[] { "--command", "rollback" }, "add --print-iam-policy")]
    public async Task ABadCommandOption_ExitsTwo_NamingTheFix(string[] args, string reason)
    {
        var day2 = new DayTwo();

        var (code, _, stderr) = await day2.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
    }
}
