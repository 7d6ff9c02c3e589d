namespace EcsDeploy.Images.Registry;

/// <summary>What <see cref="OciRegistryClient.PingAsync"/> learnt about a registry.</summary>
/// <param name="ApiVersion">The <c>Docker-Distribution-API-Version</c> header, for example <c>registry/2.0</c>.</param>
/// <param name="AuthScheme">The authentication scheme the registry asked for (<c>Basic</c>, <c>Bearer</c>), or null when it asked for none.</param>
public sealed record RegistryPingResult(string? ApiVersion, string? AuthScheme);
