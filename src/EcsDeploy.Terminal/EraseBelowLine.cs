using Spectre.Console.Rendering;

namespace EcsDeploy.Terminal;

/// <summary>A renderable that ends with a line break, optionally after erasing from the cursor to the end of the screen.</summary>
internal sealed class EraseBelowLine(IRenderable inner, bool eraseBelow) : IRenderable
{
    public Measurement Measure(RenderOptions options, int maxWidth) => inner.Measure(options, maxWidth);

    public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
    {
        var segments = inner.Render(options, maxWidth).ToList();
        if (segments.Count == 0 || !segments[^1].IsLineBreak)
        {
            segments.Add(Segment.LineBreak);
        }
        if (eraseBelow)
        {
            segments.Insert(0, Segment.Control("\u001b[J"));
        }
        return segments;
    }
}
