using System.Text.Json.Serialization;

namespace Rectify.Workflows.Notifications;

/// <summary>
/// What a message is about (docs/adr/0002-outbox-contract.md). Stored inside the outbox row's payload as
/// <c>subject: {type: item|assignment|deliverable|campaign|periodicReport|person, …}</c>. Names, titles and
/// deadlines that can change are read from the database when the message is sent; a subject carries only what
/// identifies it and what the database cannot tell afterwards (a deliverable's name from its definition version).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ItemRef), "item")]
[JsonDerivedType(typeof(AssignmentRef), "assignment")]
[JsonDerivedType(typeof(DeliverableRef), "deliverable")]
[JsonDerivedType(typeof(CampaignRef), "campaign")]
[JsonDerivedType(typeof(PeriodicReportRef), "periodicReport")]
[JsonDerivedType(typeof(PersonRef), "person")]
public abstract record MessageSubject
{
    /// <summary>The campaign the subject belongs to; null only for a person's digest.</summary>
    public abstract Guid? Campaign();

    /// <summary>The item the subject is (or is part of), if any.</summary>
    public virtual Guid? Item() => null;

    /// <summary>The deliverable the subject is, if any.</summary>
    public virtual Guid? Deliverable() => null;

    /// <summary>The unit the subject is about, when it is one unit's share (an assignment, a deliverable).</summary>
    public virtual string? Unit() => null;
}

/// <summary>A problem item as a whole (all its units).</summary>
public sealed record ItemRef(Guid CampaignId, Guid ItemId) : MessageSubject
{
    public override Guid? Campaign() => CampaignId;
    public override Guid? Item() => ItemId;
}

/// <summary>One unit's share of an item (分解交办): the item and the unit.</summary>
public sealed record AssignmentRef(Guid CampaignId, Guid ItemId, string UnitCode) : MessageSubject
{
    public override Guid? Campaign() => CampaignId;
    public override Guid? Item() => ItemId;
    public override string? Unit() => UnitCode;
}

/// <summary>A unit's deliverable (its plan, its report): which one, whose, due when.</summary>
public sealed record DeliverableRef(Guid CampaignId, Guid DeliverableId, string Kind, string Name, string? NameEn, string UnitCode, DateOnly DueDate) : MessageSubject
{
    public override Guid? Campaign() => CampaignId;
    public override Guid? Deliverable() => DeliverableId;
    public override string? Unit() => UnitCode;
}

/// <summary>A campaign as a whole (its phases, a launch summary for one unit).</summary>
public sealed record CampaignRef(Guid CampaignId) : MessageSubject
{
    public override Guid? Campaign() => CampaignId;
}

/// <summary>One periodic progress report of an ongoing item: the item and the date the report is due.</summary>
public sealed record PeriodicReportRef(Guid CampaignId, Guid ItemId, DateOnly ReportDate) : MessageSubject
{
    public override Guid? Campaign() => CampaignId;
    public override Guid? Item() => ItemId;
}

/// <summary>A person (the daily digest is about what one person has to read).</summary>
public sealed record PersonRef(Guid PersonId) : MessageSubject
{
    public override Guid? Campaign() => null;
}
