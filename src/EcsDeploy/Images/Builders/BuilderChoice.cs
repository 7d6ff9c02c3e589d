using EcsDeploy.Processes;

namespace EcsDeploy.Images.Builders;

/// <summary>The builder picked for a run, why, and why each other one was not.</summary>
/// <param name="Builder">The builder.</param>
/// <param name="Why">Why it was picked.</param>
/// <param name="NotPicked">For each other builder, why not (for example <c>docker: client present, no daemon (...)</c>).</param>
internal sealed record BuilderChoice(IImageBuilder Builder, string Why, IReadOnlyList<string> NotPicked);
