using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>The platform an image manifest in an index is built for.</summary>
/// <param name="Architecture">CPU architecture, for example <c>amd64</c> or <c>arm64</c>.</param>
/// <param name="Os">Operating system, for example <c>linux</c>.</param>
/// <param name="Variant">CPU variant, for example <c>v8</c>.</param>
public sealed record OciPlatform(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("variant")] string? Variant = null);
