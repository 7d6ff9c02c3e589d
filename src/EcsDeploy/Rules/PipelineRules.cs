// One rule source for run time and compile time. This file is compiled into EcsDeploy and linked into
// EcsDeploy.Analyzers (netstandard2.0), so it uses only what netstandard2.0 has: no records, no ranges,
// no newer BCL APIs. A mistake gets the same message from the analyzer and from PipelineBuilder.Build().
#nullable enable
using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace EcsDeploy.Rules
{
    /// <summary>The kinds of names AWS constrains.</summary>
    public enum AwsNameKind
    {
        /// <summary>The pipeline name given to Pipeline.For (used as the default family, container and repository).</summary>
        PipelineName,
        /// <summary>An AWS region.</summary>
        Region,
        /// <summary>An ECS cluster.</summary>
        Cluster,
        /// <summary>An ECS service.</summary>
        Service,
        /// <summary>A task-definition family.</summary>
        TaskFamily,
        /// <summary>A container in a task definition.</summary>
        Container,
        /// <summary>An ECR repository.</summary>
        EcrRepository,
        /// <summary>An image tag.</summary>
        ImageTag,
        /// <summary>An environment variable of a container.</summary>
        EnvironmentVariable,
    }

    /// <summary>AWS naming rules (ECS and ECR API models, botocore's partitions.json).</summary>
    public static class AwsNamingRules
    {
        private static readonly Regex EcsName = new Regex("^[A-Za-z0-9_-]{1,255}$", RegexOptions.CultureInvariant);
        private static readonly Regex Region = new Regex(@"^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$", RegexOptions.CultureInvariant);
        private static readonly Regex Repository = new Regex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant);
        private static readonly Regex Tag = new Regex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$", RegexOptions.CultureInvariant);
        private static readonly Regex EnvironmentVariable = new Regex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

        /// <summary>Checks a name; returns null when it is valid, else the problem and its fix.</summary>
        public static string? Check(AwsNameKind kind, string? value)
        {
            string what = Describe(kind);
            if (value == null || value.Length == 0)
            {
                return what + " is empty: give a name.";
            }
            switch (kind)
            {
                case AwsNameKind.PipelineName:
                case AwsNameKind.Cluster:
                case AwsNameKind.Service:
                case AwsNameKind.TaskFamily:
                case AwsNameKind.Container:
                    return EcsName.IsMatch(value) ? null
                        : what + " '" + value + "' is invalid: use 1-255 letters, digits, hyphens and underscores.";
                case AwsNameKind.Region:
                    return Region.IsMatch(value) ? null
                        : what + " '" + value + "' is invalid: use a region code such as 'eu-central-1'.";
                case AwsNameKind.EcrRepository:
                    return value.Length >= 2 && value.Length <= 256 && Repository.IsMatch(value) ? null
                        : what + " '" + value + "' is invalid: use 2-256 lowercase letters and digits, separated by '.', '_', '-' or '/'.";
                case AwsNameKind.ImageTag:
                    return Tag.IsMatch(value) ? null
                        : what + " '" + value + "' is invalid: use 1-300 letters, digits, '_', '.' and '-', not starting with '.' or '-'.";
                case AwsNameKind.EnvironmentVariable:
                    return EnvironmentVariable.IsMatch(value) ? null
                        : what + " '" + value + "' is invalid: use letters, digits and underscores, not starting with a digit.";
                default:
                    return null;
            }
        }

        /// <summary>How a kind of name is called in messages.</summary>
        public static string Describe(AwsNameKind kind)
        {
            switch (kind)
            {
                case AwsNameKind.PipelineName: return "Pipeline name";
                case AwsNameKind.Region: return "Region";
                case AwsNameKind.Cluster: return "Cluster name";
                case AwsNameKind.Service: return "Service name";
                case AwsNameKind.TaskFamily: return "Task-definition family";
                case AwsNameKind.Container: return "Container name";
                case AwsNameKind.EcrRepository: return "ECR repository name";
                case AwsNameKind.ImageTag: return "Image tag";
                case AwsNameKind.EnvironmentVariable: return "Environment variable name";
                default: return kind.ToString();
            }
        }
    }

    /// <summary>A stage's place in a pipeline: its name and the stages it must follow or precede.</summary>
    public sealed class StageOrder
    {
        /// <summary>Creates an ordering fact.</summary>
        public StageOrder(string name, IReadOnlyList<string> runsAfter, IReadOnlyList<string> runsBefore)
        {
            Name = name;
            RunsAfter = runsAfter;
            RunsBefore = runsBefore;
        }

        /// <summary>The stage name.</summary>
        public string Name { get; }
        /// <summary>Stages that, when present, must come before this one.</summary>
        public IReadOnlyList<string> RunsAfter { get; }
        /// <summary>Stages that, when present, must come after this one.</summary>
        public IReadOnlyList<string> RunsBefore { get; }
    }

    /// <summary>Checks stage order against the facts the stages declare.</summary>
    public static class StageOrderingRules
    {
        /// <summary>The message for a stage that comes after one it must precede.</summary>
        public static string OutOfOrder(string earlier, string later)
        {
            return "Stage '" + later + "' must run before '" + earlier + "': move ." + later + "(...) before ." + earlier + "(...).";
        }

        /// <summary>The message for a stage added twice.</summary>
        public static string Duplicate(string name)
        {
            return "Stage '" + name + "' is added twice: keep one ." + name + "(...) call and configure it there.";
        }

        /// <summary>Returns every ordering problem of the stages, in the order written.</summary>
        public static IReadOnlyList<string> Check(IReadOnlyList<StageOrder> stages)
        {
            var problems = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < stages.Count; i++)
            {
                if (!seen.Add(stages[i].Name))
                {
                    problems.Add(Duplicate(stages[i].Name));
                }
                for (int j = i + 1; j < stages.Count; j++)
                {
                    // Stage j is written after stage i. That is wrong when j declares it runs before i,
                    // or when i declares it runs after j.
                    if (Contains(stages[j].RunsBefore, stages[i].Name) || Contains(stages[i].RunsAfter, stages[j].Name))
                    {
                        problems.Add(OutOfOrder(stages[i].Name, stages[j].Name));
                    }
                }
            }
            return problems;
        }

        private static bool Contains(IReadOnlyList<string> list, string value)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (string.Equals(list[i], value, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Migration commands that must never run in a deploy pipeline (the seed: never migrate dev in CI).</summary>
    public static class MigrationRules
    {
        private static readonly string[][] Forbidden =
        {
            new[] { "migrate", "dev" },
            new[] { "migrate", "reset" },
            new[] { "db", "push" },
            new[] { "--accept-data-loss" },
            new[] { "--force-reset" },
        };

        /// <summary>Returns null for a deploy-safe command, else why it is refused and what to run instead.</summary>
        public static string? Check(IReadOnlyList<string> command)
        {
            for (int f = 0; f < Forbidden.Length; f++)
            {
                if (ContainsSequence(command, Forbidden[f]))
                {
                    return "Migration command '" + string.Join(" ", command) + "' is development-only ('" + string.Join(" ", Forbidden[f])
                        + "' can drop or rewrite data): use 'prisma migrate deploy', which applies committed migrations only.";
                }
            }
            return null;
        }

        private static bool ContainsSequence(IReadOnlyList<string> command, string[] sequence)
        {
            for (int i = 0; i + sequence.Length <= command.Count; i++)
            {
                bool match = true;
                for (int k = 0; k < sequence.Length && match; k++)
                {
                    match = string.Equals(command[i + k], sequence[k], StringComparison.Ordinal);
                }
                if (match)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Which environment variable names hold secrets and must come from Secrets Manager.</summary>
    public static class SecretRules
    {
        private static readonly string[] KnownSecretNames = { "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS_JSON" };
        private static readonly string[] SecretWords = { "SECRET", "PASSWORD", "TOKEN", "API_KEY", "PRIVATE_KEY" };

        /// <summary>Whether a variable of this name holds a secret.</summary>
        public static bool IsSecretName(string name)
        {
            string upper = name.ToUpperInvariant();
            for (int i = 0; i < KnownSecretNames.Length; i++)
            {
                if (upper == KnownSecretNames[i]) return true;
            }
            for (int i = 0; i < SecretWords.Length; i++)
            {
                if (upper.IndexOf(SecretWords[i], StringComparison.Ordinal) >= 0) return true;
            }
            return false;
        }

        /// <summary>The message for a secret given as a literal value.</summary>
        public static string LiteralSecret(string name)
        {
            return "Environment variable '" + name + "' looks like a secret but is given a literal value: use .Secret(\"" + name
                + "\", \"<secret name or ARN>\") so ECS injects it from Secrets Manager.";
        }
    }
}
