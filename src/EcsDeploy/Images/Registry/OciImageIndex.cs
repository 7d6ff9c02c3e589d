using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>An image index (OCI) or manifest list (Docker): one manifest per platform.</summary>
/// <param name="SchemaVersion">Always 2.</param>
/// <param name="MediaType">The index's media type.</param>
/// <param name="Manifests">The manifests, each with its platform.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciImageIndex(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("manifests")] IReadOnlyList<OciDescriptor> Manifests,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null)
{
    /// <summary>Parses an index; throws <see cref="FormatException"/> when it is not an image index.</summary>
    public static OciImageIndex Parse(ReadOnlySpan<byte> json)
    {
        OciImageIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<OciImageIndex>(json, OciJson.Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The content is not a valid image index: " + ex.Message, ex);
        }
        if (index is null || index.SchemaVersion != 2 || index.Manifests is null)
        {
            throw new FormatException("The content is not an image index of schema version 2 with manifests.");
        }
        return index;
    }

    /// <summary>The canonical JSON bytes of this index.</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, OciJson.Options);
}
