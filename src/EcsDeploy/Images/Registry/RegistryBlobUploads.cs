using System.Net;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// The blob uploads of one <see cref="OciRegistryClient"/>: upload sessions (<c>POST /v2/NAME/blobs/uploads/</c>),
/// one monolithic PUT or PATCH chunks streamed from the caller's stream, cross-repository mounts, and the
/// clean-up of a session that failed. The registry verifies the digest named by the final PUT; the content is
/// hashed here only when the registry refuses it (or as it goes when it cannot be read twice): one hash of each
/// blob on the way, the registry's.
/// </summary>
/// <param name="auth">Sends the requests.</param>
/// <param name="errors">Turns unexpected answers into exceptions.</param>
/// <param name="options">Chunking settings.</param>
/// <param name="baseUri">The registry's base address.</param>
/// <param name="counters">The client's transfer counters.</param>
internal sealed class RegistryBlobUploads(RegistryAuthentication auth, RegistryErrors errors, OciRegistryClientOptions options, Uri baseUri, RegistryTransferCounters counters)
{
    private const string DigestHeader = "Docker-Content-Digest";

    /// <summary>Uploads a blob (monolithic or in chunks) and checks the digest of what was sent and what the registry stored.</summary>
    public async Task PushAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken)
    {
        const string operation = "PushBlob";

        using var source = new UploadSource(content, length, digest, counters);
        var location = await StartUploadAsync(operation, repository, cancellationToken).ConfigureAwait(false);
        var committed = false;
        try
        {
            HttpResponseMessage response;
            if (length <= options.ChunkedUploadThreshold)
            {
                var uri = WithDigest(location, digest);
                response = await auth.SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Put, uri) { Content = source.CreateContent(0, length) },
                    null, null, cancellationToken, replayable: source.Replayable).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    using (response)
                    {
                        await ThrowIfContentMismatchAsync(operation, repository, digest, source, response, cancellationToken).ConfigureAwait(false);
                        throw await errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                for (long offset = 0; offset < length;)
                {
                    var count = Math.Min(options.ChunkSize, length - offset);
                    var start = offset;
                    var chunkUri = location;
                    using var patch = await auth.SendAsync(operation, repository, () =>
                        {
                            var request = new HttpRequestMessage(HttpMethod.Patch, chunkUri) { Content = source.CreateContent(start, count) };
                            request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + count - 1}");
                            return request;
                        }, null, null, cancellationToken, replayable: source.Replayable).ConfigureAwait(false);
                    // The spec says 202; ECR answers 201 (aws/containers-roadmap#2831), so both pass and the Range decides.
                    if (patch.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created))
                    {
                        throw await errors.CreateAsync(operation, repository, patch, cancellationToken).ConfigureAwait(false);
                    }
                    EnsureRangeAdvanced(operation, repository, patch, start + count);
                    location = LocationOf(patch);
                    offset += count;
                }
                if (source.Complete && !string.Equals(source.Digest, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, source.Digest, "The blob content given");
                }
                var finishUri = WithDigest(location, digest);
                response = await auth.SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Put, finishUri) { Content = EmptyContent() },
                    null, null, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    using (response)
                    {
                        await ThrowIfContentMismatchAsync(operation, repository, digest, source, response, cancellationToken).ConfigureAwait(false);
                        throw await errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            using (response)
            {
                committed = true;
                if (source.Complete && !string.Equals(source.Digest, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, source.Digest, "The blob content given");
                }
                var stored = RegistryHttp.HeaderValue(response, DigestHeader);
                if (stored is not null && !string.Equals(stored, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, stored, "The blob the registry stored");
                }
            }
            counters.AddBlobUploaded();
        }
        catch when (!committed)
        {
            await CancelUploadAsync(repository, location, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The registry refused the upload (400: DIGEST_INVALID, or a registry that names it otherwise): when the content's
    /// digest can be known (hashed on the way, or read again) and is not the one named, that is the error to report.
    /// </summary>
    private static async Task ThrowIfContentMismatchAsync(string operation, string repository, string digest, UploadSource source, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.BadRequest
            && await source.ActualDigestAsync(cancellationToken).ConfigureAwait(false) is { } actual
            && !string.Equals(actual, digest, StringComparison.Ordinal))
        {
            throw new RegistryDigestMismatchException(operation, repository, digest, actual, "The blob content given");
        }
    }

    /// <summary>Mounts a blob of <paramref name="fromRepository"/>; false when the registry declined.</summary>
    public async Task<bool> MountAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken)
    {
        const string operation = "MountBlob";
        var uri = RegistryHttp.RepositoryUri(baseUri, repository, "blobs/uploads/?mount=" + Uri.EscapeDataString(digest) + "&from=" + Uri.EscapeDataString(fromRepository));
        using var response = await auth.SendAsync(operation, repository, () => PostEmpty(uri), ["repository:" + fromRepository + ":pull"], null, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Created:
                var stored = RegistryHttp.HeaderValue(response, DigestHeader);
                if (stored is not null && !string.Equals(stored, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, stored, "The mounted blob");
                }
                counters.AddBlobMounted();
                return true;
            case HttpStatusCode.Accepted:
                // The registry opened an ordinary upload session instead: close it, the caller uploads.
                await CancelUploadAsync(repository, LocationOf(response), cancellationToken).ConfigureAwait(false);
                return false;
            default:
                throw await errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Uri> StartUploadAsync(string operation, string repository, CancellationToken cancellationToken)
    {
        var uri = RegistryHttp.RepositoryUri(baseUri, repository, "blobs/uploads/");
        using var response = await auth.SendAsync(operation, repository, () => PostEmpty(uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        return LocationOf(response);
    }

    private async Task CancelUploadAsync(string repository, Uri location, CancellationToken cancellationToken)
    {
        try
        {
            // Best effort and brief: a failed push must not wait long on its clean-up.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var response = await auth.SendAsync("CancelUpload", repository, () => new HttpRequestMessage(HttpMethod.Delete, location), null, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or RegistryException or OperationCanceledException or IOException)
        {
            // Best effort: an abandoned session expires on the registry by itself.
        }
    }

    /// <summary>
    /// Checks the <c>Range: 0-LAST</c> answer of a PATCH: a registry that does not count the chunk just sent (ECR
    /// drops every chunk after the first, aws/containers-roadmap#2831) would otherwise only fail at the final PUT.
    /// </summary>
    private void EnsureRangeAdvanced(string operation, string repository, HttpResponseMessage response, long expectedLength)
    {
        var range = RegistryHttp.HeaderValue(response, "Range");
        if (range is null)
        {
            return;
        }
        var dash = range.LastIndexOf('-');
        if (dash < 0 || !long.TryParse(range.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last))
        {
            return;
        }
        if (last + 1 != expectedLength)
        {
            throw new RegistryException(operation, "RANGE_MISMATCH",
                $"after {expectedLength} bytes sent in chunks the registry {baseUri.Authority} acknowledged {last + 1}: it does not support chunked uploads; " +
                "use monolithic uploads for it (OciRegistryClientOptions.ChunkedUploadThreshold = long.MaxValue)",
                (int)response.StatusCode, repository);
        }
    }

    private Uri LocationOf(HttpResponseMessage response)
    {
        var location = response.Headers.Location
            ?? throw new RegistryException("PushBlob", "INVALID_RESPONSE", "the registry answered an upload request without a Location header", (int)response.StatusCode);
        return location.IsAbsoluteUri ? location : new Uri(baseUri, location);
    }

    private static Uri WithDigest(Uri location, string digest)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length == 0 ? "" : query + "&") + "digest=" + Uri.EscapeDataString(digest);
        return builder.Uri;
    }

    private static HttpRequestMessage PostEmpty(Uri uri) => new(HttpMethod.Post, uri) { Content = EmptyContent() };

    private static ByteArrayContent EmptyContent()
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentLength = 0;
        return content;
    }
}
