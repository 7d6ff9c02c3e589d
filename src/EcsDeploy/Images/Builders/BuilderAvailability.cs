using EcsDeploy.Images.Registry;

namespace EcsDeploy.Images.Builders;

/// <summary>Whether a builder can run on this machine, and why (or why not).</summary>
/// <param name="Available">True when the builder can run.</param>
/// <param name="Reason">For example <c>docker: client present, no daemon (Cannot connect ...)</c>.</param>
internal sealed record BuilderAvailability(bool Available, string Reason);
