using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace EcsDeploy.Images.Registry;

/// <summary>
/// Sends the requests of one <see cref="OciRegistryClient"/> and answers the registry's authentication challenge:
/// basic credentials, or the bearer-token flow (one token per repository scope, fetched once for the concurrent
/// requests challenged together). Credentials go to the registry's own host only, and to a token service over https
/// (or http on a loopback host); <see cref="Scrub"/> removes them and every token from a message.
/// </summary>
internal sealed class RegistryAuthentication : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly RegistryCredentials? _credentials;
    private readonly RegistryTransferCounters _counters;
    private readonly ConcurrentDictionary<string, string> _bearerTokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private readonly SemaphoreSlim _firstGate = new(1, 1);
    private volatile bool _useBasic;
    private volatile bool _challengeKnown;

    /// <summary>Creates the authentication of the registry at <paramref name="baseUri"/>.</summary>
    public RegistryAuthentication(HttpClient http, Uri baseUri, RegistryCredentials? credentials, RegistryTransferCounters counters)
    {
        _http = http;
        _baseUri = baseUri;
        _credentials = credentials;
        _counters = counters;
    }

    /// <summary>True once the registry has asked for basic credentials and been given them.</summary>
    public bool UsesBasic => _useBasic;

    /// <summary>
    /// Sends the request <paramref name="createRequest"/> makes (again after a challenge) with the credentials or token
    /// for <paramref name="repository"/> and <paramref name="extraScopes"/>; any answer but 401 is returned to the caller.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        string operation,
        string? repository,
        Func<HttpRequestMessage> createRequest,
        IReadOnlyList<string>? extraScopes,
        Action<string>? onChallenge,
        CancellationToken cancellationToken,
        bool replayable = true)
    {
        // The first request learns how the registry authenticates; requests sent beside it wait for its answer rather
        // than each meeting the same challenge (three blobs checked at once: three requests, not six).
        var first = false;
        if (!_challengeKnown && _credentials is not null)
        {
            await _firstGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_challengeKnown)
            {
                _firstGate.Release();
            }
            else
            {
                first = true;
            }
        }
        try
        {
            return await SendCoreAsync(operation, repository, createRequest, extraScopes, onChallenge, cancellationToken, replayable).ConfigureAwait(false);
        }
        finally
        {
            if (first)
            {
                _challengeKnown = true;
                _firstGate.Release();
            }
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(
        string operation,
        string? repository,
        Func<HttpRequestMessage> createRequest,
        IReadOnlyList<string>? extraScopes,
        Action<string>? onChallenge,
        CancellationToken cancellationToken,
        bool replayable)
    {
        var authKey = (repository is null ? "" : "repository:" + repository) + (extraScopes is null ? "" : " " + string.Join(' ', extraScopes));
        var fetchedToken = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = createRequest();
            var sent = ApplyAuth(request, authKey);
            _counters.AddRequest();
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
        _counters.AddTokenRequest();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await RegistryHttp.ReadLimitedAsync(operation, repository, response, 1024 * 1024, _counters, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var (code, message) = RegistryErrors.Parse(body);
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
        var body = await RegistryHttp.ReadLimitedAsync(operation, repository, response, 64 * 1024, _counters, cancellationToken).ConfigureAwait(false);
        var (code, message) = RegistryErrors.Parse(body);
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

    /// <summary>Removes the password and any bearer token from a message.</summary>
    public string Scrub(string message)
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

    /// <summary>Releases the token gate.</summary>
    public void Dispose()
    {
        _tokenGate.Dispose();
        _firstGate.Dispose();
    }
}
