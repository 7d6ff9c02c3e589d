using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Amazon.Runtime;

namespace EcsDeploy.Aws.Wire;

/// <summary>The result element of a Query answer, with reads that the conformance tests can observe.</summary>
internal sealed class XmlResult(XElement? element, AwsWireService service, string operation, IAwsWireObserver? observer)
{
    /// <summary>The result element (<c>&lt;OperationResult&gt;</c>), or null when the answer has none.</summary>
    public XElement? Root => element;

    /// <summary>The first child element of <paramref name="parent"/> named <paramref name="name"/>.</summary>
    public XElement? Child(XElement? parent, string name)
    {
        if (parent is null)
        {
            return null;
        }
        if (observer is not null)
        {
            observer.XmlElementRead(service, operation, PathOf(parent) + name);
        }
        return parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);
    }

    /// <summary>The text of a child element, or null.</summary>
    public string? Text(XElement? parent, string name) => Child(parent, name)?.Value;

    /// <summary>The <c>member</c> elements of the list element <paramref name="name"/> under <paramref name="parent"/>.</summary>
    public IEnumerable<XElement> Members(XElement? parent, string name)
    {
        var list = Child(parent, name);
        return list?.Elements().Where(e => e.Name.LocalName == "member") ?? [];
    }

    private string PathOf(XElement node)
    {
        var names = new List<string>();
        for (var current = node; current is not null && current != element; current = current.Parent)
        {
            names.Add(current.Name.LocalName);
        }
        names.Reverse();
        return names.Count == 0 ? "" : string.Join('/', names) + "/";
    }
}
