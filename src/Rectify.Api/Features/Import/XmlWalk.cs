using System.Xml;

namespace Rectify.Api.Features.Import;

/// <summary>
/// Walks an OOXML part node by node for the readers of shared strings and sheets. Two things every such loop must get
/// right are kept here once: reading an element's text moves the reader onto the next node already (so that node must
/// not be skipped by the next <see cref="Next"/>), and text inside phonetic runs (<c>rPh</c>, the furigana/pinyin of
/// a cell) is not the cell's text.
/// </summary>
internal sealed class XmlWalk(XmlReader reader)
{
    private bool standing;
    private int phonetic;

    /// <summary>Moves to the next node; false at the end of the part. Malformed XML is a 400 (<see cref="XmlPart.Read"/>).</summary>
    public bool Next()
    {
        // A node the reader was left on by Text() is counted here, when the walk arrives at it, like any other.
        if (standing) standing = false;
        else if (!XmlPart.Read(reader)) return false;
        if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh" && !reader.IsEmptyElement) phonetic++;
        else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "rPh") phonetic = Math.Max(0, phonetic - 1);
        return true;
    }

    /// <summary>The local name of the start element the walk stands on, else null.</summary>
    public string? Start => reader.NodeType == XmlNodeType.Element ? reader.LocalName : null;

    /// <summary>The local name of the end element the walk stands on, else null.</summary>
    public string? End => reader.NodeType == XmlNodeType.EndElement ? reader.LocalName : null;

    /// <summary>True inside a phonetic run, whose text is a reading aid and not the cell's text.</summary>
    public bool InPhonetic => phonetic > 0;

    public bool IsEmptyElement => reader.IsEmptyElement;

    public string? Attribute(string name) => reader.GetAttribute(name);

    /// <summary>The element's text; the walk then stands on the node after it, which <see cref="Next"/> returns first.</summary>
    public string Text()
    {
        var text = XmlPart.Text(reader);
        standing = true;
        return text;
    }
}
