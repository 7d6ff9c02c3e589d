namespace EcsDeploy;

/// <summary>Options that <see cref="PipelineBuilder.Build"/> freezes, so a built definition cannot change behind it.</summary>
internal interface IFreezable
{
    /// <summary>Refuses every later change.</summary>
    void Freeze();
}

/// <summary>The guard an options class calls at the start of every setter.</summary>
internal sealed class FreezeGuard(string stage)
{
    private volatile bool _frozen;

    public void Freeze() => _frozen = true;

    public void EnsureMutable()
    {
        if (_frozen)
        {
            throw new InvalidOperationException($"The {stage} options belong to a built pipeline and are immutable: set them inside the configure callback before Build(), or start a new pipeline with Pipeline.For(...).");
        }
    }
}
