namespace EcsDeploy.Images.Builders;

/// <summary>One instruction of the supported subset, after variable substitution.</summary>
internal abstract record DockerStep(int Line, string Text);
internal sealed record WorkdirStep(int Line, string Text, string Path) : DockerStep(Line, Text);
internal sealed record CopyStep(int Line, string Text, IReadOnlyList<string> Sources, string Destination) : DockerStep(Line, Text);
internal sealed record EnvStep(int Line, string Text, IReadOnlyList<KeyValuePair<string, string>> Pairs) : DockerStep(Line, Text);
internal sealed record LabelStep(int Line, string Text, IReadOnlyList<KeyValuePair<string, string>> Pairs) : DockerStep(Line, Text);
internal sealed record ExposeStep(int Line, string Text, IReadOnlyList<string> Ports) : DockerStep(Line, Text);
internal sealed record CmdStep(int Line, string Text, IReadOnlyList<string> Command) : DockerStep(Line, Text);
internal sealed record EntrypointStep(int Line, string Text, IReadOnlyList<string> Command) : DockerStep(Line, Text);
internal sealed record UserStep(int Line, string Text, string User) : DockerStep(Line, Text);
internal sealed record StopSignalStep(int Line, string Text, string Signal) : DockerStep(Line, Text);
