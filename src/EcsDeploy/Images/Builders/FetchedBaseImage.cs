using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>A base image fetched from its registry: its manifest and config read, its layers left there.</summary>
internal sealed record FetchedBaseImage(ImageReference Reference, string ManifestDigest, OciImageManifest Manifest, byte[] Config, OciRegistryClient Client);
