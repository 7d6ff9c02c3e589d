using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EcsDeploy.Aws;
using Microsoft.AspNetCore.Http;

namespace EcsDeploy.Testing.Hosting;

/// <summary>
/// The OCI distribution API (registry HTTP API v2) of the simulated ECR registry: blobs (HEAD, GET, monolithic
/// and chunked uploads, cross-repository mounts) and manifests (PUT, GET, HEAD), behind basic auth with user
/// <c>AWS</c> and the password of ECR's GetAuthorizationToken, as ECR's registry does.
/// </summary>
internal sealed class RegistryEndpoint(SimulatedAws aws)
{
    private readonly ConcurrentDictionary<string, (string Repository, MemoryStream Data)> _uploads = new(StringComparer.Ordinal);

    /// <summary>Answers one request whose path starts with <c>/v2/</c> (or is <c>/v2</c>).</summary>
    public async Task HandleAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        if (!Authorized(request))
        {
            response.Headers.WWWAuthenticate = $"Basic realm=\"https://{aws.Ecr.Host}/\",service=\"ecr.amazonaws.com\"";
            await ErrorAsync(response, 401, "UNAUTHORIZED", "authentication required", cancellationToken).ConfigureAwait(false);
            return;
        }
        var path = request.Path.Value ?? "/v2/";
        if (path is "/v2" or "/v2/")
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            await response.WriteAsync("{}", cancellationToken).ConfigureAwait(false);
            return;
        }
        var rest = path["/v2/".Length..];
        try
        {
            if (Split(rest, "/blobs/uploads") is { } uploadName)
            {
                var uploadId = rest[(uploadName.Length + "/blobs/uploads".Length)..].Trim('/');
                await UploadAsync(context, uploadName, uploadId, cancellationToken).ConfigureAwait(false);
            }
            else if (Split(rest, "/blobs/") is { } blobName)
            {
                await BlobAsync(context, blobName, rest[(blobName.Length + "/blobs/".Length)..], cancellationToken).ConfigureAwait(false);
            }
            else if (Split(rest, "/manifests/") is { } manifestName)
            {
                await ManifestAsync(context, manifestName, rest[(manifestName.Length + "/manifests/".Length)..], cancellationToken).ConfigureAwait(false);
            }
            else if (rest.EndsWith("/tags/list", StringComparison.Ordinal))
            {
                await TagsAsync(context, rest[..^"/tags/list".Length], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ErrorAsync(response, 404, "UNSUPPORTED", $"no route for {request.Method} {path}", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AwsServiceException ex)
        {
            var (status, code) = ex.ErrorCode switch
            {
                "RepositoryNotFoundException" => (404, "NAME_UNKNOWN"),
                "DIGEST_INVALID" => (400, "DIGEST_INVALID"),
                "MANIFEST_BLOB_UNKNOWN" or "LayersNotFoundException" => (400, "MANIFEST_BLOB_UNKNOWN"),
                "ImageTagAlreadyExistsException" => (400, "TAG_INVALID"),
                "ThrottlingException" => (429, "TOOMANYREQUESTS"),
                _ => (400, "UNSUPPORTED"),
            };
            await ErrorAsync(response, status, code, ex.ErrorMessage, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var expected = "AWS:" + aws.Ecr.Registry.Password;
            return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), Encoding.UTF8.GetBytes(expected));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private async Task UploadAsync(HttpContext context, string repository, string uploadId, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        switch (request.Method)
        {
            case "POST" when uploadId.Length == 0:
            {
                string? mount = request.Query["mount"];
                string? from = request.Query["from"];
                if (mount is not null && from is not null && TryMount(repository, mount, from))
                {
                    response.StatusCode = 201;
                    response.Headers.Location = $"/v2/{repository}/blobs/{mount}";
                    response.Headers["Docker-Content-Digest"] = mount;
                    return;
                }
                _ = aws.Ecr.Repository(repository, "InitiateLayerUpload");
                string? digest = request.Query["digest"];
                var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
                if (digest is not null)
                {
                    await aws.Ecr.Registry.PushBlobAsync(repository, digest, new MemoryStream(body), body.Length, cancellationToken).ConfigureAwait(false);
                    BlobCreated(response, repository, digest);
                    return;
                }
                var id = Guid.NewGuid().ToString();
                var data = new MemoryStream();
                data.Write(body);
                _uploads[id] = (repository, data);
                UploadAccepted(response, repository, id, data.Length);
                return;
            }
            case "PATCH":
            {
                if (!_uploads.TryGetValue(uploadId, out var upload) || upload.Repository != repository)
                {
                    await ErrorAsync(response, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", cancellationToken).ConfigureAwait(false);
                    return;
                }
                var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
                lock (upload.Data)
                {
                    upload.Data.Write(body);
                }
                UploadAccepted(response, repository, uploadId, upload.Data.Length);
                return;
            }
            case "PUT":
            {
                if (!_uploads.TryRemove(uploadId, out var upload) || upload.Repository != repository)
                {
                    await ErrorAsync(response, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", cancellationToken).ConfigureAwait(false);
                    return;
                }
                string? digest = request.Query["digest"];
                if (digest is null)
                {
                    await ErrorAsync(response, 400, "DIGEST_INVALID", "digest missing", cancellationToken).ConfigureAwait(false);
                    return;
                }
                var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
                upload.Data.Write(body);
                var bytes = upload.Data.ToArray();
                await aws.Ecr.Registry.PushBlobAsync(repository, digest, new MemoryStream(bytes), bytes.Length, cancellationToken).ConfigureAwait(false);
                BlobCreated(response, repository, digest);
                return;
            }
            case "GET":
            {
                if (!_uploads.TryGetValue(uploadId, out var upload))
                {
                    await ErrorAsync(response, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", cancellationToken).ConfigureAwait(false);
                    return;
                }
                response.StatusCode = 204;
                response.Headers.Location = $"/v2/{repository}/blobs/uploads/{uploadId}";
                response.Headers["Range"] = $"0-{Math.Max(0, upload.Data.Length - 1)}";
                response.Headers["Docker-Upload-UUID"] = uploadId;
                return;
            }
            case "DELETE":
                _uploads.TryRemove(uploadId, out _);
                response.StatusCode = 204;
                return;
            default:
                await ErrorAsync(response, 405, "UNSUPPORTED", $"{request.Method} is not supported here", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private bool TryMount(string repository, string digest, string from)
    {
        lock (aws.Gate)
        {
            var target = aws.Ecr.Repository(repository, "MountBlob");
            try
            {
                var source = aws.Ecr.Repository(from, "MountBlob");
                if (source.Blobs.TryGetValue(digest, out var bytes))
                {
                    target.Blobs[digest] = bytes;
                    return true;
                }
            }
            catch (AwsServiceException)
            {
                // The source repository does not exist: fall back to an upload, as registries do.
            }
            return false;
        }
    }

    private async Task BlobAsync(HttpContext context, string repository, string digest, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Method is not ("GET" or "HEAD"))
        {
            await ErrorAsync(response, 405, "UNSUPPORTED", $"{request.Method} is not supported on blobs", cancellationToken).ConfigureAwait(false);
            return;
        }
        byte[]? bytes;
        aws.Enter("Registry", request.Method == "HEAD" ? "HeadBlob" : "GetBlob");
        lock (aws.Gate)
        {
            bytes = aws.Ecr.Repository(repository, "GetBlob").Blobs.GetValueOrDefault(digest);
        }
        if (bytes is null)
        {
            await ErrorAsync(response, 404, "BLOB_UNKNOWN", $"blob unknown to registry: {digest}", cancellationToken, head: request.Method == "HEAD").ConfigureAwait(false);
            return;
        }
        response.StatusCode = 200;
        response.ContentType = "application/octet-stream";
        response.ContentLength = bytes.Length;
        response.Headers["Docker-Content-Digest"] = digest;
        if (request.Method == "GET")
        {
            await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ManifestAsync(HttpContext context, string repository, string reference, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        switch (request.Method)
        {
            case "PUT":
            {
                var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
                var mediaType = request.ContentType ?? SimulatedEcr.MediaTypeOf(body);
                var digest = await aws.Ecr.Registry.PutManifestAsync(repository, reference, mediaType, body, cancellationToken).ConfigureAwait(false);
                if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest)
                {
                    await ErrorAsync(response, 400, "DIGEST_INVALID", $"manifest digest {digest} does not match {reference}", cancellationToken).ConfigureAwait(false);
                    return;
                }
                response.StatusCode = 201;
                response.Headers.Location = $"/v2/{repository}/manifests/{digest}";
                response.Headers["Docker-Content-Digest"] = digest;
                return;
            }
            case "GET" or "HEAD":
            {
                var manifest = await aws.Ecr.Registry.GetManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false);
                if (manifest is null)
                {
                    await ErrorAsync(response, 404, "MANIFEST_UNKNOWN", $"manifest unknown: {reference}", cancellationToken, head: request.Method == "HEAD").ConfigureAwait(false);
                    return;
                }
                response.StatusCode = 200;
                response.ContentType = manifest.MediaType;
                response.ContentLength = manifest.Content.Length;
                response.Headers["Docker-Content-Digest"] = manifest.Digest;
                if (request.Method == "GET")
                {
                    await response.Body.WriteAsync(manifest.Content, cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            default:
                await ErrorAsync(response, 405, "UNSUPPORTED", $"{request.Method} is not supported on manifests", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private async Task TagsAsync(HttpContext context, string repository, CancellationToken cancellationToken)
    {
        var tags = aws.Ecr.Images(repository).Values.SelectMany(t => t).Order(StringComparer.Ordinal).ToList();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object> { ["name"] = repository, ["tags"] = tags }), cancellationToken).ConfigureAwait(false);
    }

    private static void UploadAccepted(HttpResponse response, string repository, string id, long length)
    {
        response.StatusCode = 202;
        response.Headers.Location = $"/v2/{repository}/blobs/uploads/{id}";
        response.Headers["Docker-Upload-UUID"] = id;
        response.Headers["Range"] = $"0-{Math.Max(0, length - 1)}";
        response.ContentLength = 0;
    }

    private static void BlobCreated(HttpResponse response, string repository, string digest)
    {
        response.StatusCode = 201;
        response.Headers.Location = $"/v2/{repository}/blobs/{digest}";
        response.Headers["Docker-Content-Digest"] = digest;
        response.ContentLength = 0;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>The repository name before <paramref name="marker"/> (names may contain slashes), or null.</summary>
    private static string? Split(string rest, string marker)
    {
        var index = rest.LastIndexOf(marker, StringComparison.Ordinal);
        return index > 0 ? rest[..index] : null;
    }

    private static async Task ErrorAsync(HttpResponse response, int status, string code, string message, CancellationToken cancellationToken, bool head = false)
    {
        response.StatusCode = status;
        if (head)
        {
            return;
        }
        response.ContentType = "application/json";
        var body = JsonSerializer.Serialize(new { errors = new[] { new { code, message } } });
        await response.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
