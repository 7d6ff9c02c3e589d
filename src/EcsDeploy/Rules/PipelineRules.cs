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

    /// <summary>Environment variables of the deployed container.</summary>
    public static class EnvironmentRules
    {
        /// <summary>The message for a variable set twice (by .Environment or .Secret) in one deployment.</summary>
        public static string DuplicateVariable(string name)
        {
            return "Environment variable '" + name + "' is set twice: keep one .Environment(...) or .Secret(...) for it.";
        }
    }

    /// <summary>Hard-coded AWS credentials (access key ids and secret access keys) in a pipeline definition.</summary>
    public static class CredentialRules
    {
        private static readonly Regex AccessKeyId = new Regex(@"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", RegexOptions.CultureInvariant);
        private static readonly Regex SecretKey = new Regex(@"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant);

        /// <summary>Returns null when the text holds no AWS credential, else the problem and its fix.</summary>
        public static string? Check(string? text)
        {
            if (text == null || text.Length < 20)
            {
                return null;
            }
            Match keyId = AccessKeyId.Match(text);
            if (keyId.Success)
            {
                string id = keyId.Value;
                return "Hard-coded AWS access key id '" + id.Substring(0, 4) + "..." + id.Substring(id.Length - 4)
                    + "' in the pipeline definition: remove it (and deactivate the key); the default credential chain (environment, profile, role) supplies credentials.";
            }
            foreach (Match candidate in SecretKey.Matches(text))
            {
                if (LooksLikeSecretKey(candidate.Value))
                {
                    return "Hard-coded AWS secret access key in the pipeline definition: remove it (and rotate the key); the default credential chain (environment, profile, role) supplies credentials.";
                }
            }
            return null;
        }

        // 40 characters of the secret-key alphabet alone also match git SHAs and paths: a secret key mixes upper
        // case, lower case and digits, and is no plain hexadecimal string.
        private static bool LooksLikeSecretKey(string value)
        {
            bool upper = false, lower = false, digit = false, hexOnly = true;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c >= 'A' && c <= 'Z') upper = true;
                else if (c >= 'a' && c <= 'z') lower = true;
                else if (c >= '0' && c <= '9') digit = true;
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hexOnly = false;
            }
            return upper && lower && digit && !hexOnly;
        }
    }

    /// <summary>Image tags: a deployment must name an exact image.</summary>
    public static class ImageTagRules
    {
        private static readonly string[] MutableTags = { "latest", "stable", "main", "master", "dev", "develop", "edge", "nightly", "prod", "production", "staging" };

        /// <summary>Whether a tag is conventionally moved from image to image (such as 'latest').</summary>
        public static bool IsMutable(string tag)
        {
            for (int i = 0; i < MutableTags.Length; i++)
            {
                if (string.Equals(tag, MutableTags[i], StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>Returns null when at least one tag is immutable, else the problem and its fix.</summary>
        public static string? Check(IReadOnlyList<string> tags)
        {
            if (tags.Count == 0)
            {
                return null;
            }
            for (int i = 0; i < tags.Count; i++)
            {
                if (!IsMutable(tags[i])) return null;
            }
            var quoted = new string[tags.Count];
            for (int i = 0; i < tags.Count; i++) quoted[i] = "'" + tags[i] + "'";
            return "The image is tagged only with mutable tag(s) " + string.Join(", ", quoted)
                + ": add an immutable tag, such as .Tags(PushOptions.GitSha, \"" + tags[0] + "\"), so that the deployment names an exact image.";
        }
    }

    /// <summary>The Ollama stage: model reference and timeout.</summary>
    public static class OllamaRules
    {
        private static readonly Regex ModelReference = new Regex(
            @"^([A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?/)*[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$",
            RegexOptions.CultureInvariant);

        /// <summary>Returns null for a well-formed model reference (name[:tag], optionally namespace/name), else the problem.</summary>
        public static string? CheckModel(string? model)
        {
            if (model != null && model.Length <= 256 && ModelReference.IsMatch(model))
            {
                return null;
            }
            return "Ollama model '" + model + "' is not a model reference: use name[:tag], such as 'llama3.2:1b'.";
        }

        /// <summary>
        /// Returns null for a usable timeout, else the problem. <paramref name="deployWait"/> is the deployment's
        /// wait timeout; null means the default (<see cref="DeployRules.DefaultWaitTimeout"/>).
        /// </summary>
        public static string? CheckTimeout(TimeSpan timeout, TimeSpan? deployWait)
        {
            if (timeout <= TimeSpan.Zero)
            {
                return "Ollama timeout " + DeployRules.Describe(timeout) + " is not positive: give a timeout such as TimeSpan.FromSeconds(30).";
            }
            TimeSpan wait = deployWait ?? DeployRules.DefaultWaitTimeout;
            if (timeout > wait)
            {
                return "Ollama timeout " + DeployRules.Describe(timeout) + " is longer than the deployment wait of " + DeployRules.Describe(wait)
                    + ": a request could outlive the deployment check; shorten the timeout or raise .WaitTimeout(...) in .Deploy(...).";
            }
            return null;
        }
    }

    /// <summary>The deployment's safety nets: waiting, the circuit breaker and rollback.</summary>
    public static class DeployRules
    {
        /// <summary>How long a deployment is waited for when WaitTimeout is not set.</summary>
        public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(10);

        /// <summary>The message for a circuit breaker turned off.</summary>
        public static string CircuitBreakerOff()
        {
            return "The deployment circuit breaker is turned off: a failing deployment keeps replacing tasks until the wait times out; remove .CircuitBreaker(false).";
        }

        /// <summary>The message for rollback turned off.</summary>
        public static string RollbackOff()
        {
            return "Rollback on failure is turned off: a failed deployment stays on the broken revision; remove .RollbackOnFailure(false).";
        }

        /// <summary>The message for verification configured while the deployment is not waited for.</summary>
        public static string VerifyWithoutWait()
        {
            return "Verify is configured but the deployment is not waited for (.Wait(false)): verification would test the old revision; remove .Wait(false) or the Verify stage.";
        }

        /// <summary>A time span in words for messages: '30 s', '10 min', '2 h', '1500 ms'.</summary>
        public static string Describe(TimeSpan value)
        {
            long ms = (long)value.TotalMilliseconds;
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            if (ms != 0 && ms % 3600000 == 0) return (ms / 3600000).ToString(culture) + " h";
            if (ms != 0 && ms % 60000 == 0) return (ms / 60000).ToString(culture) + " min";
            if (ms % 1000 == 0) return (ms / 1000).ToString(culture) + " s";
            return ms.ToString(culture) + " ms";
        }
    }
}
