using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// The JSON settings of the JSON 1.1 services: camelCase members (ECS, ECR, CloudWatch Logs) or the API's own
/// PascalCase (Secrets Manager), nulls left out of requests, and timestamps as epoch seconds.
/// </summary>
internal static class AwsWireJson
{
    /// <summary>ECS, ECR and CloudWatch Logs: camelCase member names.</summary>
    public static readonly JsonSerializerOptions CamelCase = Create(JsonNamingPolicy.CamelCase);

    /// <summary>Secrets Manager: member names as the C# names spell them (<c>SecretId</c>, <c>ARN</c>).</summary>
    public static readonly JsonSerializerOptions PascalCase = Create(null);

    private static JsonSerializerOptions Create(JsonNamingPolicy? naming)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = naming,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new EpochSecondsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Reads JSON 1.1 timestamps (epoch seconds, possibly fractional; ISO 8601 strings are tolerated) and writes
    /// epoch seconds.
    /// </summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    var seconds = reader.GetDecimal();
                    return DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(seconds * 1000m, MidpointRounding.AwayFromZero));
                case JsonTokenType.String:
                    var text = reader.GetString()!;
                    if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(parsed * 1000m, MidpointRounding.AwayFromZero));
                    }
                    return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                default:
                    throw new JsonException($"Expected a timestamp (epoch seconds), found {reader.TokenType}.");
            }
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
            => writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);
    }
}
