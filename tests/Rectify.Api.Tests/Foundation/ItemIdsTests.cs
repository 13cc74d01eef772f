using Rectify.Api.Features.Items;

namespace Rectify.Api.Tests.Foundation;

/// <summary>Item ids: version 7, the time of their insert, and in the order of their seq within one time (an import's batches).</summary>
public sealed class ItemIdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 13, 45, 7, 123, TimeSpan.Zero);

    [Fact]
    public void Ids_AreVersion7_WithTheTimeOfTheInsert()
    {
        foreach (var seq in new[] { 1, 2, 63, 64, 65_535, 1_000_000, int.MaxValue })
        {
            var id = ItemWriter.IdInSequence(Now, seq);
            var text = id.ToString("N");
            text[12].ShouldBe('7');
            "89ab".ShouldContain(text[16]);
            Convert.ToInt64(text[..12], 16).ShouldBe(Now.ToUnixTimeMilliseconds());
        }
    }

    [Fact]
    public void Ids_FollowTheSeq_AsPostgreSqlOrdersThem_AndNeverRepeat()
    {
        // PostgreSQL orders uuids by their bytes, which is the order of their text.
        var seqs = Enumerable.Range(1, 5_000).Concat([65_535, 65_536, 1_000_000, 16_777_216, int.MaxValue]).ToList();
        var ids = seqs.Select(n => ItemWriter.IdInSequence(Now, n).ToString()).ToList();
        ids.ShouldBe(ids.Order(StringComparer.Ordinal).ToList());
        ids.Distinct().Count().ShouldBe(ids.Count);
        // The same seq at the same time twice (two campaigns inserting at one instant): 42 random bits tell them apart.
        Enumerable.Range(0, 1_000).Select(_ => ItemWriter.IdInSequence(Now, 7)).Distinct().Count().ShouldBe(1_000);
        // A later time sorts after every id of an earlier one.
        string.CompareOrdinal(ItemWriter.IdInSequence(Now.AddMilliseconds(1), 1).ToString(), ids[^1]).ShouldBeGreaterThan(0);
    }
}
