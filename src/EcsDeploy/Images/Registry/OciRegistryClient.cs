using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EcsDeploy.Aws;

namespace EcsDeploy.Images.Registry;

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
    private readonly OciRegistryClientOptions _options;
    private readonly Uri _baseUri;
    private readonly RegistryAuthentication _auth;
    private readonly RegistryErrors _errors;
    private readonly RegistryBlobUploads _uploads;

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
        _baseUri = RegistryAddress.Parse(registry);
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
        _auth = new RegistryAuthentication(_http, _baseUri, credentials, Counters);
        _errors = new RegistryErrors(Host, Counters, _auth.Scrub);
        _uploads = new RegistryBlobUploads(_auth, _errors, _options, _baseUri, Counters);
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
        using var response = await _auth.SendAsync(operation, null, () => new HttpRequestMessage(HttpMethod.Get, uri), null, s => scheme = s, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await _errors.CreateAsync(operation, null, response, cancellationToken).ConfigureAwait(false);
        }
        var version = response.Headers.TryGetValues("Docker-Distribution-API-Version", out var values) ? values.FirstOrDefault() : null;
        return new RegistryPingResult(version, scheme ?? (_auth.UsesBasic ? "Basic" : null));
    }

    /// <inheritdoc />
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        const string operation = "BlobExists";
        OciReference.ValidateRepository(repository, nameof(repository));
        OciDigest.Validate(digest, nameof(digest));
        var uri = RepositoryUri(repository, "blobs/" + digest);
        using var response = await _auth.SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Head, uri), null, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// Mounts a blob of <paramref name="fromRepository"/> into <paramref name="repository"/> without moving its bytes
    /// (<c>POST /v2/NAME/blobs/uploads/?mount=DIGEST&amp;from=OTHER</c>). Returns false when the registry declined
    /// (answered 202: the blob is not readable there, or the registry does not mount); the caller then uploads.
    /// </summary>
    public Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken)
    {
        OciReference.ValidateRepository(repository, nameof(repository));
        OciReference.ValidateRepository(fromRepository, nameof(fromRepository));
        OciDigest.Validate(digest, nameof(digest));
        return _uploads.MountAsync(repository, digest, fromRepository, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Always uploads (check <see cref="BlobExistsAsync"/> or <see cref="MountBlobAsync"/> first to skip the bytes).
    /// Reads <paramref name="length"/> bytes from <paramref name="content"/> in small buffers: blobs up to
    /// <see cref="OciRegistryClientOptions.ChunkedUploadThreshold"/> go in one PUT, larger ones in PATCH chunks of
    /// <see cref="OciRegistryClientOptions.ChunkSize"/>. The registry verifies the content against <paramref name="digest"/>;
    /// when it refuses it, a content that does not match is reported as a <see cref="RegistryDigestMismatchException"/>
    /// naming both digests (a seekable stream is read again for that; any other is hashed while sent) and the upload is cancelled.
    /// </remarks>
    public Task PushBlobAsync(string repository, string digest, Stream content, long length, CancellationToken cancellationToken)
    {
        OciReference.ValidateRepository(repository, nameof(repository));
        OciDigest.Validate(digest, nameof(digest));
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return _uploads.PushAsync(repository, digest, content, length, cancellationToken);
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
        using var response = await _auth.SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
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
        using var response = await _auth.SendAsync(operation, repository, () =>
        {
            var body = new ReadOnlyMemoryContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            body.Headers.ContentLength = content.Length;
            Counters.AddBytesSent(content.Length, blob: false);
            return new HttpRequestMessage(HttpMethod.Put, uri) { Content = body };
        }, null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        var stored = RegistryHttp.HeaderValue(response, DigestHeader);
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
        using var response = await _auth.SendAsync(operation, repository, () => ManifestRequest(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
        }
        var bytes = await RegistryHttp.ReadLimitedAsync(operation, repository, response, _options.MaxManifestBytes, Counters, cancellationToken).ConfigureAwait(false);
        var expected = OciDigest.IsValid(reference) ? reference : RegistryHttp.HeaderValue(response, DigestHeader);
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
        using var response = await _auth.SendAsync(operation, repository, () => ManifestRequest(HttpMethod.Head, uri), null, null, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => RegistryHttp.HeaderValue(response, DigestHeader) ?? (OciDigest.IsValid(reference) ? reference : null),
            HttpStatusCode.NotFound => null,
            _ => throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false),
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
            using var response = await _auth.SendAsync(operation, repository, () => new HttpRequestMessage(HttpMethod.Get, uri), null, null, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await _errors.CreateAsync(operation, repository, response, cancellationToken).ConfigureAwait(false);
            }
            var bytes = await RegistryHttp.ReadLimitedAsync(operation, repository, response, 64 * 1024 * 1024, Counters, cancellationToken).ConfigureAwait(false);
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
        _auth.Dispose();
    }

    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Accept", AcceptManifests);
        return request;
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

    private Uri RepositoryUri(string repository, string rest) => RegistryHttp.RepositoryUri(_baseUri, repository, rest);

}
