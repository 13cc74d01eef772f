using Rectify.Workflows.Definitions;
using Rectify.Workflows.Runtime;

namespace Rectify.Workflows.Tests.Definitions;

/// <summary>The definitions shipped in workflows/, read as the service reads them.</summary>
public static class ShippedDefinitions
{
    public static string Directory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "workflows", "workflow.schema.json"))) dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("workflows/ not found above the test binaries"), "workflows");
        }
    }

    public static string Json(string id) => File.ReadAllText(Path.Combine(Directory, id + ".json"));

    public static WorkflowDefinition Load(string id)
    {
        var check = EmbeddedSchema.Validator().Check(Json(id));
        if (!check.IsValid) throw new InvalidOperationException(string.Join("\n", check.Errors));
        return check.Definition!;
    }
}

public sealed class DefinitionValidationTests
{
    [Theory]
    [InlineData("rectification-campaign")]
    [InlineData("monthly-supervision")]
    public void ShippedDefinition_IsValid(string id)
    {
        var check = EmbeddedSchema.Validator().Check(ShippedDefinitions.Json(id));
        check.Errors.ShouldBeEmpty();
        check.Definition!.Id.ShouldBe(id);
    }

    [Fact]
    public void Check_ListsEverySchemaErrorWithItsPath()
    {
        var json = ShippedDefinitions.Json("rectification-campaign")
            .Replace("\"at\": \"09:00\",\n    \"onNonWorkingDay\"", "\"at\": \"25:00\",\n    \"onNonWorkingDay\"")
            .Replace("\"workingDaysAfterDeadline\": 4", "\"workingDaysAfterDeadline\": \"four\"")
            .Replace("\"roles\": [\"leadingGroup\", \"admin\"], \"notify\": [\"leadUnit\", \"responsibleUnits\"] },\n      { \"type\": \"returnClosure\"",
                     "\"roles\": [\"boss\"], \"notify\": [\"leadUnit\", \"responsibleUnits\"] },\n      { \"type\": \"returnClosure\"");
        var errors = EmbeddedSchema.Validator().Check(json).Errors;
        errors.Select(e => e.Path).ShouldBe(["$.item.events[3].roles[0]", "$.reminders.at", "$.escalation.ladder[1].workingDaysAfterDeadline"], ignoreOrder: true);
        errors.ShouldAllBe(e => e.Message.Contains(" / "));
    }

    [Fact]
    public void Check_MissingRequiredAndUnknownProperty_EachReportedWithPathInBothLanguages()
    {
        var json = ShippedDefinitions.Json("rectification-campaign")
            .Replace("\"workingDaysAfterDeadline\": 4,", "\"workingDayAfterDeadline\": 4,");
        var errors = EmbeddedSchema.Validator().Check(json).Errors;
        errors.ShouldContain(e => e.Path == "$.escalation.ladder[1].workingDaysAfterDeadline" && e.Message.StartsWith("缺少必填属性 workingDaysAfterDeadline / ", StringComparison.Ordinal));
        errors.ShouldContain(e => e.Path == "$.escalation.ladder[1].workingDayAfterDeadline" && e.Message.StartsWith("不允许的属性 workingDayAfterDeadline / ", StringComparison.Ordinal));
        errors.Count.ShouldBe(2);
    }

    [Fact]
    public void Check_FindsMeaningErrorsTheSchemaCannotSee()
    {
        var json = ShippedDefinitions.Json("rectification-campaign")
            .Replace("\"due\": { \"phase\": \"plan\"", "\"due\": { \"phase\": \"planning\"")
            .Replace("\"workingDaysAfterDeadline\": 11", "\"workingDaysAfterDeadline\": 3");
        var errors = EmbeddedSchema.Validator().Check(json).Errors;
        errors.Select(e => e.Path).ShouldBe(["$.deliverables[0].due.phase", "$.escalation.ladder[2].workingDaysAfterDeadline"], ignoreOrder: true);
    }

    [Fact]
    public void Check_MalformedJson_IsOneError()
    {
        var errors = EmbeddedSchema.Validator().Check("{ \"id\": ").Errors;
        errors.Count.ShouldBe(1);
        errors[0].Message.ShouldContain("JSON");
    }
}
