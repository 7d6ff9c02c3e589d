namespace EcsDeploy.Images.Registry;

/// <summary>A user name and password (or ECR token) for a registry. <see cref="ToString"/> never shows the password.</summary>
public sealed class RegistryCredentials
{
    /// <summary>Creates credentials.</summary>
    public RegistryCredentials(string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        if (username.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A registry user name cannot contain ':' (basic authentication separates user and password with it).", nameof(username));
        }
        Username = username;
        Password = password;
    }

    /// <summary>The user name.</summary>
    public string Username { get; }

    /// <summary>The password or token. Never logged.</summary>
    public string Password { get; }

    /// <summary>The value of an <c>Authorization: Basic</c> header for these credentials.</summary>
    internal string BasicParameter => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Username + ":" + Password));

    /// <summary>The user name and a masked password.</summary>
    public override string ToString() => $"{Username}:***";
}
