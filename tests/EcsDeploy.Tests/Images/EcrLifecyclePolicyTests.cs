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

    /// <summary>Each problem ECR's lifecycle policy check names, word for word (one policy per message).</summary>
    [Theory]
    [InlineData("not json", "Could not map policyString into LifecyclePolicy: the text must be a JSON object with a 'rules' array.")]
    [InlineData("""{"rules":[]}""", "The policy has no rules: give at least one rule.")]
    [InlineData("""{"rules":[1]}""", "rule 1 is not an object.")]
    [InlineData("""{"rules":[{"rulePriority":0,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule 1: rulePriority must be a positive integer.")]
    [InlineData("""{"rules":[{"rulePriority":3,"action":{"type":"expire"}}]}""", "rule with rulePriority 3: 'selection' is required.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"all","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: tagStatus must be 'tagged', 'untagged' or 'any', not 'all'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: a 'tagged' rule needs a non-empty tagPrefixList or tagPatternList.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: give tagPrefixList or tagPatternList, not both.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["*a*b*c*d*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: tag pattern '*a*b*c*d*' has 5 wildcards (*); ECR allows at most 4 in a pattern.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: tagPrefixList and tagPatternList are only allowed when tagStatus is 'tagged'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCount","countNumber":1},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: countType must be 'imageCountMoreThan' or 'sinceImagePushed', not 'imageCount'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: countNumber must be a positive integer.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countNumber":7},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: countType 'sinceImagePushed' needs countUnit 'days'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1,"countUnit":"days"},"action":{"type":"expire"}}]}""", "rule with rulePriority 1: countUnit is not allowed with countType 'imageCountMoreThan'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"keep"}}]}""", "rule with rulePriority 1: action.type must be 'expire'.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}""", "rulePriority 1 is used by 2 rules: each rule needs its own priority.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}""", "More than one rule has tagStatus 'any': keep one.")]
    [InlineData("""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}""", "The rule with tagStatus 'any' (rulePriority 1) must have the highest rulePriority of all rules: give it a number above 2.")]
    public void Parse_NamesEachProblem_InTheseWords(string policy, string message)
    {
        var problems = new List<string>();

        Assert.Null(EcrLifecyclePolicy.Parse(policy, problems));
        Assert.True(problems.Contains(message), $"Expected:\n  {message}\nProblems:\n  {string.Join("\n  ", problems)}");
    }
}
