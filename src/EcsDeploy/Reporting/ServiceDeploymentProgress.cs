namespace EcsDeploy.Reporting;

/// <summary>A blue/green, linear or canary deployment moved: its lifecycle stage, traffic shares or status changed.</summary>
/// <param name="At">When it was seen.</param>
/// <param name="Service">The service.</param>
/// <param name="ServiceDeploymentArn">The service deployment followed.</param>
/// <param name="Status">Its status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_IN_PROGRESS, ...).</param>
/// <param name="LifecycleStage">Its lifecycle stage.</param>
/// <param name="ProductionPercent">The new revision's share of production traffic.</param>
/// <param name="TestPercent">The new revision's share of test traffic.</param>
/// <param name="BakeLeft">What is left of the bake under way, when one is.</param>
public sealed record ServiceDeploymentProgress(
    DateTimeOffset At, string Service, string ServiceDeploymentArn, string? Status, string? LifecycleStage, double ProductionPercent, double TestPercent, TimeSpan? BakeLeft) : PipelineEvent(At);
