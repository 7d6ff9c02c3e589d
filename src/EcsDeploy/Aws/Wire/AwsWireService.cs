using System.Net;

namespace EcsDeploy.Aws.Wire;

/// <summary>
/// What the wire clients need to know about one AWS service: its name for messages, the endpoint prefix, the
/// SigV4 signing name, the protocol (with its target prefix or API version), and the key of its endpoint
/// override variable (<c>AWS_ENDPOINT_URL_&lt;KEY&gt;</c>, from the service id as the AWS SDKs derive it).
/// </summary>
internal sealed record AwsWireService(
    string Name,
    string EndpointPrefix,
    string SigningName,
    AwsWireProtocol Protocol,
    string TargetPrefixOrVersion,
    string EndpointVariableKey)
{
    /// <summary>
    /// For a global service (IAM): the region every request is signed for, whatever the pipeline's region; its
    /// default endpoint is then <c>https://{prefix}.amazonaws.com/</c>. Null for regional services.
    /// </summary>
    public string? GlobalSigningRegion { get; init; }

    /// <summary>Amazon ECS.</summary>
    public static readonly AwsWireService Ecs = new("ECS", "ecs", "ecs", AwsWireProtocol.Json11, "AmazonEC2ContainerServiceV20141113", "ECS");
    /// <summary>Amazon ECR's API.</summary>
    public static readonly AwsWireService Ecr = new("ECR", "api.ecr", "ecr", AwsWireProtocol.Json11, "AmazonEC2ContainerRegistry_V20150921", "ECR");
    /// <summary>Elastic Load Balancing v2.</summary>
    public static readonly AwsWireService Elbv2 = new("ELBv2", "elasticloadbalancing", "elasticloadbalancing", AwsWireProtocol.Query, "2015-12-01", "ELASTIC_LOAD_BALANCING_V2");
    /// <summary>AWS Secrets Manager.</summary>
    public static readonly AwsWireService SecretsManager = new("SecretsManager", "secretsmanager", "secretsmanager", AwsWireProtocol.Json11, "secretsmanager", "SECRETS_MANAGER");
    /// <summary>Amazon CloudWatch Logs.</summary>
    public static readonly AwsWireService Logs = new("CloudWatchLogs", "logs", "logs", AwsWireProtocol.Json11, "Logs_20140328", "CLOUDWATCH_LOGS");
    /// <summary>AWS Identity and Access Management: global, signed for us-east-1.</summary>
    public static readonly AwsWireService Iam = new("IAM", "iam", "iam", AwsWireProtocol.Query, "2010-05-08", "IAM") { GlobalSigningRegion = "us-east-1" };
    /// <summary>
    /// Amazon CloudWatch: JSON 1.0 (botocore's model declares smithy-rpc-v2-cbor, json and query; the AWS CLI v1 here
    /// speaks json), endpoint prefix and signing name <c>monitoring</c>.
    /// </summary>
    public static readonly AwsWireService CloudWatch = new("CloudWatch", "monitoring", "monitoring", AwsWireProtocol.Json10, "GraniteServiceVersion20100801", "CLOUDWATCH");
    /// <summary>Application Auto Scaling.</summary>
    public static readonly AwsWireService ApplicationAutoScaling = new("ApplicationAutoScaling", "application-autoscaling", "application-autoscaling", AwsWireProtocol.Json11, "AnyScaleFrontendService", "APPLICATION_AUTO_SCALING");
    /// <summary>Amazon S3 (used through AWSSDK.S3; listed for its endpoint override).</summary>
    public static readonly AwsWireService S3 = new("S3", "s3", "s3", AwsWireProtocol.Query, "2006-03-01", "S3");
}
