using EcsDeploy.Images;

namespace EcsDeploy.Tests.Images;

/// <summary>The lifecycle policy text, its validation, normal form and evaluation.</summary>
public sealed class EcrLifecyclePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void KeepLastImages_IsTheSeedsRuleExactly_AndLongEnoughForEcr()
    {
        var text = EcrLifecyclePolicy.KeepLastImages(10);

        Assert.Equal("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}""", text);
        Assert.InRange(text.Length, 100, 30720);
        var problems = new List<string>();
        Assert.NotNull(EcrLifecyclePolicy.Parse(text, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void Normalise_IgnoresSpacingMemberOrderAndRuleOrder_ButNotValues()
    {
        var ours = EcrLifecyclePolicy.KeepLastImages(10);
        var theirs = """
            { "rules": [ { "action": { "type": "expire" }, "selection": { "countNumber": 10, "countType": "imageCountMoreThan", "tagStatus": "any" }, "rulePriority": 1 } ] }
            """;

        Assert.True(EcrLifecyclePolicy.AreEquivalent(ours, theirs));
        Assert.False(EcrLifecyclePolicy.AreEquivalent(ours, EcrLifecyclePolicy.KeepLastImages(11)));
        Assert.False(EcrLifecyclePolicy.AreEquivalent(ours, ours.Replace("\"rulePriority\":1,", "\"rulePriority\":1,\"description\":\"keep\",", StringComparison.Ordinal)));
        var twoRules = """{"rules":[{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}""";
        var reordered = """{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}""";
        Assert.True(EcrLifecyclePolicy.AreEquivalent(twoRules, reordered));
    }

    [Fact]
    public void Parse_ListsEveryProblem()
    {
        var problems = new List<string>();
        var rules = EcrLifecyclePolicy.Parse("""
            {"rules":[
              {"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},
              {"rulePriority":2,"selection":{"tagStatus":"tagged","countType":"sinceImagePushed","countNumber":0},"action":{"type":"delete"}}
            ]}
            """, problems);

        Assert.Null(rules);
        Assert.Contains(problems, p => p.Contains("needs a non-empty tagPrefixList or tagPatternList", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("countNumber must be a positive integer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("needs countUnit 'days'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("action.type must be 'expire'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("tagStatus 'any' (rulePriority 1) must have the highest rulePriority", StringComparison.Ordinal) && p.Contains("above 2", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
        Assert.Null(EcrLifecyclePolicy.Parse("not json", problems));
    }

    [Fact]
    public void Expired_KeepsTheNewestByPushTime_AndALaterRuleNeverSeesAnImageAnEarlierOneMatched()
    {
        LifecycleImage Image(string name, int minutesAgo, params string[] tags) => new(name, tags, Now.AddMinutes(-minutesAgo));
        var images = new[] { Image("a", 50, "v1"), Image("b", 40), Image("c", 30, "v2"), Image("d", 20), Image("e", 10, "latest") };
        var problems = new List<string>();
        var keepTwo = EcrLifecyclePolicy.Parse(EcrLifecyclePolicy.KeepLastImages(2), problems)!;
        Assert.Equal(["c", "b", "a"], EcrLifecyclePolicy.Expired(keepTwo, images, Now).Select(i => i.Digest));

        // Keep 1 untagged and 1 "v*" image; the "any" rule sees only what rules 1 and 2 did not match (e).
        var rules = EcrLifecyclePolicy.Parse("""
            {"rules":[
              {"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
              {"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
              {"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}
            ]}
            """, problems)!;
        Assert.Empty(problems);
        Assert.Equal(["b", "a"], EcrLifecyclePolicy.Expired(rules, images, Now).Select(i => i.Digest));
    }
}
