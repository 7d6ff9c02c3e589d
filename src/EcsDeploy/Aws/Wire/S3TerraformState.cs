using System.Net;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using EcsDeploy.Discovery;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// Reads Terraform outputs from an S3 remote state object (the <c>s3</c> backend) with AWSSDK.S3, honouring
/// <c>AWS_ENDPOINT_URL_S3</c> / <c>AWS_ENDPOINT_URL</c> (path-style addressing for a custom endpoint).
/// </summary>
internal sealed class S3TerraformState : ITerraformOutputs, IDisposable
{
    private readonly AmazonS3Client _s3;

    /// <summary>Creates the reader.</summary>
    /// <param name="bucket">The state bucket.</param>
    /// <param name="key">The state object key, for example <c>env/prod/terraform.tfstate</c>.</param>
    /// <param name="region">The bucket's region.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="environment">Reads environment variables for endpoint overrides (defaults to the process environment).</param>
    public S3TerraformState(string bucket, string key, string region, AWSCredentials credentials, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(credentials);
        Bucket = bucket;
        Key = key;
        var (endpoint, overridden) = AwsWireEndpoints.Resolve(AwsWireService.S3, region, environment);
        var config = new AmazonS3Config();
        if (overridden)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        _s3 = new AmazonS3Client(credentials, config);
    }

    /// <summary>The state bucket.</summary>
    public string Bucket { get; }

    /// <summary>The state object key.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public string Source => $"terraform remote state s3://{Bucket}/{Key}";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, TerraformOutput>?> ReadAsync(CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await _s3.GetObjectAsync(Bucket, Key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is "NoSuchKey" or "NotFound")
        {
            return null;
        }
        catch (AmazonServiceException ex)
        {
            throw new AwsServiceException("S3", "GetObject", ex.ErrorCode ?? "Unknown", $"{ex.Message} (reading {Source})", (int)ex.StatusCode, ex.RequestId, ex);
        }
        using (response)
        {
            using var state = await JsonDocument.ParseAsync(response.ResponseStream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return TerraformStateFile.Parse(state, Source);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _s3.Dispose();
}
