using System.Globalization;
using System.Text.Json;
using Rectify.Workflows.Notifications;

namespace Rectify.Notifications.Content;

/// <summary>An item as a message names it.</summary>
public sealed record ItemFacts(
    Guid Id, Guid CampaignId, string? Number, string Title, string? Description, string? Measures, DateOnly? Deadline,
    DateOnly? EffectiveDeadline, bool Ongoing, string State, string EscalationLevel, string LeadUnit, string LeadUnitName,
    Guid? LeaderId, string? LeaderName);

/// <summary>A campaign as a message names it.</summary>
public sealed record CampaignFacts(
    Guid Id, string Title, string? DocumentNumber, string TimeZone, string IssuedByUnit, string IssuedByName,
    string? SupervisionUnit, string? SupervisionName, string Phases);

/// <summary>A supervision letter of an escalation: its number and response date, and its .docx when it has been built (Content).</summary>
public sealed record LetterInfo(Guid EscalationId, string Number, string FileName, DateOnly ResponseDue, byte[]? Content, string OfficeName);

/// <summary>
/// A payload in the shape of rows queued before the typed contract (issue 14), read by string keys, tolerant of
/// wrong types. Only <see cref="MessageReader.Legacy"/> uses it.
/// </summary>
public sealed class LegacyPayload
{
    private readonly JsonElement root;

    private LegacyPayload(JsonElement root) => this.root = root;

    public static LegacyPayload Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new LegacyPayload(default);
        try
        {
            using var doc = JsonDocument.Parse(json);
            return new LegacyPayload(doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : default);
        }
        catch (JsonException)
        {
            return new LegacyPayload(default);
        }
    }

    private JsonElement? Find(string path)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        var current = root;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var next)) return null;
            current = next;
        }
        return current.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : current;
    }

    public string? String(params string[] paths)
    {
        foreach (var path in paths)
        {
            if (Find(path) is not { } e) continue;
            var s = e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
            if (!string.IsNullOrWhiteSpace(s)) return s.Trim();
        }
        return null;
    }

    public int? Int(params string[] paths)
    {
        foreach (var path in paths)
        {
            if (Find(path) is not { } e) continue;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n)) return n;
            if (e.ValueKind == JsonValueKind.String && int.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        }
        return null;
    }

    /// <summary>A local date "YYYY-MM-DD" (an instant's date part is accepted too).</summary>
    public DateOnly? Date(params string[] paths)
    {
        foreach (var path in paths)
        {
            var s = String(path);
            if (s is null) continue;
            if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            if (s.Length > 10 && DateOnly.TryParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d)) return d;
        }
        return null;
    }

    public Guid? Guid(string path) => System.Guid.TryParse(String(path), out var g) ? g : null;

    public bool? Bool(string path) => Find(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } e ? e.GetBoolean() : null;

    public DateTimeOffset? Instant(string path) =>
        DateTimeOffset.TryParse(String(path), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public IReadOnlyList<string> Strings(string path) => Find(path) is { ValueKind: JsonValueKind.Array } e
        ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
        : [];
}

/// <summary>
/// Everything a template may say about one message, with the dates already worked out: the typed message the runtime
/// wrote (<see cref="Message"/>), the item and campaign as they are now, unit names, and the deadline that matters
/// for this message (the item's, a periodic report's, a deliverable's) with its working days left or overdue.
/// </summary>
public sealed record MessageFacts(
    long OutboxId, OutboxMessage Message, string Language, string RecipientName, string? RecipientUnitName,
    ItemFacts? Item, CampaignFacts? Campaign, DateOnly Today, DateOnly? Deadline,
    int? WorkingDaysLeft, int? OverdueDays, int? WorkingDaysOverdue, string Link, string BaseUrl, LetterInfo? Letter,
    IReadOnlyList<DigestLine> Digest, IReadOnlyDictionary<string, string> UnitNames, TalkFacts? Talk = null)
{
    public string Kind => Message.Kind;
    public string? Level => Message.Level;

    /// <summary>A unit's name; the code only when the unit no longer exists.</summary>
    public string? UnitName(string? code) => code is null ? null : UnitNames.TryGetValue(code, out var n) ? n : null;
}

/// <summary>The time and place an office set for an admonitory talk (约谈).</summary>
/// <param name="Revision">1 for the first notice; more when the office moved the talk.</param>
public sealed record TalkFacts(DateTimeOffset At, string Place, string? People, int Revision = 1);

/// <summary>One line of a daily digest: a message folded into it, or an item that is due, overdue or escalated.</summary>
public sealed record DigestLine(string Section, string Text, string TextEn, string? Link);
