using EcsDeploy.Aws;
using Xunit;

namespace EcsDeploy.Testing.Tests.Ecs;

/// <summary>
/// ECS-BEHAVIOUR.md §9 and the ELBv2 model: DescribeImages pages with maxResults (1-1000, default 100) and nextToken, never
/// with imageIds; DescribeLoadBalancers and DescribeTargetGroups page with PageSize (1-400, a ValidationError outside)
/// and Marker.
/// </summary>
public sealed class PagingTests
{
    private const string Repository = "truecaller-backend";

    [Fact]
    public async Task DescribeImages_PagesWithMaxResultsAndNextToken_InPushOrder_Default100()
    {
        var aws = Seed.Truecaller();
        var pushed = new List<string> { aws.Ecr.Images(Repository).Keys.Single() };
        for (var i = 0; i < 104; i++)
        {
            aws.Clock.Advance(TimeSpan.FromSeconds(1));
            pushed.Add(aws.Ecr.PushTestImage(Repository, $"build-{i}"));
        }

        var seen = new List<string>();
        var (page, token) = aws.Ecr.DescribeImagesPage(Repository, [], 40, null);
        var pages = 1;
        seen.AddRange(page.Select(i => i.ImageDigest!));
        while (token is not null)
        {
            (page, token) = aws.Ecr.DescribeImagesPage(Repository, [], 40, token);
            seen.AddRange(page.Select(i => i.ImageDigest!));
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(pushed, seen);

        var (first, next) = aws.Ecr.DescribeImagesPage(Repository, [], null, null);
        Assert.Equal(100, first.Count);
        Assert.NotNull(next);
        Assert.Equal(pushed.Count, (await aws.Ecr.DescribeImagesAsync(Repository, [], CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData(0, null, false, "maxResults must be between 1 and 1000.")]
    [InlineData(1001, null, false, "maxResults must be between 1 and 1000.")]
    [InlineData(5, null, true, "maxResults and nextToken cannot be used together with imageIds: describe the images by id, or page through all of them.")]
    [InlineData(null, "bm90LWEtdG9rZW4=", false, "Invalid NextToken: pass the nextToken of the previous DescribeImages answer unchanged.")]
    public void DescribeImages_WithInvalidPaging_IsInvalidParameterException(int? maxResults, string? token, bool withIds, string message)
    {
        var aws = Seed.Truecaller();
        var ids = withIds ? [new ImageIdentifier(aws.Ecr.Images(Repository).Keys.Single())] : Array.Empty<ImageIdentifier>();

        var error = Assert.Throws<AwsServiceException>(() => aws.Ecr.DescribeImagesPage(Repository, ids, maxResults, token));

        Assert.Equal(("InvalidParameterException", message), (error.ErrorCode, error.ErrorMessage));
    }

    [Fact]
    public void Elbv2_PagesWithPageSizeAndMarker_LoadBalancersAndTargetGroups()
    {
        var aws = Seed.Truecaller();
        var balancers = aws.Elbv2.DescribeLoadBalancersPage(null, null, null, null).LoadBalancers;
        var groups = aws.Elbv2.DescribeTargetGroupsPage([], null, null).TargetGroups;
        Assert.Equal(2, balancers.Count);
        Assert.True(groups.Count >= 2, $"the seed has {groups.Count} target groups");

        var firstBalancer = aws.Elbv2.DescribeLoadBalancersPage(null, null, null, 1);
        var secondBalancer = aws.Elbv2.DescribeLoadBalancersPage(null, null, firstBalancer.NextMarker, 1);
        Assert.Equal(balancers, [.. firstBalancer.LoadBalancers, .. secondBalancer.LoadBalancers]);
        Assert.NotNull(firstBalancer.NextMarker);
        Assert.Null(secondBalancer.NextMarker);

        var seen = new List<TargetGroup>();
        string? marker = null;
        do
        {
            var page = aws.Elbv2.DescribeTargetGroupsPage([], marker, 1);
            Assert.Single(page.TargetGroups);
            seen.AddRange(page.TargetGroups);
            marker = page.NextMarker;
        }
        while (marker is not null);
        Assert.Equal(groups, seen);
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'pageSize' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(401, "1 validation error detected: Value '401' at 'pageSize' failed to satisfy constraint: Member must have value less than or equal to 400")]
    public void Elbv2_PageSizeOutside1To400_IsAValidationError(int pageSize, string message)
    {
        var aws = Seed.Truecaller();

        var balancers = Assert.Throws<AwsServiceException>(() => aws.Elbv2.DescribeLoadBalancersPage(null, null, null, pageSize));
        var groups = Assert.Throws<AwsServiceException>(() => aws.Elbv2.DescribeTargetGroupsPage([], null, pageSize));

        Assert.Equal(("ValidationError", message), (balancers.ErrorCode, balancers.ErrorMessage));
        Assert.Equal(("ValidationError", message), (groups.ErrorCode, groups.ErrorMessage));
        Assert.Equal(2, aws.Elbv2.DescribeLoadBalancersPage(null, null, null, 400).LoadBalancers.Count);
    }

    [Fact]
    public async Task GetLogEvents_ForwardTokenReadsOnlyWhatWasLoggedSince_AndAtTheEndAnswersTheSameToken()
    {
        var aws = Seed.Truecaller();
        const string Group = "/ecs/truecaller-backend", Stream = "ecs/truecaller-backend/abc";
        aws.Logs.Append(Group, Stream, aws.Clock.GetUtcNow(), ["one", "two", "three"]);

        var first = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, Limit: 2, StartFromHead: true), CancellationToken.None);
        var second = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, StartFromHead: true, NextToken: first.NextForwardToken), CancellationToken.None);
        var end = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, StartFromHead: true, NextToken: second.NextForwardToken), CancellationToken.None);
        aws.Logs.Append(Group, Stream, aws.Clock.GetUtcNow(), ["four"]);
        var later = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, StartFromHead: true, NextToken: end.NextForwardToken), CancellationToken.None);
        var back = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, Limit: 1, NextToken: second.NextBackwardToken), CancellationToken.None);
        var tail = await aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, Limit: 2), CancellationToken.None);

        Assert.Equal(["one", "two"], first.Events.Select(e => e.Message));
        Assert.Equal(["three"], second.Events.Select(e => e.Message));
        Assert.Empty(end.Events);
        Assert.Equal(second.NextForwardToken, end.NextForwardToken);
        Assert.Equal(["four"], later.Events.Select(e => e.Message));
        Assert.Equal(["two"], back.Events.Select(e => e.Message));
        Assert.Equal(["three", "four"], tail.Events.Select(e => e.Message));
        var invalid = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Logs.GetLogEventsAsync(new GetLogEventsRequest(Group, Stream, NextToken: "f/end"), CancellationToken.None));
        Assert.Equal("InvalidParameterException", invalid.ErrorCode);
    }
}
