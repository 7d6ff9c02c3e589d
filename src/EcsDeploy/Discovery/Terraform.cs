using System.Text.Json;
using EcsDeploy.Aws;
using EcsDeploy.Processes;

namespace EcsDeploy.Discovery;

/// <summary>Where Terraform outputs are read from, and which outputs the pipeline expects.</summary>
public sealed class TerraformSettings
{
    private readonly List<string> _requiredOutputs = [];
    private bool _frozen;

    /// <summary>A local state file (format version 4), relative to the working directory.</summary>
    public string? StateFilePath { get; private set; }

    /// <summary>A folder in which to run <c>terraform output -json</c>, where the binary exists.</summary>
    public string? ProjectDirectory { get; private set; }

    /// <summary>Outputs that must exist; all missing ones are listed at once.</summary>
    public IReadOnlyList<string> RequiredOutputs => _requiredOutputs;

    /// <summary>Reads outputs from a state file.</summary>
    public TerraformSettings StateFile(string path)
    {
        EnsureMutable();
        StateFilePath = path;
        return this;
    }

    /// <summary>Reads outputs with <c>terraform output -json</c> in this folder.</summary>
    public TerraformSettings Project(string directory)
    {
        EnsureMutable();
        ProjectDirectory = directory;
        return this;
    }

    /// <summary>Requires these outputs to exist (the seed's six: see <see cref="SeedOutputs"/>).</summary>
    public TerraformSettings Require(params string[] outputs)
    {
        EnsureMutable();
        _requiredOutputs.AddRange(outputs);
        return this;
    }

    /// <summary>The outputs the seed's Terraform state must contain.</summary>
    public static readonly IReadOnlyList<string> SeedOutputs =
        ["ollama_alb_dns_name", "ecr_repository_url", "ecr_ollama_repository_url", "ecs_cluster_name", "ecs_service_name", "ollama_service_name"];

    internal TerraformSettings Freeze()
    {
        var copy = new TerraformSettings { StateFilePath = StateFilePath, ProjectDirectory = ProjectDirectory, _frozen = true };
        copy._requiredOutputs.AddRange(_requiredOutputs);
        return copy;
    }

    internal void Validate(ICollection<string> problems)
    {
        if (StateFilePath is not null && ProjectDirectory is not null)
        {
            problems.Add("Terraform: both a state file and a project folder are set: choose one source of outputs.");
        }
    }

    private void EnsureMutable()
    {
        if (_frozen)
        {
            throw new InvalidOperationException("These Terraform settings belong to a built pipeline and cannot change.");
        }
    }
}

/// <summary>Checks, before any change, that every required Terraform output exists; lists all missing ones at once.</summary>
internal static class TerraformOutputCheck
{
    public static async Task CheckAsync(TerraformSettings settings, ITerraformOutputs? source, CancellationToken cancellationToken)
    {
        if (settings.RequiredOutputs.Count == 0)
        {
            return;
        }
        if (source is null)
        {
            throw new PipelineStageException(
                $"Terraform outputs {string.Join(", ", settings.RequiredOutputs)} are required, but no Terraform source is set: call .WithTerraform(t => t.StateFile(path)) or t.Project(folder).",
                FailureKind.Invalid);
        }
        var outputs = await source.ReadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new PipelineStageException($"Terraform outputs are required, but {source.Source} does not exist: run terraform apply, or fix the path.", FailureKind.Invalid);
        var missing = settings.RequiredOutputs.Where(name => !outputs.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new PipelineStageException(
                $"{source.Source} lacks the output(s) {string.Join(", ", missing)}: add them to your Terraform configuration (output \"{missing[0]}\" {{ value = ... }}) and run terraform apply.",
                FailureKind.Invalid);
        }
    }
}

/// <summary>Reads outputs from a Terraform state file (format version 4: <c>outputs.NAME.value</c>).</summary>
public sealed class TerraformStateFile(string path) : ITerraformOutputs
{
    /// <inheritdoc />
    public string Source => $"terraform state file {path}";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        await using var stream = File.OpenRead(path);
        return Parse(await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false), Source);
    }

    /// <summary>Parses state JSON (version 4) into outputs.</summary>
    public static IReadOnlyDictionary<string, TerraformOutput> Parse(JsonDocument state, string source)
    {
        ArgumentNullException.ThrowIfNull(state);
        var root = state.RootElement;
        if (root.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number && version.GetInt32() != 4)
        {
            throw new PipelineStageException($"{source} has state format version {version.GetInt32()}; EcsDeploy reads version 4 (Terraform 0.12 and later).", FailureKind.Invalid);
        }
        var outputs = new Dictionary<string, TerraformOutput>(StringComparer.Ordinal);
        if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var output in outputsElement.EnumerateObject())
            {
                var sensitive = output.Value.TryGetProperty("sensitive", out var s) && s.ValueKind == JsonValueKind.True;
                if (output.Value.TryGetProperty("value", out var value))
                {
                    outputs[output.Name] = new TerraformOutput(value.Clone(), sensitive);
                }
            }
        }
        return outputs;
    }
}

/// <summary>Reads outputs with <c>terraform output -json</c>, where the terraform binary and the folder exist (else: no outputs).</summary>
public sealed class TerraformCommandOutputs(string directory, ProcessRunner runner) : ITerraformOutputs
{
    /// <inheritdoc />
    public string Source => $"terraform output -json in {directory}";

    /// <summary>The terraform program (default: found on PATH); tests give a stand-in.</summary>
    internal string Program { get; init; } = "terraform";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!ProcessRunner.IsOnPath(Program) || !Directory.Exists(directory))
        {
            return null;
        }
        var result = await runner.RunAsync(new CommandSpec(Program, ["output", "-json"], directory), null, cancellationToken).ConfigureAwait(false);
        using var json = JsonDocument.Parse(result.StandardOutput);
        var outputs = new Dictionary<string, TerraformOutput>(StringComparer.Ordinal);
        foreach (var output in json.RootElement.EnumerateObject())
        {
            var sensitive = output.Value.TryGetProperty("sensitive", out var s) && s.ValueKind == JsonValueKind.True;
            outputs[output.Name] = new TerraformOutput(output.Value.GetProperty("value").Clone(), sensitive);
        }
        return outputs;
    }
}
