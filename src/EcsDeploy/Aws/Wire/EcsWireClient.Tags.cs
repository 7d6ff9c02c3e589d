namespace EcsDeploy.Aws.Wire;

internal sealed partial class EcsWireClient
{
    /// <inheritdoc />
    public async Task TagResourceAsync(TagResourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await transport.JsonAsync<EmptyAnswer>(Service, "TagResource", request, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UntagResourceAsync(UntagResourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await transport.JsonAsync<EmptyAnswer>(Service, "UntagResource", request, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>TagResource and UntagResource answer an empty object.</summary>
    internal sealed record EmptyAnswer;
}
