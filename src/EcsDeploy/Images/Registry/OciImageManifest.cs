using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace EcsDeploy.Images.Registry;

/// <summary>An image manifest (OCI or Docker schema 2): a config and ordered layers.</summary>
/// <param name="SchemaVersion">Always 2.</param>
/// <param name="MediaType">The manifest's media type.</param>
/// <param name="Config">The image config.</param>
/// <param name="Layers">The layers, base first.</param>
/// <param name="Annotations">Optional annotations.</param>
public sealed record OciImageManifest(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("config")] OciDescriptor Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<OciDescriptor> Layers,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations = null)
{
    /// <summary>Parses a manifest; throws <see cref="FormatException"/> when it is not an image manifest.</summary>
    public static OciImageManifest Parse(ReadOnlySpan<byte> json)
    {
        OciImageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<OciImageManifest>(json, OciJson.Options);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The content is not a valid image manifest: " + ex.Message, ex);
        }
        if (manifest is null || manifest.SchemaVersion != 2 || manifest.Config is null || manifest.Layers is null)
        {
            throw new FormatException("The content is not an image manifest of schema version 2 with a config and layers.");
        }
        return manifest;
    }

    /// <summary>The canonical JSON bytes of this manifest (the bytes whose digest names it once pushed).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, OciJson.Options);
}
