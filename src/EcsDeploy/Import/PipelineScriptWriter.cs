using System.Globalization;
using System.Text;

namespace EcsDeploy.Import;

/// <summary>
/// Writes an <see cref="ImportedService"/> as a file-based C# pipeline script (<c>dotnet run deploy.cs</c>): the
/// <c>#:package</c> (or <c>#:project</c>) directives, a header comment with what stays as it runs and what the pipeline
/// cannot express, and one <c>Pipeline.For(...)</c> expression that ends with <c>RunAsync(args)</c>.
/// </summary>
internal static class PipelineScriptWriter
{
    /// <summary>The script text. <paramref name="projects"/> replace the package directives with <c>#:project</c> ones.</summary>
    public static string Write(ImportedService service, IReadOnlyList<string> projects, string packageVersion)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/usr/bin/env dotnet");
        text.AppendLine(CultureInfo.InvariantCulture, $"// Deploys {service.Service} in cluster {service.Cluster} ({service.Region}) as it runs now: written by `import`.");
        text.AppendLine("//   dotnet run deploy.cs -- diff --exit-code --target aws    (no difference right after the import)");
        text.AppendLine("//   dotnet run deploy.cs -- verify --target aws");
        text.AppendLine("//   dotnet run deploy.cs -- --dry-run --target aws");
        if (projects.Count > 0)
        {
            foreach (var project in projects)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"#:project {project}");
            }
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"#:package EcsDeploy@{packageVersion}");
            text.AppendLine(CultureInfo.InvariantCulture, $"#:package EcsDeploy.Testing@{packageVersion}");
        }
        text.AppendLine("#:property PublishAot=false");
        text.AppendLine();
        if (service.Kept.Count > 0)
        {
            text.AppendLine("// Kept as the service runs them (the pipeline does not change them; Terraform or the console does):");
            foreach (var line in service.Kept)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"//   - {line}");
            }
        }
        if (service.NotExpressible.Count > 0)
        {
            text.AppendLine("// Not expressible in the pipeline, so kept as they run:");
            foreach (var line in service.NotExpressible)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"//   - {line}");
            }
        }
        text.AppendLine("// The image: built from the Dockerfile beside this script and pushed to ECR; deploy an existing tag with --image-tag TAG.");
        text.AppendLine();
        text.AppendLine("using EcsDeploy;");
        text.AppendLine();
        if (!service.CircuitBreaker || !service.Rollback)
        {
            text.AppendLine("// The live service runs without the circuit breaker or its rollback: reproduced as it is (ED0010 would warn).");
            text.AppendLine("#pragma warning disable ED0010");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"return await Pipeline.For({Literal(service.PipelineName)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"    .InRegion({Literal(service.Region)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"    .OnCluster({Literal(service.Cluster)})");
        text.AppendLine("    .Build(b => b.Image(\"Dockerfile\"))");
        text.AppendLine(service.Repository is { } repository && repository != service.PipelineName
            ? $"    .Push(p => p.Repository({Literal(repository)}))"
            : "    .Push()");
        if (service.Ollama is { } ollama)
        {
            var options = new List<string>();
            if (ollama.Model is { } model)
            {
                options.Add($".Model({Literal(model)})");
            }
            if (ollama.Timeout is { } timeout)
            {
                options.Add($".Timeout(TimeSpan.FromMilliseconds({timeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}))");
            }
            if (ollama.LoadBalancerNameContains is { } lb)
            {
                options.Add($".LoadBalancerNameContains({Literal(lb)})");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"    // OLLAMA_URL runs as {ollama.Url}: the pipeline finds it again (Terraform output, then the load balancer).");
            text.AppendLine(options.Count == 0 ? "    .WithOllama()" : $"    .WithOllama(o => o{string.Concat(options)})");
        }
        text.AppendLine("    .Deploy(d => d");
        text.AppendLine(CultureInfo.InvariantCulture, $"        .Service({Literal(service.Service)})");
        if (service.Container is { } container)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"        .Container({Literal(container)})");
        }
        foreach (var (name, value) in service.Environment)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"        .Environment({Literal(name)}, {Literal(value)})");
        }
        foreach (var (name, secret) in service.Secrets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"        .Secret({Literal(name)}, {Literal(secret)})");
        }
        if (service.LogRetentionDays is { } days)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"        .LogRetention({days.ToString(CultureInfo.InvariantCulture)})");
        }
        if (!service.CircuitBreaker)
        {
            text.AppendLine("        .CircuitBreaker(false))");
        }
        else
        {
            text.AppendLine(service.Rollback ? "        .RollbackOnFailure())" : "        .RollbackOnFailure(false))");
        }
        text.AppendLine("    .RunAsync(args);");
        return text.ToString();
    }

    /// <summary>A C# string literal: a regular one with escapes (quotes, backslashes, control characters).</summary>
    internal static string Literal(string value)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': literal.Append("\\\""); break;
                case '\\': literal.Append("\\\\"); break;
                case '\n': literal.Append("\\n"); break;
                case '\r': literal.Append("\\r"); break;
                case '\t': literal.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        literal.Append(c);
                    }
                    break;
            }
        }
        return literal.Append('"').ToString();
    }
}
