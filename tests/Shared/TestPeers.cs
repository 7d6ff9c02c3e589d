// Linked into every test project by tests/Directory.Build.targets.
namespace EcsDeploy.TestSupport;

/// <summary>A program from outside .NET that some tests run as a real peer, and the Debian package that brings it.</summary>
internal sealed record TestPeer(string Program, string Package, string? FixedPath = null)
{
    public static readonly TestPeer DockerRegistry = new("docker-registry", "docker-registry");
    public static readonly TestPeer Htpasswd = new("htpasswd", "apache2-utils");
    public static readonly TestPeer Skopeo = new("skopeo", "skopeo");
    public static readonly TestPeer Buildah = new("buildah", "buildah");

    /// <summary>The AWS CLI v2 of Debian's awscli package (the pyenv Python's CLI v1 comes first on PATH, so by path).</summary>
    public static readonly TestPeer AwsCliV2 = new("aws", "awscli", "/usr/bin/aws");

    public static readonly TestPeer PgCtl = new("pg_ctl", "postgresql-15", "/usr/lib/postgresql/15/bin/pg_ctl");
    public static readonly TestPeer Npm = new("npm", "npm");
    public static readonly TestPeer Node = new("node", "nodejs");

    /// <summary>The command that installs this peer (every peer: <c>.ci/install-deps.sh</c>, run as root).</summary>
    public string InstallCommand => $"sudo bash .ci/install-deps.sh (or: sudo apt-get install -y --no-install-recommends {Package})";
}

/// <summary>
/// Finds the real peers the tests start. `dotnet test` installs them first (tests/Directory.Build.targets runs
/// .ci/install-deps.sh); where it could not (no root), a test that needs one fails here with the command to run.
/// Never a skip: a missing peer is a failed test.
/// </summary>
internal static class TestPeers
{
    /// <summary>The peer's full path; throws, naming the install command, when it is not installed.</summary>
    public static string Require(TestPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return Find(peer) ?? throw new InvalidOperationException(
            $"'{peer.Program}' (Debian package {peer.Package}) is not installed, and `dotnet test` could not install it "
            + $"(tests/Directory.Build.targets runs .ci/install-deps.sh, which needs root or passwordless sudo). Run: {peer.InstallCommand}");
    }

    /// <summary>Every peer's full path, in order; throws for the first that is missing.</summary>
    public static void RequireAll(params TestPeer[] peers)
    {
        foreach (var peer in peers)
        {
            Require(peer);
        }
    }

    /// <summary>The peer's full path, or null when it is not installed.</summary>
    public static string? Find(TestPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.FixedPath is { } fixedPath)
        {
            return File.Exists(fixedPath) ? fixedPath : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, peer.Program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
