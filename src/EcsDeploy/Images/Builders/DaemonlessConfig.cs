using System.Text.Json.Nodes;
using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>The image config of a daemonless build: the base image's, with the Dockerfile's steps applied.</summary>
internal static class DaemonlessConfig
{
    private const string Epoch = "1970-01-01T00:00:00Z";

    /// <summary>
    /// The config: the base's (or an empty linux config), with ENV merged by name, CMD reset by a new ENTRYPOINT,
    /// WORKDIR, USER, EXPOSE, LABEL and STOPSIGNAL applied, rootfs.diff_ids = base + ours, history = base + ours,
    /// and a fixed creation time.
    /// </summary>
    public static JsonObject Merge(ParsedDockerfile dockerfile, FetchedBaseImage? baseImage, ImageReference? reference, string diffId, OciPlatform platform)
    {
        var root = baseImage is null
            ? new JsonObject { ["architecture"] = platform.Architecture, ["os"] = platform.Os }
            : JsonNode.Parse(baseImage.Config)!.AsObject();
        root.Remove("container");
        root.Remove("container_config");
        root["created"] = Epoch;
        var config = root["config"] as JsonObject ?? new JsonObject();
        root["config"] = config;

        var env = (config["Env"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
        var workdir = config["WorkingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : "/";
        var cmdSetHere = false;
        var history = root["history"] as JsonArray ?? [];
        root["history"] = history;
        foreach (var step in dockerfile.Steps)
        {
            switch (step)
            {
                case EnvStep e:
                    foreach (var (key, value) in e.Pairs)
                    {
                        var at = env.FindIndex(x => x.StartsWith(key + "=", StringComparison.Ordinal));
                        if (at >= 0)
                        {
                            env[at] = key + "=" + value;
                        }
                        else
                        {
                            env.Add(key + "=" + value);
                        }
                    }
                    break;
                case WorkdirStep wd:
                    workdir = "/" + UnixPath.Combine(workdir, wd.Path);
                    config["WorkingDir"] = workdir;
                    break;
                case CmdStep c:
                    config["Cmd"] = Strings(c.Command);
                    cmdSetHere = true;
                    break;
                case EntrypointStep ep:
                    config["Entrypoint"] = Strings(ep.Command);
                    if (!cmdSetHere)
                    {
                        config["Cmd"] = null; // docker: a new ENTRYPOINT drops the inherited CMD
                    }
                    break;
                case UserStep u:
                    config["User"] = u.User;
                    break;
                case StopSignalStep s:
                    config["StopSignal"] = s.Signal;
                    break;
                case ExposeStep x:
                    var ports = config["ExposedPorts"] as JsonObject ?? new JsonObject();
                    config["ExposedPorts"] = ports;
                    foreach (var port in x.Ports)
                    {
                        ports[port] = new JsonObject();
                    }
                    break;
                case LabelStep l:
                    var labels = config["Labels"] as JsonObject ?? new JsonObject();
                    config["Labels"] = labels;
                    foreach (var (key, value) in l.Pairs)
                    {
                        labels[key] = value;
                    }
                    break;
            }
            if (step is not (CopyStep or WorkdirStep))
            {
                history.Add(new JsonObject { ["created"] = Epoch, ["created_by"] = "ecsdeploy daemonless: " + step.Text, ["empty_layer"] = true });
            }
        }
        config["Env"] = Strings(env);
        var allLabels = config["Labels"] as JsonObject ?? new JsonObject();
        config["Labels"] = allLabels;
        if (baseImage is not null)
        {
            allLabels["org.opencontainers.image.base.name"] = baseImage.Reference.Original;
            allLabels["org.opencontainers.image.base.digest"] = baseImage.ManifestDigest;
        }
        else if (reference is not null)
        {
            // Never claim a base that was not used: this label says which FROM was left out.
            allLabels["io.ecsdeploy.base-image.not-applied"] = reference.Original;
        }
        var copies = dockerfile.Steps.Where(s => s is CopyStep or WorkdirStep).Select(s => s.Text).ToList();
        history.Add(new JsonObject
        {
            ["created"] = Epoch,
            ["created_by"] = "ecsdeploy daemonless: application layer (" + (copies.Count == 0 ? "empty" : string.Join("; ", copies)) + ")",
        });
        var rootfs = root["rootfs"] as JsonObject ?? new JsonObject { ["type"] = "layers" };
        var diffIds = rootfs["diff_ids"] as JsonArray ?? [];
        diffIds.Add(diffId);
        rootfs["diff_ids"] = diffIds;
        root["rootfs"] = rootfs;
        return root;
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
}
