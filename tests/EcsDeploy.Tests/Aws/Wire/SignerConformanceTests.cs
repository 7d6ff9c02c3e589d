using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using EcsDeploy.Aws.Wire;

namespace EcsDeploy.Tests.Aws.Wire;

/// <summary>
/// The signer the wire clients use (<see cref="AwsWireSigner.SignAsync"/>, over AWSSDK.Core's AWSSigV4Signer)
/// produces the same Authorization header as botocore's SigV4Auth on generated requests at pinned times.
/// </summary>
public sealed class SignerConformanceTests
{
    private const int Count = 128;
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"];
    private static readonly string[] Services = ["ecs", "ecr", "elasticloadbalancing", "secretsmanager", "logs", "execute-api", "sts"];
    private static readonly string[] Regions = ["eu-central-1", "us-east-1", "ap-southeast-2", "sa-east-1", "me-central-1"];
    private static readonly string[] Hosts = ["ecs.eu-central-1.amazonaws.com", "127.0.0.1:4566", "localhost:5000", "api.ecr.us-east-1.amazonaws.com", "[::1]:8443"];
    private const string PathChars = "abcXYZ019-_.~ !$&'()*+,;=:@%[]^`{}|\"<>éø中";
    private const string ValueChars = "abcXYZ019-_.~ !$&'()*+,;=:@/?%#[]éø中\\";

    internal sealed record Case(string Method, Uri Uri, Dictionary<string, string> Query, Dictionary<string, string> Headers, byte[] Body,
        string AccessKey, string SecretKey, string? Token, string Service, string Region, DateTimeOffset Time);

    [Fact]
    public async Task AuthorizationHeaders_EqualBotocoresOnGeneratedRequests()
    {
        var random = new Random(20260102);
        var cases = Enumerable.Range(0, Count).Select(i => Generate(random, i)).ToList();

        var ours = new List<IDictionary<string, string>>();
        foreach (var c in cases)
        {
            AWSCredentials credentials = c.Token is null ? new BasicAWSCredentials(c.AccessKey, c.SecretKey) : new SessionAWSCredentials(c.AccessKey, c.SecretKey, c.Token);
            ours.Add(await AwsWireSigner.SignAsync(new HttpMethod(c.Method), c.Uri, c.Headers, c.Body, credentials, c.Region, c.Service, c.Time, CancellationToken.None));
        }

        var input = cases.Select((c, i) => new Dictionary<string, object?>
        {
            ["method"] = c.Method,
            ["url"] = c.Uri.GetLeftPart(UriPartial.Path),
            ["params"] = c.Query,
            // botocore signs every header it is given: give it what we send (our headers plus the payload hash
            // header the SDK adds); the script checks that hash against the body itself.
            ["headers"] = c.Headers.Append(new("X-Amz-Content-SHA256", Header(ours[i], "X-Amz-Content-SHA256"))).ToDictionary(),
            ["body"] = Convert.ToBase64String(c.Body),
            ["accessKey"] = c.AccessKey,
            ["secretKey"] = c.SecretKey,
            ["token"] = c.Token,
            ["service"] = c.Service,
            ["region"] = c.Region,
            ["time"] = c.Time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
        }).ToList();
        var output = await Python.RunAsync("botocore_sign.py", [], JsonSerializer.Serialize(input), TimeSpan.FromSeconds(60));
        var reference = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();

        Assert.Equal(cases.Count, reference.Count);
        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var expected = reference[i].GetProperty("authorization").GetString();
            var actual = Header(ours[i], "Authorization");
            if (expected != actual
                || reference[i].GetProperty("amzDate").GetString() != Header(ours[i], "X-Amz-Date")
                || reference[i].GetProperty("bodySha256").GetString() != Header(ours[i], "X-Amz-Content-SHA256")
                || (cases[i].Token is not null && Header(ours[i], "X-Amz-Security-Token") != cases[i].Token))
            {
                mismatches.Add($"#{i} {cases[i].Method} {cases[i].Uri} ({cases[i].Service}/{cases[i].Region})\n  botocore: {expected}\n  ours:     {actual}\n  botocore canonical request:\n{reference[i].GetProperty("canonicalRequest").GetString()}");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} signatures differ:\n" + string.Join("\n", mismatches.Take(5)));
        Assert.Contains(cases, c => c.Token is not null);
        Assert.Contains(cases, c => c.Query.Count > 0 && c.Uri.AbsolutePath.Contains('%', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signature_ChangesWithTheBody_SoTheComparisonCanFail()
    {
        var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        var uri = new Uri("https://ecs.eu-central-1.amazonaws.com/");
        var time = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var a = await AwsWireSigner.SignAsync(HttpMethod.Post, uri, [new("X-Amz-Target", "A.B")], "{}"u8.ToArray(), credentials, "eu-central-1", "ecs", time, CancellationToken.None);
        var b = await AwsWireSigner.SignAsync(HttpMethod.Post, uri, [new("X-Amz-Target", "A.B")], "{ }"u8.ToArray(), credentials, "eu-central-1", "ecs", time, CancellationToken.None);
        Assert.NotEqual(Header(a, "Authorization"), Header(b, "Authorization"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-central-1/ecs/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=", Header(a, "Authorization"));
    }

    private static string Header(IDictionary<string, string> headers, string name)
        => headers.First(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static Case Generate(Random random, int index)
    {
        string Pick(string[] values) => values[random.Next(values.Length)];
        string Text(string alphabet, int min, int max)
        {
            var length = random.Next(min, max + 1);
            var builder = new StringBuilder();
            var elements = System.Globalization.StringInfo.GetTextElementEnumerator(alphabet);
            var chars = new List<string>();
            while (elements.MoveNext())
            {
                chars.Add((string)elements.Current);
            }
            for (var i = 0; i < length; i++)
            {
                builder.Append(chars[random.Next(chars.Count)]);
            }
            return builder.ToString();
        }

        var method = Methods[index % Methods.Length];
        var host = Pick(Hosts);
        var scheme = host.StartsWith("127.", StringComparison.Ordinal) || host.StartsWith("localhost", StringComparison.Ordinal) ? "http" : "https";
        var segments = index % 5 == 0 ? [] : Enumerable.Range(0, random.Next(1, 4)).Select(_ => Uri.EscapeDataString(Text(PathChars, 1, 8))).ToList();
        var path = "/" + string.Join('/', segments) + (index % 7 == 3 && segments.Count > 0 ? "/" : "");
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (index % 3 != 0)
        {
            for (var i = random.Next(1, 5); i > 0; i--)
            {
                query[Text("abcdefXYZ0123456789-_.~", 1, 6)] = index % 4 == 0 && i == 1 ? "" : Text(ValueChars, 0, 12);
            }
        }
        var queryString = string.Join('&', query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var uri = new Uri($"{scheme}://{host}{path}{(queryString.Length > 0 ? "?" + queryString : "")}");

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (method is "POST" or "PUT" or "PATCH")
        {
            headers["Content-Type"] = index % 2 == 0 ? "application/x-amz-json-1.1" : "application/x-www-form-urlencoded; charset=utf-8";
        }
        if (index % 2 == 0)
        {
            headers["X-Amz-Target"] = "AmazonEC2ContainerServiceV20141113.DescribeServices";
        }
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            var value = Text("abc XYZ 019,;=/:-_", 1, 16).Trim();
            headers[$"X-Test-{Text("abcdefghij", 1, 6)}"] = value.Length == 0 ? "v" : value;
        }
        var body = method is "GET" or "HEAD" && index % 4 != 1 ? [] : Encoding.UTF8.GetBytes(Text(ValueChars + "{}\":\n", 0, 200));
        var token = index % 3 == 1 ? "IQoJb3JpZ2luX2VjE" + Text("abcdefABCDEF0123456789+/=", 20, 120) : null;
        var time = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.NextInt64(0, 400_000_000));
        return new Case(method, uri, query, headers, body, "AKIA" + Text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16),
            Text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", 40, 40), token, Pick(Services), Pick(Regions), time);
    }
}
