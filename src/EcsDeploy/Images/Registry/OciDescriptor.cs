using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>A content descriptor: what a manifest or index points at.</summary>
/// <param name="MediaType">The media type of the referenced content.</param>
/// <param name="Digest">The digest of the referenced content.</param>
/// <param name="Size">The size in bytes of the referenced content.</param>
/// <param name="Platform">For index entries: the platform of the manifest.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("platform")] OciPlatform? Platform = null,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null);
