using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>What <see cref="OciImagePusher.PushImageAsync"/> did.</summary>
/// <param name="Digest">The manifest digest.</param>
/// <param name="Tags">The tags put.</param>
/// <param name="BlobsUploaded">Blobs whose bytes were sent.</param>
/// <param name="BlobsSkipped">Blobs the repository already held.</param>
/// <param name="BlobsMounted">Blobs mounted from another repository.</param>
public sealed record ImagePushResult(string Digest, IReadOnlyList<string> Tags, int BlobsUploaded, int BlobsSkipped, int BlobsMounted);
