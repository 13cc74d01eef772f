namespace Rectify.Api.Features.Documents;

/// <summary>Chinese words for the wire vocabularies, as documents print them.</summary>
public static class Labels
{
    /// <summary>An item's or a deliverable's state, in the words the UI uses (one vocabulary: <see cref="Ui.Labels"/>).</summary>
    public static string State(string state) =>
        Ui.Labels.ItemState.TryGetValue(state, out var item) ? item
        : Ui.Labels.DeliverableState.TryGetValue(state, out var deliverable) ? deliverable
        : state;

    /// <summary>An escalation level in the UI's words; none prints as nothing.</summary>
    public static string Escalation(string level) =>
        level == "none" ? "" : Ui.Labels.Escalation.TryGetValue(level, out var label) ? label : level;

    /// <summary>2026年6月20日</summary>
    public static string Date(DateOnly date) => $"{date.Year}年{date.Month}月{date.Day}日";

    /// <summary>2026-06-20, as spreadsheets sort and the import reads back.</summary>
    public static string IsoDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
