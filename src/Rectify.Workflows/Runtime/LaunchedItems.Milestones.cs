using System.Globalization;
using Dapper;
using Npgsql;
using Rectify.Workflows.Calendar;

namespace Rectify.Workflows.Runtime;

public sealed partial class LaunchedItems
{
    private sealed record MilestoneRow(int Seq, DateOnly Date, string Text, DateTime? DoneAt, int Revision);

    /// <summary>
    /// What an edit does to a launched item's milestones: the ones kept as they are, the ones changed (the old row and
    /// the new date and text), the new ones and the removed ones; <see cref="Before"/>/<see cref="After"/> for the journal.
    /// </summary>
    private sealed record MilestonePlan(
        IReadOnlyList<MilestoneRow> Kept, IReadOnlyList<(MilestoneRow Old, MilestoneEdit New)> Changed, IReadOnlyList<MilestoneEdit> Added,
        IReadOnlyList<MilestoneRow> Removed)
    {
        public bool Any => Changed.Count + Added.Count + Removed.Count > 0;

        public IReadOnlyList<object> Before => [.. Kept.Concat(Changed.Select(c => c.Old)).Concat(Removed).OrderBy(m => m.Date).ThenBy(m => m.Seq).Select(View)];

        public IReadOnlyList<object> After => [.. Kept.Select(m => (m.Date, m.Text, Seq: (int?)m.Seq))
            .Concat(Changed.Select(c => (c.New.Date, c.New.Text, Seq: (int?)c.Old.Seq))).Concat(Added.Select(a => (a.Date, a.Text, Seq: (int?)null)))
            .OrderBy(m => m.Date).Select(m => (object)new { seq = m.Seq, date = Iso(m.Date), text = m.Text })];

        private static object View(MilestoneRow m) => new { seq = m.Seq, date = Iso(m.Date), text = m.Text, done = m.DoneAt is not null };
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Matches the milestones an edit sends with the item's: by <c>seq</c>, else by the same date and text, else new;
    /// the item's that are not sent are removed. Refused (with the field): an unknown or repeated <c>seq</c>, a done
    /// milestone changed or removed (it is a record of work done), a new or moved date in the past or after the item's
    /// deadline (a step of the item falls within its time limit; a later one needs an extension first).
    /// </summary>
    private static async Task<(MilestonePlan? Plan, EditRefused? Refusal)> PlanMilestonesAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, ItemSubject item, IReadOnlyList<MilestoneEdit> wanted, DateTimeOffset now, CancellationToken ct)
    {
        var current = (await connection.QueryAsync<MilestoneRow>(new CommandDefinition(
            "select seq, date, text, done_at as DoneAt, revision from item_milestones where item_id = @id order by seq",
            new { id = item.Id }, tx, cancellationToken: ct))).ToList();
        var open = current.ToDictionary(m => m.Seq);
        var kept = new List<MilestoneRow>();
        var changed = new List<(MilestoneRow, MilestoneEdit)>();
        var added = new List<MilestoneEdit>();
        var today = LocalTime.Date(now, item.Zone);

        EditRefused? DateProblem(int n, DateOnly date)
        {
            if (date < today)
                return new EditRefused($"阶段性节点日期 {Iso(date)} 已过（今天是 {Iso(today)}），请填写今天或以后的日期 / the milestone date is in the past", $"milestones[{n}].date");
            if (!item.Ongoing && item.EffectiveDeadline is { } deadline && date > deadline)
                return new EditRefused($"阶段性节点日期 {Iso(date)} 晚于问题的整改时限 {Iso(deadline)}：节点应在整改时限之内，如需推迟请先申请延期 / a milestone cannot be after the item's deadline",
                    $"milestones[{n}].date");
            return null;
        }

        // First the ones that name their number, so a number is never taken by a match on date and text.
        var pending = new List<(int N, MilestoneEdit Edit)>();
        for (var n = 0; n < wanted.Count; n++)
        {
            var w = wanted[n];
            if (w.Seq is not { } seq) { pending.Add((n, w)); continue; }
            if (!open.Remove(seq, out var old))
            {
                var known = current.Any(m => m.Seq == seq);
                return (null, new EditRefused(known ? $"阶段性节点 {seq} 重复出现 / milestone {seq} is listed twice" : $"阶段性节点 {seq} 不存在 / no milestone {seq}", $"milestones[{n}].seq"));
            }
            if (old.Date == w.Date && old.Text == w.Text) { kept.Add(old); continue; }
            if (old.DoneAt is not null)
                return (null, new EditRefused($"阶段性节点“{old.Text}”已标记完成，不能再修改 / a milestone marked done cannot change", $"milestones[{n}]"));
            if (old.Date != w.Date && DateProblem(n, w.Date) is { } problem) return (null, problem);
            changed.Add((old, w));
        }
        foreach (var (n, w) in pending)
        {
            var same = open.Values.FirstOrDefault(m => m.Date == w.Date && m.Text == w.Text);
            if (same is not null) { open.Remove(same.Seq); kept.Add(same); continue; }
            if (DateProblem(n, w.Date) is { } problem) return (null, problem);
            added.Add(w);
        }
        var removed = open.Values.OrderBy(m => m.Seq).ToList();
        if (removed.FirstOrDefault(m => m.DoneAt is not null) is { } done)
            return (null, new EditRefused($"阶段性节点“{done.Text}”已标记完成，不能删除 / a milestone marked done cannot be removed", "milestones"));
        return (new MilestonePlan(kept, changed, added, removed), null);
    }

    /// <summary>
    /// Writes a milestone plan and makes the reminders follow: a removed milestone's timer ends; a changed date, or a
    /// new milestone, gets the revision <paramref name="revision"/> (the item's version of this edit) and a timer of
    /// that cycle, so its reminder is a message of its own; a changed text keeps its timer (the reminder reads the text).
    /// </summary>
    private static async Task ApplyMilestonesAsync(ScheduleWork work, ItemSubject item, MilestonePlan plan, int revision, EffectBatch batch, CancellationToken ct)
    {
        var (connection, tx) = (work.Connection, work.Tx);
        var ended = plan.Removed.Select(m => m.Seq).Concat(plan.Changed.Where(c => c.Old.Date != c.New.Date).Select(c => c.Old.Seq)).ToArray();
        if (ended.Length > 0)
            await connection.ExecuteAsync(new CommandDefinition(
                "delete from timers where subject_id = @id and step = any(@steps)",
                new { id = item.Id, steps = ended.Select(Schedule.MilestoneStep).ToArray() }, tx, cancellationToken: ct));
        if (plan.Removed.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition("delete from item_milestones where item_id = @id and seq = any(@seqs)",
                new { id = item.Id, seqs = plan.Removed.Select(m => m.Seq).ToArray() }, tx, cancellationToken: ct));
        var scheduled = new List<(int Seq, DateOnly Date)>();
        foreach (var (old, edit) in plan.Changed)
        {
            var moved = old.Date != edit.Date;
            await connection.ExecuteAsync(new CommandDefinition("""
                update item_milestones set date = @Date, text = @Text, revision = case when @moved then @revision else revision end
                where item_id = @id and seq = @seq
                """, new { id = item.Id, seq = old.Seq, edit.Date, edit.Text, moved, revision }, tx, cancellationToken: ct));
            if (moved) scheduled.Add((old.Seq, edit.Date));
        }
        // New milestones take the lowest numbers free (1…50); the revision keeps a reused number's reminder apart.
        var taken = plan.Kept.Select(m => m.Seq).Concat(plan.Changed.Select(c => c.Old.Seq)).ToHashSet();
        var free = new Queue<int>(Enumerable.Range(1, 50).Where(n => !taken.Contains(n)));
        foreach (var edit in plan.Added)
        {
            var seq = free.Dequeue();
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into item_milestones(item_id, seq, date, text, revision) values (@id, @seq, @Date, @Text, @revision)
                """, new { id = item.Id, seq, edit.Date, edit.Text, revision }, tx, cancellationToken: ct));
            scheduled.Add((seq, edit.Date));
        }
        foreach (var (seq, date) in scheduled)
        {
            if (Schedule.MilestoneReminder(work.Definition, work.Calendar, work.Zone, date, work.Now) is { } due)
                batch.Timers.Add(new NewTimer(due, "item", item.Id, item.CampaignId, revision, Schedule.MilestoneStep(seq)));
        }
    }
}
