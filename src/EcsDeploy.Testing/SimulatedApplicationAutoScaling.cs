using System.Globalization;
using EcsDeploy.Aws;

namespace EcsDeploy.Testing;

/// <summary>What a scaling activity of the simulated Application Auto Scaling did.</summary>
/// <param name="At">When it ran (virtual time).</param>
/// <param name="ResourceId">The scalable target (<c>service/CLUSTER/SERVICE</c>).</param>
/// <param name="Kind"><c>scale-in</c>, <c>scale-out</c> (a target tracking or step scaling policy) or <c>scheduled</c>.</param>
/// <param name="Description">What it set, for example <c>desired count 2 -> 1</c>.</param>
/// <param name="HeldBack">True when the target's suspended state kept it from acting.</param>
public sealed record ScalingActivity(DateTimeOffset At, string ResourceId, string Kind, string Description, bool HeldBack);

/// <summary>
/// Simulated Application Auto Scaling for ECS services (the <c>ecs</c> namespace, dimension <c>ecs:service:DesiredCount</c>):
/// scalable targets with min and max capacity and a suspended state, and scaling activities that tests schedule on the
/// virtual clock (<see cref="PolicyScalesAt"/>, <see cref="ScheduledActionAt"/>), held back while the matching kind of
/// scaling is suspended, as AWS holds them back.
/// </summary>
public sealed class SimulatedApplicationAutoScaling : IApplicationAutoScalingApi
{
    private const string Service = "ApplicationAutoScaling";
    private readonly SimulatedAws _aws;
    private readonly List<ScalableTarget> _targets = [];
    private readonly List<ScalingActivity> _activities = [];
    private readonly List<(DateTimeOffset At, string ResourceId, SuspendedState State)> _suspensions = [];

    internal SimulatedApplicationAutoScaling(SimulatedAws aws) => _aws = aws;

    /// <summary>The scalable target of an ECS service, or null when it has none.</summary>
    public ScalableTarget? Target(string cluster, string service)
    {
        var id = EcsScalableTargets.ResourceId(cluster, service);
        lock (_aws.Gate) { return _targets.FirstOrDefault(t => t.ResourceId == id); }
    }

    /// <summary>Every suspended state registered, in order, with when (to see what was suspended during a rollout).</summary>
    public IReadOnlyList<(DateTimeOffset At, string ResourceId, SuspendedState State)> SuspendedStates { get { lock (_aws.Gate) { return [.. _suspensions]; } } }

    /// <summary>Every scaling activity so far, held back or not.</summary>
    public IReadOnlyList<ScalingActivity> Activities { get { lock (_aws.Gate) { return [.. _activities]; } } }

    /// <summary>Registers a scalable target for an ECS service directly (seeding), with nothing suspended; returns its ARN.</summary>
    public string RegisterEcsService(string cluster, string service, int minCapacity, int maxCapacity)
    {
        using var seeding = _aws.Seeding();
        return RegisterScalableTargetAsync(new RegisterScalableTargetRequest
        {
            ServiceNamespace = EcsScalableTargets.ServiceNamespace,
            ResourceId = EcsScalableTargets.ResourceId(cluster, service),
            ScalableDimension = EcsScalableTargets.DesiredCount,
            MinCapacity = minCapacity,
            MaxCapacity = maxCapacity,
        }, CancellationToken.None).GetAwaiter().GetResult().ScalableTargetARN!;
    }

    /// <summary>
    /// After <paramref name="after"/> of virtual time, a target tracking or step scaling policy of the service's target sets
    /// its desired count to <paramref name="desiredCount"/> (kept within min and max), as its alarm would; while dynamic
    /// scaling in that direction is suspended, the activity is held back.
    /// </summary>
    public void PolicyScalesAt(TimeSpan after, string cluster, string service, int desiredCount)
        => _aws.Ecs.At(after, () => Act(cluster, service, scheduled: false, desiredCount, null, null));

    /// <summary>
    /// After <paramref name="after"/> of virtual time, a scheduled action sets the target's min and max capacity and brings the
    /// desired count within them; while scheduled scaling is suspended, it is held back.
    /// </summary>
    public void ScheduledActionAt(TimeSpan after, string cluster, string service, int minCapacity, int maxCapacity)
        => _aws.Ecs.At(after, () => Act(cluster, service, scheduled: true, null, minCapacity, maxCapacity));

    /// <inheritdoc />
    public Task<DescribeScalableTargetsResponse> DescribeScalableTargetsAsync(DescribeScalableTargetsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _aws.Enter(Service, "DescribeScalableTargets");
        CheckNamespace(request.ServiceNamespace, "DescribeScalableTargets");
        if (request.ResourceIds is { Count: > 50 })
        {
            throw Validation("DescribeScalableTargets", "1 validation error detected: Value at 'resourceIds' failed to satisfy constraint: Member must have length less than or equal to 50");
        }
        var pageSize = request.MaxResults ?? 50;
        if (pageSize is < 1 or > 50)
        {
            throw Validation("DescribeScalableTargets", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50");
        }
        lock (_aws.Gate)
        {
            var matching = _targets
                .Where(t => request.ResourceIds is not { Count: > 0 } || request.ResourceIds.Contains(t.ResourceId, StringComparer.Ordinal))
                .Where(t => request.ScalableDimension is null || t.ScalableDimension == request.ScalableDimension)
                .ToList();
            var start = 0;
            if (request.NextToken is { } token && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start))
            {
                throw new AwsServiceException(Service, "DescribeScalableTargets", "InvalidNextTokenException", "Invalid token", 400, _aws.NewRequestId());
            }
            var page = matching.Skip(start).Take(pageSize).ToList();
            var next = start + pageSize < matching.Count ? (start + pageSize).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new DescribeScalableTargetsResponse(page, next));
        }
    }

    /// <inheritdoc />
    public Task<RegisterScalableTargetResponse> RegisterScalableTargetAsync(RegisterScalableTargetRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string operation = "RegisterScalableTarget";
        _aws.Enter(Service, operation);
        CheckNamespace(request.ServiceNamespace, operation);
        if (request.ScalableDimension != EcsScalableTargets.DesiredCount)
        {
            throw Validation(operation, $"Unsupported scalable dimension '{request.ScalableDimension}' for service namespace ecs: use {EcsScalableTargets.DesiredCount}.");
        }
        var parts = (request.ResourceId ?? "").Split('/');
        if (parts is not ["service", { Length: > 0 } cluster, { Length: > 0 } service])
        {
            throw Validation(operation, $"Unsupported resource id '{request.ResourceId}': an ECS service is service/CLUSTER/SERVICE.");
        }
        if (!_aws.Ecs.HasService(cluster, service))
        {
            throw Validation(operation, $"ECS service doesn't exist: {request.ResourceId}");
        }
        lock (_aws.Gate)
        {
            var index = _targets.FindIndex(t => t.ResourceId == request.ResourceId && t.ScalableDimension == request.ScalableDimension);
            if (index < 0 && (request.MinCapacity is null || request.MaxCapacity is null))
            {
                throw Validation(operation, "MinCapacity and MaxCapacity are required to register a new scalable target.");
            }
            var current = index >= 0 ? _targets[index] : null;
            var min = request.MinCapacity ?? current!.MinCapacity;
            var max = request.MaxCapacity ?? current!.MaxCapacity;
            if (min < 0 || max < 0 || min > max)
            {
                throw Validation(operation, $"Minimum capacity {min} and maximum capacity {max} are not a range: both 0 or more, and the minimum cannot be greater than the maximum.");
            }
            var was = current?.SuspendedState ?? SuspendedState.None;
            var given = request.SuspendedState;
            var state = new SuspendedState(
                given?.DynamicScalingInSuspended ?? was.DynamicScalingInSuspended ?? false,
                given?.DynamicScalingOutSuspended ?? was.DynamicScalingOutSuspended ?? false,
                given?.ScheduledScalingSuspended ?? was.ScheduledScalingSuspended ?? false);
            var target = (current ?? new ScalableTarget
            {
                ServiceNamespace = EcsScalableTargets.ServiceNamespace,
                ResourceId = request.ResourceId!,
                ScalableDimension = EcsScalableTargets.DesiredCount,
                RoleARN = $"arn:aws:iam::{_aws.AccountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                CreationTime = _aws.Clock.GetUtcNow(),
                ScalableTargetARN = _aws.Arn("application-autoscaling", "scalable-target/0ec" + Convert.ToHexStringLower(BitConverter.GetBytes(_aws.Random.NextInt64()))[..13]),
            }) with { MinCapacity = min, MaxCapacity = max, SuspendedState = state };
            if (index >= 0)
            {
                _targets[index] = target;
            }
            else
            {
                _targets.Add(target);
            }
            if (given is not null)
            {
                _suspensions.Add((_aws.Clock.GetUtcNow(), target.ResourceId, state));
            }
            return Task.FromResult(new RegisterScalableTargetResponse(target.ScalableTargetARN));
        }
    }

    /// <summary>A scaling activity (under the gate, run by the clock).</summary>
    private void Act(string cluster, string service, bool scheduled, int? desired, int? min, int? max)
    {
        var id = EcsScalableTargets.ResourceId(cluster, service);
        var index = _targets.FindIndex(t => t.ResourceId == id);
        if (index < 0)
        {
            return;
        }
        var target = _targets[index];
        var state = target.SuspendedState ?? SuspendedState.None;
        var current = _aws.Ecs.DesiredCount(cluster, service);
        if (scheduled)
        {
            var held = state.ScheduledScalingSuspended == true;
            var newMin = min ?? target.MinCapacity;
            var newMax = max ?? target.MaxCapacity;
            var scheduledDesired = Math.Clamp(current, newMin, newMax);
            _activities.Add(new ScalingActivity(_aws.Clock.GetUtcNow(), id, "scheduled", $"min {newMin}, max {newMax}, desired count {current} -> {scheduledDesired}", held));
            if (!held)
            {
                _targets[index] = target with { MinCapacity = newMin, MaxCapacity = newMax };
                _aws.Ecs.ScaleTo(cluster, service, scheduledDesired);
            }
            return;
        }
        var wanted = Math.Clamp(desired!.Value, target.MinCapacity, target.MaxCapacity);
        if (wanted == current)
        {
            return;
        }
        var scaleOut = wanted > current;
        var heldBack = scaleOut ? state.DynamicScalingOutSuspended == true : state.DynamicScalingInSuspended == true;
        _activities.Add(new ScalingActivity(_aws.Clock.GetUtcNow(), id, scaleOut ? "scale-out" : "scale-in", $"desired count {current} -> {wanted}", heldBack));
        if (!heldBack)
        {
            _aws.Ecs.ScaleTo(cluster, service, wanted);
        }
    }

    private void CheckNamespace(string? serviceNamespace, string operation)
    {
        if (string.IsNullOrEmpty(serviceNamespace))
        {
            throw Validation(operation, "1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null");
        }
        if (serviceNamespace != EcsScalableTargets.ServiceNamespace)
        {
            throw Validation(operation, $"The simulated Application Auto Scaling serves the ecs namespace only, not '{serviceNamespace}'.");
        }
    }

    private AwsServiceException Validation(string operation, string message) => new(Service, operation, "ValidationException", message, 400, _aws.NewRequestId());
}
