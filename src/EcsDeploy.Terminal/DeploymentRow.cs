using EcsDeploy.Reporting;

namespace EcsDeploy.Terminal;

/// <summary>One deployment of the rollout section: its latest progress and the service's latest event.</summary>
internal sealed class DeploymentRow(string service, string id)
{
    public string Service { get; } = service;
    public string Id { get; } = id;
    public DeploymentProgress? Progress { get; set; }
    public string? LastEvent { get; set; }
}
