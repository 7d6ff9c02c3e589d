using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

/// <summary>What <see cref="OciRegistryClient.PingAsync"/> learnt about a registry.</summary>
/// <param name="ApiVersion">The <c>Docker-Distribution-API-Version</c> header, for example <c>registry/2.0</c>.</param>
/// <param name="AuthScheme">The authentication scheme the registry asked for (<c>Basic</c>, <c>Bearer</c>), or null when it asked for none.</param>
public sealed record RegistryPingResult(string? ApiVersion, string? AuthScheme);

/// <summary>
/// A client of the OCI distribution spec (the registry HTTP API v2) for one registry: ECR, the CNCF registry,
/// or any other. Authenticates with basic credentials or the bearer-token challenge flow; uploads blobs
/// streaming from the caller's stream (monolithic or chunked, memory independent of the blob's size);
/// mounts blobs across repositories; reads and writes manifests and indexes; lists tags; verifies the digest
/// of everything it reads. Errors are <see cref="RegistryException"/>s; no message carries a password or token.
/// </summary>
public sealed class OciRegistryClient : IImageRegistry, IDisposable
{
    private const string DigestHeader = "Docker-Content-Digest";
    private static readonly string AcceptManifests = string.Join(", ", RegistryMediaTypes.ManifestTypes);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RegistryCredentials? _credentials;
    private readonly OciRegistryClientOptions _options;
    private readonly Uri _baseUri;
    private readonly ConcurrentDictionary<string, string> _bearerTokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private volatile bool _useBasic;

    /// <summary>Creates a client for <paramref name="registry"/>.</summary>
    /// <param name="registry">
    /// The registry: a host (<c>123456789012.dkr.ecr.eu-central-1.amazonaws.com</c>, <c>127.0.0.1:5000</c>) or a URL
    /// (<c>https://host</c>). Plain http is allowed for loopback hosts only; a loopback host without scheme uses http,
    /// any other host https.
    /// </param>
    /// <param name="credentials">Basic credentials, also used to obtain bearer tokens; null for anonymous access.</param>
    /// <param name="httpClient">The HttpClient to use (not disposed by this client); null to create one.</param>
    /// <param name="options">Upload and read settings; null for the defaults.</param>
    public OciRegistryClient(string registry, RegistryCredentials? credentials = null, HttpClient? httpClient = null, OciRegistryClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(registry);
        _options = options ?? new OciRegistryClientOptions();
        _options.Validate();
        _baseUri = ParseRegistry(registry);
        _credentials = credentials;
        if (httpClient is null)
        {
            _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            {
                Timeout = _options.RequestTimeout,
            };
            _ownsHttp = true;
        }
        else
        {
            _http = httpClient;
        }
    }

    /// <inheritdoc />
    public string Host => _baseUri.Authority;

    /// <summary>The registry's base address (scheme and authority).</summary>
    public Uri BaseAddress => _baseUri;

    /// <summary>Requests and bytes this client has sent and received.</summary>
    public RegistryTransferCounters Counters { get; } = new();

    /// <summary><c>GET /v2/</c>: checks that the registry speaks the distribution API and accepts the credentials.</summary>
    public async Task<RegistryPingResult> PingAsync(CancellationToken cancellationToken)
    {
        const string operation = "Ping";
        var uri = new Uri(_baseUri, "/v2/");
        string? scheme = null;
        using var response = await SendAsync(operation, null, () => new HttpRequestMessage(HttpMethod.Get, uri), null, s => scheme = s, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await CreateErrorAsync(operation, null, response, cancellationToken).ConfigureAwait(false);
        }
        var version = response.Headers.TryGetValues("Docker-Distribution-API-Version", out var values) ? values.FirstOrDefault() : null;
        return new RegistryPingResult(version, scheme ?? (_useBasic ? "Basic" : null));
    }

    /// <inheritdoc />
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        const string operation = "BlobExists";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciDigest.Validate(digest, nameof(digest));
        var uri = RepositoryUri(repository, "blobs/" + digest);
        using var response = await SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Head, uri), null, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Mounts a blob of <paramref name="fromRepository"/> into <paramref name="repository"/> without moving its bytes
    /// (<c>POST /v2/NAME/blobs/uploads/?mount=DIGEST&amp;from=OTHER</c>). Returns false when the registry declined
    /// (answered 202: the blob is not readable there, or the registry does not mount); the caller then uploads.
    /// </summary>
    public async Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken)
    {
        const string operation = "MountBlob";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciReference.ValidateRepository(fromRepository, nameof(fromRepository));
        OciDigest.Validate(digest, nameof(digest));
        var uri = RepositoryUri(repository, "blobs/uploads/?mount=" + Uri.EscapeDataString(digest) + "&from=" + Uri.EscapeDataString(fromRepository));
        using var response = await SendAsync(operation, repository, () => PostEmpty(uri), ["repository:" + fromRepository + ":pull"], null, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Created:
                var stored = HeaderValue(response, DigestHeader);
                if (stored is not null && !string.Equals(stored, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, stored, "The mounted blob");
                }
                Counters.AddBlobMounted();
                return true;
            case HttpStatusCode.Accepted:
                // The registry opened an ordinary upload session instead: close it, the caller uploads.
                await CancelUploadAsync(repository, LocationOf(response), cancellationToken).ConfigureAwait(false);
                return false;
            default:
                throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Always uploads (check <see cref="BlobExistsAsync"/> or <see cref="MountBlobAsync"/> first to skip the bytes).
    /// Reads <paramref name="length"/> bytes from <paramref name="content"/> in small buffers: blobs up to
    /// <see cref="OciRegistryClientOptions.ChunkedUploadThreshold"/> go in one PUT, larger ones in PATCH chunks of
    /// <see cref="OciRegistryClientOptions.ChunkSize"/>. The content is hashed while sent: when it does not match
    /// <paramref name="digest"/> the upload is cancelled with a <see cref="RegistryDigestMismatchException"/>.
    /// </remarks>
    public async Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken)
    {
        const string operation = "PushBlob";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciDigest.Validate(digest, nameof(digest));
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        using var source = new UploadSource(content, length, digest, Counters);
        var location = await StartUploadAsync(operation, repository, cancellationToken).ConfigureAwait(false);
        var committed = false;
        try
        {
            HttpResponseMessage response;
            if (length <= _options.ChunkedUploadThreshold)
            {
                var uri = WithDigest(location, digest);
                response = await SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Put, uri) { Content = source.CreateContent(0, length) },
                    null, null, cancellationToken, replayable: source.Replayable).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    using (response)
                    {
                        if (source.Complete && !string.Equals(source.Digest, digest, StringComparison.Ordinal))
                        {
                            throw new RegistryDigestMismatchException(operation, repository, digest, source.Digest, "The blob content given");
                        }
                        throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                for (long offset = 0; offset < length;)
                {
                    var count = Math.Min(_options.ChunkSize, length - offset);
                    var start = offset;
                    var chunkUri = location;
                    using var patch = await SendAsync(operation, repository, () =>
                        {
                            var request = new HttpRequestMessage(HttpMethod.Patch, chunkUri) { Content = source.CreateContent(start, count) };
                            request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + count - 1}");
                            return request;
                        }, null, null, cancellationToken, replayable: source.Replayable).ConfigureAwait(false);
                    // The spec says 202; ECR answers 201 (aws/containers-roadmap#2831), so both pass and the Range decides.
                    if (patch.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created))
                    {
                        throw await CreateErrorAsync(operation, repository, patch, cancellationToken).ConfigureAwait(false);
                    }
                    EnsureRangeAdvanced(operation, repository, patch, start + count);
                    location = LocationOf(patch);
                    offset += count;
                }
                if (!string.Equals(source.Digest, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, source.Digest, "The blob content given");
                }
                var finishUri = WithDigest(location, digest);
                response = await SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Put, finishUri) { Content = EmptyContent() },
                    null, null, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    using (response)
                    {
                        throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            using (response)
            {
                committed = true;
                if (!string.Equals(source.Digest, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, source.Digest, "The blob content given");
                }
                var stored = HeaderValue(response, DigestHeader);
                if (stored is not null && !string.Equals(stored, digest, StringComparison.Ordinal))
                {
                    throw new RegistryDigestMismatchException(operation, repository, digest, stored, "The blob the registry stored");
                }
            }
            Counters.AddBlobUploaded();
        }
        catch when (!committed)
        {
            await CancelUploadAsync(repository, location, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>GET /v2/NAME/blobs/DIGEST</c>: copies the blob into <paramref name="destination"/> while hashing it and
    /// returns its length. When the bytes do not match <paramref name="digest"/> a
    /// <see cref="RegistryDigestMismatchException"/> is thrown after the copy (discard what was written).
    /// </summary>
    public async Task<long> GetBlobAsync(string repository, string digest, Stream destination, CancellationToken cancellationToken)
    {
        const string operation = "GetBlob";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciDigest.Validate(digest, nameof(digest));
        ArgumentNullException.ThrowIfNull(destination);
        var uri = RepositoryUri(repository, "blobs/" + digest);
        using var response = await SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        using var hash = OciDigest.CreateHash(digest);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                Counters.AddBytesReceived(read);
            }
            var actual = OciDigest.Format(digest, hash.GetHashAndReset());
            if (!string.Equals(actual, digest, StringComparison.Ordinal))
            {
                throw new RegistryDigestMismatchException(operation, repository, digest, actual, "The blob read from the registry");
            }
            return total;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The digest returned is the sha256 of <paramref name="content"/>; when the registry names another digest,
    /// a <see cref="RegistryDigestMismatchException"/> is thrown. A <paramref name="reference"/> that is a digest must
    /// be the content's digest.
    /// </remarks>
    public async Task<string> PutManifestAsync(string repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        const string operation = "PutManifest";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciReference.ValidateReference(reference, nameof(reference));
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        var digest = OciDigest.IsValid(reference) ? OciDigest.ComputeLike(reference, content.Span) : OciDigest.Compute(content.Span);
        if (OciDigest.IsValid(reference) && !string.Equals(reference, digest, StringComparison.Ordinal))
        {
            throw new RegistryDigestMismatchException(operation, repository, reference, digest, "The manifest given");
        }
        var uri = RepositoryUri(repository, "manifests/" + reference);
        using var response = await SendAsync(operation, repository, () =>
        {
            var body = new ReadOnlyMemoryContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            body.Headers.ContentLength = content.Length;
            Counters.AddBytesSent(content.Length, blob: false);
            return new HttpRequestMessage(HttpMethod.Put, uri) { Content = body };
        }, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        var stored = HeaderValue(response, DigestHeader);
        if (stored is not null && !string.Equals(stored, digest, StringComparison.Ordinal))
        {
            throw new RegistryDigestMismatchException(operation, repository, digest, stored, "The manifest the registry stored");
        }
        return digest;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Accepts OCI manifests and indexes and Docker schema 2 manifests and manifest lists. The content's digest is
    /// verified against the reference (when a digest) or the registry's <c>Docker-Content-Digest</c> (when a tag).
    /// Returns null when the registry answers 404 (unknown manifest or repository).
    /// </remarks>
    public async Task<RegistryManifest?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        const string operation = "GetManifest";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciReference.ValidateReference(reference, nameof(reference));
        var uri = RepositoryUri(repository, "manifests/" + reference);
        using var response = await SendAsync(operation, repository, () => ManifestRequest(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        var bytes = await ReadLimitedAsync(operation, repository, response, _options.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var expected = OciDigest.IsValid(reference) ? reference : HeaderValue(response, DigestHeader);
        string digest;
        if (expected is not null && OciDigest.IsValid(expected))
        {
            digest = OciDigest.ComputeLike(expected, bytes);
            if (!string.Equals(digest, expected, StringComparison.Ordinal))
            {
                throw new RegistryDigestMismatchException(operation, repository, expected, digest, $"The manifest read for '{reference}'");
            }
            if (!expected.StartsWith("sha256:", StringComparison.Ordinal))
            {
                digest = OciDigest.Compute(bytes);
            }
        }
        else
        {
            digest = OciDigest.Compute(bytes);
        }
        return new RegistryManifest(MediaTypeOf(response, bytes), bytes, digest);
    }

    /// <summary>
    /// <c>HEAD /v2/NAME/manifests/REFERENCE</c>: the digest the registry gives for a tag or digest, or null when it
    /// does not exist. Moves no manifest bytes (the digest is the registry's word, not verified).
    /// </summary>
    public async Task<string?> GetManifestDigestAsync(string repository, string reference, CancellationToken cancellationToken)
    {
        const string operation = "HeadManifest";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciReference.ValidateReference(reference, nameof(reference));
        var uri = RepositoryUri(repository, "manifests/" + reference);
        using var response = await SendAsync(operation, repository, () => ManifestRequest(HttpMethod.Head, uri), null, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => HeaderValue(response, DigestHeader) ?? (OciDigest.IsValid(reference) ? reference : null),
            HttpStatusCode.NotFound => null,
            _ => throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Gives the manifest of <paramref name="sourceReference"/> the tag <paramref name="tag"/> in the same repository
    /// (reads the manifest, verifies it, puts the same bytes under the new tag: no blob traffic). Returns the digest.
    /// </summary>
    public async Task<string> TagAsync(string repository, string sourceReference, string tag, CancellationToken cancellationToken)
    {
        if (!OciReference.IsValidTag(tag))
        {
            throw new ArgumentException($"'{tag}' is not a valid tag.", nameof(tag));
        }
        var manifest = await GetManifestAsync(repository, sourceReference, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryException("Tag", "MANIFEST_UNKNOWN", $"manifest '{sourceReference}' not found in repository '{repository}'", 404, repository);
        return await PutManifestAsync(repository, tag, manifest.MediaType, manifest.Content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v2/NAME/tags/list</c>, following <c>Link</c> pagination: every tag of the repository.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken)
    {
        const string operation = "ListTags";
        OciReference.ValidateRepository(repository, nameof(repository));
        var tags = new List<string>();
        Uri? next = RepositoryUri(repository, "tags/list?n=" + _options.TagPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var pages = 0;
        while (next is not null)
        {
            if (++pages > 10_000)
            {
                throw new RegistryException(operation, "PAGINATION_LOOP", "the registry returned more than 10000 pages of tags", 200, repository);
            }
            var uri = next;
            using var response = await SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
            }
            var bytes = await ReadLimitedAsync(operation, repository, response, 64 * 1024 * 1024, cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (document.RootElement.TryGetProperty("tags", out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in array.EnumerateArray())
                    {
                        if (item.GetString() is { } tag)
                        {
                            tags.Add(tag);
                        }
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new RegistryException(operation, "INVALID_RESPONSE", "the tag list is not valid JSON", 200, repository, ex);
            }
            var link = RegistryHttp.NextLink(response);
            next = link is null ? null : new Uri(_baseUri, link);
        }
        return tags;
    }

    /// <summary>Disposes the HttpClient when this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
        _tokenGate.Dispose();
    }

    // ---- upload sessions ----

    private async Task<Uri> StartUploadAsync(string operation, string repository, CancellationToken cancellationToken)
    {
        var uri = RepositoryUri(repository, "blobs/uploads/");
        using var response = await SendAsync(operation, repository, () => PostEmpty(uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await CreateErrorAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
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
            using var response = await SendAsync("CancelUpload", repository, () => new HttpRequestMessage(HttpMethod.Delete, location), null, null, timeout.Token).ConfigureAwait(false);
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
        var range = HeaderValue(response, "Range");
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
                $"after {expectedLength} bytes sent in chunks the registry {Host} acknowledged {last + 1}: it does not support chunked uploads; " +
                "use monolithic uploads for it (OciRegistryClientOptions.ChunkedUploadThreshold = long.MaxValue)",
                (int)response.StatusCode, repository);
        }
    }

    private Uri LocationOf(HttpResponseMessage response)
    {
        var location = response.Headers.Location
            ?? throw new RegistryException("PushBlob", "INVALID_RESPONSE", "the registry answered an upload request without a Location header", (int)response.StatusCode);
        return location.IsAbsoluteUri ? location : new Uri(_baseUri, location);
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

    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Accept", AcceptManifests);
        return request;
    }

    // ---- sending and authentication ----

    private async Task<HttpResponseMessage> SendAsync(
        string operation,
        string? repository,
        Func<HttpRequestMessage> createRequest,
        IReadOnlyList<string>? extraScopes,
        Action<string>? onChallenge,
        CancellationToken cancellationToken,
        bool replayable = true)
    {
        var authKey = (repository is null ? "" : "repository:" + repository) + (extraScopes is null ? "" : " " + string.Join(' ', extraScopes));
        var fetchedToken = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = createRequest();
            var sent = ApplyAuth(request, authKey);
            Counters.AddRequest();
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }
            using (response)
            {
                var challenge = AuthChallenge.Parse(response);
                if (challenge is not null)
                {
                    onChallenge?.Invoke(challenge.Scheme);
                }
                // Refused after a token of our own fetching, or after basic credentials, or too often: give up.
                if (challenge is null || fetchedToken || attempt >= 2 || (!replayable && request.Content is not null))
                {
                    throw await CreateAuthErrorAsync(operation, repository, response, sent.Sent, challenge, cancellationToken).ConfigureAwait(false);
                }
                if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
                {
                    if (_credentials is null || (sent.Sent && sent.Token is null))
                    {
                        throw await CreateAuthErrorAsync(operation, repository, response, sent.Sent, challenge, cancellationToken).ConfigureAwait(false);
                    }
                    _useBasic = true;
                    continue;
                }
                // Bearer: one token fetch at a time, so that concurrent requests challenged together share it.
                await _tokenGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (_bearerTokens.TryGetValue(authKey, out var current) && !string.Equals(current, sent.Token, StringComparison.Ordinal))
                    {
                        continue; // another request refreshed the token since this one was sent: try it first
                    }
                    _bearerTokens[authKey] = await FetchTokenAsync(operation, repository, challenge, extraScopes, cancellationToken).ConfigureAwait(false);
                    fetchedToken = true;
                }
                finally
                {
                    _tokenGate.Release();
                }
            }
        }
    }

    /// <summary>Puts the cached bearer token or basic credentials on a request to the registry's own host.</summary>
    private (bool Sent, string? Token) ApplyAuth(HttpRequestMessage request, string authKey)
    {
        if (request.RequestUri is null || !string.Equals(request.RequestUri.Authority, _baseUri.Authority, StringComparison.OrdinalIgnoreCase))
        {
            return (false, null); // never send credentials to another host (an upload Location may point elsewhere)
        }
        if (_bearerTokens.TryGetValue(authKey, out var token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (true, token);
        }
        if (_useBasic && _credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credentials.BasicParameter);
            return (true, null);
        }
        return (false, null);
    }

    private async Task<string> FetchTokenAsync(string operation, string? repository, AuthChallenge challenge, IReadOnlyList<string>? extraScopes, CancellationToken cancellationToken)
    {
        var realm = challenge.Get("realm");
        if (string.IsNullOrEmpty(realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryAuthenticationException(operation, "UNAUTHORIZED", "the registry asked for a bearer token without a valid realm", 401, repository);
        }
        if (realmUri.Scheme != Uri.UriSchemeHttps && !(realmUri.Scheme == Uri.UriSchemeHttp && realmUri.IsLoopback))
        {
            throw new RegistryAuthenticationException(operation, "UNAUTHORIZED",
                $"the token service {realmUri.GetLeftPart(UriPartial.Path)} is not https; credentials are only sent over http to loopback hosts", 401, repository);
        }
        var query = new List<string>();
        if (challenge.Get("service") is { Length: > 0 } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }
        var scopes = new List<string>();
        if (challenge.Get("scope") is { Length: > 0 } scope)
        {
            scopes.AddRange(scope.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        else if (repository is not null)
        {
            scopes.Add("repository:" + repository + ":pull,push");
        }
        if (extraScopes is not null)
        {
            scopes.AddRange(extraScopes.Where(s => !scopes.Contains(s, StringComparer.Ordinal)));
        }
        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var builder = new UriBuilder(realmUri);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', (existing.Length == 0 ? [] : new[] { existing }).Concat(query));

        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (_credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credentials.BasicParameter);
        }
        Counters.AddTokenRequest();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await ReadLimitedAsync(operation, repository, response, 1024 * 1024, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var (code, message) = ParseErrors(body);
            var who = _credentials is null ? "anonymous access" : $"the credentials of user '{_credentials.Username}'";
            throw new RegistryAuthenticationException(operation, code ?? (response.StatusCode == HttpStatusCode.Forbidden ? "DENIED" : "UNAUTHORIZED"),
                Scrub($"the token service refused {who} (HTTP {(int)response.StatusCode})" + (message is null ? "" : ": " + message)),
                (int)response.StatusCode, repository);
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in new[] { "token", "access_token" })
            {
                if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } token)
                {
                    return token;
                }
            }
        }
        catch (JsonException)
        {
            // fall through to the error below, without echoing the body (it may hold a token)
        }
        throw new RegistryAuthenticationException(operation, "UNAUTHORIZED", "the token service answered without a token or access_token", 401, repository);
    }

    private async Task<RegistryException> CreateAuthErrorAsync(string operation, string? repository, HttpResponseMessage response, bool sentCredentials, AuthChallenge? challenge, CancellationToken cancellationToken)
    {
        var body = await ReadLimitedAsync(operation, repository, response, 64 * 1024, cancellationToken).ConfigureAwait(false);
        var (code, message) = ParseErrors(body);
        string reason;
        if (_credentials is null)
        {
            reason = "the registry requires authentication and no credentials were given";
        }
        else if (sentCredentials && challenge is not null && string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            reason = $"the registry refused the credentials of user '{_credentials.Username}' (wrong user name or password?)";
        }
        else if (sentCredentials)
        {
            reason = $"the registry refused the token obtained with the credentials of user '{_credentials.Username}'";
        }
        else
        {
            reason = "the registry refused the request";
        }
        var text = Scrub(reason + (message is null ? "" : " (" + message + ")"));
        return new RegistryAuthenticationException(operation, code ?? "UNAUTHORIZED", text, 401, repository);
    }

    private async Task<RegistryException> CreateErrorAsync(string operation, string? repository, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await ReadLimitedAsync(operation, repository, response, 64 * 1024, cancellationToken).ConfigureAwait(false);
        var (code, message) = ParseErrors(body);
        code ??= status switch
        {
            401 => "UNAUTHORIZED",
            403 => "DENIED",
            404 => "NOT_FOUND",
            405 => "UNSUPPORTED",
            429 => "TOOMANYREQUESTS",
            _ => "HTTP_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        message ??= $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        if (repository is not null)
        {
            message += $" (repository '{repository}' on {Host})";
        }
        message = Scrub(message);
        return status is 401 or 403
            ? new RegistryAuthenticationException(operation, code, message, status, repository)
            : new RegistryException(operation, code, message, status, repository);
    }

    /// <summary>The first error code and the messages of a distribution-spec error body.</summary>
    internal static (string? Code, string? Message) ParseErrors(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return (null, null);
            }
            string? code = null;
            var messages = new List<string>();
            foreach (var error in errors.EnumerateArray())
            {
                if (error.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var thisCode = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                code ??= thisCode;
                if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 } text)
                {
                    messages.Add(text);
                }
            }
            return (code, messages.Count == 0 ? null : string.Join("; ", messages));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Removes the password and any bearer token from a message.</summary>
    private string Scrub(string message)
    {
        if (_credentials is { Password.Length: > 0 })
        {
            message = message.Replace(_credentials.Password, "***", StringComparison.Ordinal);
            message = message.Replace(_credentials.BasicParameter, "***", StringComparison.Ordinal);
        }
        foreach (var token in _bearerTokens.Values)
        {
            if (token.Length > 0)
            {
                message = message.Replace(token, "***", StringComparison.Ordinal);
            }
        }
        return message;
    }

    private async Task<byte[]> ReadLimitedAsync(string operation, string? repository, HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > limit)
        {
            throw new RegistryException(operation, "SIZE_INVALID", $"the registry answered with {declared} bytes, more than the {limit} accepted", (int)response.StatusCode, repository);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var memory = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (memory.Length + read > limit)
                {
                    throw new RegistryException(operation, "SIZE_INVALID", $"the registry answered with more than the {limit} bytes accepted", (int)response.StatusCode, repository);
                }
                memory.Write(buffer, 0, read);
                Counters.AddBytesReceived(read);
            }
            return memory.ToArray();
        }
    }

    private static string MediaTypeOf(HttpResponseMessage response, byte[] bytes)
    {
        var header = response.Content.Headers.ContentType?.MediaType;
        if (header is not null && RegistryMediaTypes.ManifestTypes.Contains(header, StringComparer.Ordinal))
        {
            return header;
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("mediaType", out var mediaType) && mediaType.GetString() is { Length: > 0 } declared)
                {
                    return declared;
                }
                return document.RootElement.TryGetProperty("manifests", out _) ? RegistryMediaTypes.OciIndex : RegistryMediaTypes.OciManifest;
            }
        }
        catch (JsonException)
        {
            // not JSON: keep the header's word
        }
        return header ?? RegistryMediaTypes.OciManifest;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private Uri RepositoryUri(string repository, string rest) => new(_baseUri, "/v2/" + repository + "/" + rest);

    private static Uri ParseRegistry(string registry)
    {
        var text = registry.Trim().TrimEnd('/');
        Uri? uri;
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
            {
                throw new ArgumentException($"'{registry}' is not a registry host or URL.", nameof(registry));
            }
        }
        else
        {
            if (!Uri.TryCreate("https://" + text, UriKind.Absolute, out uri))
            {
                throw new ArgumentException($"'{registry}' is not a registry host or URL.", nameof(registry));
            }
            if (uri.IsLoopback)
            {
                uri = new Uri("http://" + text);
            }
        }
        if (uri.AbsolutePath is not ("/" or "") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException($"'{registry}' must be a host or a scheme and host, without path, query or user.", nameof(registry));
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new ArgumentException($"Plain http is only allowed for loopback registries; use https://{uri.Authority}.", nameof(registry));
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"'{registry}' must use https (or http on a loopback host).", nameof(registry));
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
