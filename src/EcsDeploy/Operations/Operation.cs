using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcsDeploy.Aws;
using EcsDeploy.Hosting;
using EcsDeploy.TaskDefinitions;

namespace EcsDeploy.Operations;

/// <summary>
/// What every day-2 command shares: the pipeline's service and cluster, a <see cref="PipelineContext"/> built from the
/// command's context, revision references resolved within the service's family, and the answer written as text or JSON.
/// Bad input (no Deploy stage, an unknown cluster, service or revision, a revision of another family) fails as
/// <see cref="FailureKind.Invalid"/> before any mutating call, naming the problem and the fix.
/// </summary>
internal sealed class Operation
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private string? _registryHost;

    private Operation(PipelineCommandContext command, string serviceName)
    {
        Command = command;
        ServiceName = serviceName;
        Context = new PipelineContext(command.Definition, command.Aws, command.Options.Host.ToRunOptions(command.Masker), command.Reporter, command.Masker)
        {
            CurrentStage = command.ParseResult.CommandResult.Command.Name,
        };
    }

    /// <summary>The command's context, as the host gave it.</summary>
    public PipelineCommandContext Command { get; }
    /// <summary>The context through which the public services (task definitions, rollouts, tasks) are reached.</summary>
    public PipelineContext Context { get; }
    /// <summary>The service the pipeline deploys.</summary>
    public string ServiceName { get; }
    /// <summary>The cluster.</summary>
    public string Cluster => Command.Definition.Cluster;
    /// <summary>ECS.</summary>
    public IEcsApi Ecs => Command.Aws.Ecs;
    /// <summary>True for <c>--output json</c>.</summary>
    public bool JsonOutput => Command.Options.Output == "json";
    /// <summary>True for <c>--dry-run</c>.</summary>
    public bool DryRun => Command.Options.Host.DryRun;

    /// <summary>The operation on the pipeline's deployed service; a pipeline without a Deploy stage is invalid input.</summary>
    public static Operation Open(PipelineCommandContext command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var service = command.Definition.DeployedService?.Target.Service;
        if (string.IsNullOrEmpty(service))
        {
            throw new PipelineStageException(
                $"Pipeline '{command.Definition.Name}' deploys no service, so '{command.ParseResult.CommandResult.Command.Name}' has nothing to act on: add .Deploy(d => d.Service(\"NAME\")).",
                FailureKind.Invalid);
        }
        return new Operation(command, service);
    }

    /// <summary>The value of one of the command's options.</summary>
    public T? Value<T>(System.CommandLine.Option<T> option) => Command.ParseResult.GetValue(option);

    /// <summary>The service and the revision it runs; an unknown cluster or service fails as invalid input.</summary>
    public async Task<RunningService> DescribeServiceAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Context.TaskDefinitions.DescribeServiceAsync(ServiceName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ClusterNotFoundException")
        {
            throw new PipelineStageException($"Cluster '{Cluster}' was not found in {Command.Definition.Region} ({Command.Aws.Description}): fix .OnCluster(...) or .InRegion(...), or create the cluster first.", FailureKind.Invalid);
        }
    }

    /// <summary>
    /// The revision <paramref name="reference"/> names (<c>41</c>, <c>family:41</c> or an ARN), which must be of
    /// <paramref name="family"/>; an unknown revision or one of another family fails as invalid input.
    /// </summary>
    public async Task<TaskDefinition> ResolveRevisionAsync(string reference, string family, CancellationToken cancellationToken)
    {
        var name = RevisionName(reference, family);
        var named = name[..name.LastIndexOf(':')];
        if (!string.Equals(named, family, StringComparison.Ordinal))
        {
            throw new PipelineStageException($"Revision '{reference}' is of family '{named}', but service '{ServiceName}' runs family '{family}': give a revision of {family} (list them with the 'revisions' command).", FailureKind.Invalid);
        }
        try
        {
            return (await Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest(name, IncludeTags: false), cancellationToken).ConfigureAwait(false)).TaskDefinition;
        }
        catch (AwsServiceException ex) when (ex.ErrorCode is "ClientException" or "InvalidParameterException")
        {
            throw new PipelineStageException($"Revision {name} does not exist ({ex.Message}): list the revisions of {family} with the 'revisions' command.", FailureKind.Invalid);
        }
    }

    /// <summary><c>family:revision</c> for a reference; a bare number is a revision of <paramref name="family"/>.</summary>
    public static string RevisionName(string reference, string family)
    {
        var text = reference.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number > 0 ? $"{family}:{number.ToString(CultureInfo.InvariantCulture)}"
                : throw new PipelineStageException($"Revision '{reference}' is not a revision number: revisions start at 1.", FailureKind.Invalid);
        }
        var shortName = text.StartsWith("arn:", StringComparison.Ordinal) ? text[(text.LastIndexOf('/') + 1)..] : text;
        var colon = shortName.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(shortName[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new PipelineStageException($"'{reference}' names no revision: give a number (41), family:revision ({family}:41) or a task-definition ARN.", FailureKind.Invalid);
        }
        return shortName;
    }

    /// <summary>The host of the target's image registry (ECR), for telling its images from other registries'; null when it cannot be opened.</summary>
    public async Task<string?> RegistryHostAsync(CancellationToken cancellationToken)
    {
        if (_registryHost is null)
        {
            try
            {
                _registryHost = (await Command.Aws.OpenRegistryAsync(cancellationToken).ConfigureAwait(false)).Host;
            }
            catch (Exception ex) when (ex is AwsServiceException or HttpRequestException or InvalidOperationException)
            {
                _registryHost = "";
            }
        }
        return _registryHost.Length == 0 ? null : _registryHost;
    }

    /// <summary>Writes <paramref name="result"/> as JSON on stdout (<c>--output json</c>), else its text lines.</summary>
    public async Task WriteAsync<T>(T result, Func<T, IEnumerable<string>> text)
    {
        var output = Command.Out;
        if (JsonOutput)
        {
            await output.WriteLineAsync(Command.Masker.Apply(JsonSerializer.Serialize(result, Json))).ConfigureAwait(false);
            return;
        }
        foreach (var line in text(result))
        {
            await output.WriteLineAsync(Command.Masker.Apply(line)).ConfigureAwait(false);
        }
    }

    /// <summary>Reports a progress line (stderr with <c>--output json</c>).</summary>
    public void Info(string message) => Context.Info(message);

    /// <summary>The short name of a task-definition ARN (<c>family:revision</c>).</summary>
    public static string Short(string? taskDefinitionArn) => Deployments.RolloutService.ShortName(taskDefinitionArn);

    /// <summary>The short id of a task ARN.</summary>
    public static string TaskId(string taskArn) => taskArn[(taskArn.LastIndexOf('/') + 1)..];
}
