using EcsDeploy.Aws;
using EcsDeploy.GitHub;
using EcsDeploy.Iam;

namespace EcsDeploy.Hosting;

/// <summary>The script host's commands that change nothing: --print-iam-policy and --emit-workflows.</summary>
internal static class CiCommands
{
    /// <summary>Prints the pipeline's policy, or <paramref name="command"/>'s (<c>--command NAME</c>); the roles, log groups and families are read from the target when it answers.</summary>
    public static async Task PrintIamPolicyAsync(PipelineDefinition definition, CommandLineOptions options, IDeploymentTarget? target, PipelineCommand? command, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var account = options.AccountId ?? IamScope.AccountPlaceholder;
        // Pipeline.FromTerraform: '*' stands for each name until the target's Terraform outputs give it.
        var scope = new IamScope(Discovery.TerraformNames.Wildcards(definition), account);
        if (target is not null)
        {
            try
            {
                var withoutFault = options.Host.Clone();
                withoutFault.Fault = null;
                var aws = await target.CreateAsync(definition, withoutFault, cancellationToken).ConfigureAwait(false);
                scope = new IamScope(await Discovery.TerraformNames.ResolveAsync(definition, aws.Terraform, cancellationToken).ConfigureAwait(false), account);
                scope = await IamPolicy.ResolveAsync(scope, aws, cancellationToken).ConfigureAwait(false);
                await stderr.WriteLineAsync($"IAM policy for '{definition.Name}'{(command is null ? "" : $" command {command.Name}")}: task roles, log groups and families read from {aws.Description}.").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AwsServiceException or HttpRequestException or PipelineStageException or InvalidOperationException or ArgumentException)
            {
                await stderr.WriteLineAsync($"note: could not read the running task definition ({ex.Message}); the policy allows any task role passed to ECS and the /ecs/* log groups"
                    + (definition.NamesFromTerraform ? ", and '*' for each name Terraform gives" : "") + ".").ConfigureAwait(false);
            }
        }
        await stdout.WriteLineAsync(command is null ? IamPolicy.For(scope) : IamPolicy.For(command.IamGrants(scope))).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the workflows under <paramref name="root"/>, naming the running script (file-based app) when it lies inside it.</summary>
    public static async Task EmitWorkflowsAsync(PipelineDefinition definition, string root, TextWriter stdout, CancellationToken cancellationToken)
    {
        var fullRoot = Path.GetFullPath(root);
        var deployScript = "samples/deploy.cs";
        if (AppContext.GetData("EntryPointFilePath") is string entryPoint && Path.GetFullPath(entryPoint) is var full
            && full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            deployScript = Path.GetRelativePath(fullRoot, full).Replace(Path.DirectorySeparatorChar, '/');
        }
        var prCheck = (Path.GetDirectoryName(deployScript) is { Length: > 0 } folder ? folder.Replace(Path.DirectorySeparatorChar, '/') + "/" : "") + "pr-check.cs";
        var settings = new WorkflowSettings
        {
            Region = definition.Region,
            DeployScript = deployScript,
            PrCheckScript = File.Exists(Path.Combine(fullRoot, prCheck)) ? prCheck : null,
        };
        var written = await GitHubWorkflows.WriteAsync(fullRoot, settings, cancellationToken).ConfigureAwait(false);
        foreach (var name in GitHubWorkflows.Render(settings).Keys)
        {
            var path = Path.Combine(fullRoot, ".github", "workflows", name);
            await stdout.WriteLineAsync($"{(written.Contains(path) ? "wrote    " : "unchanged")} {Path.GetRelativePath(fullRoot, path)}").ConfigureAwait(false);
        }
    }
}
