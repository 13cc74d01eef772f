using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Rectify.Workflows.Definitions;

/// <summary>One schema violation: where (a JSON path such as <c>$.item.events[2].to</c>) and what.</summary>
public sealed record SchemaError(string Path, string Message);

/// <summary>
/// Checks a definition against <c>workflows/workflow.schema.json</c> with JsonSchema.Net (draft 2020-12): the library
/// decides what fails, every keyword of the specification included (a hand-written validator silently ignored keywords
/// it did not know). Every failure is reported, not only the first, each with its JSON path (<c>$.item.events[2].to</c>)
/// and a message in Chinese and English — what an author fixing a definition reads.
/// </summary>
public sealed class JsonSchemaValidator
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    private readonly JsonElement root;
    private readonly JsonSchema schema;

    public JsonSchemaValidator(JsonElement schema)
    {
        root = schema;
        this.schema = JsonSchema.FromText(schema.GetRawText(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    public IReadOnlyList<SchemaError> Validate(JsonElement instance)
    {
        var results = schema.Evaluate(instance, Options);
        if (results.IsValid) return [];
        var errors = new List<SchemaError>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } failures) continue;
            var segments = Segments(detail.InstanceLocation.ToString());
            var path = JsonPath(segments);
            var value = Walk(instance, segments);
            foreach (var (keyword, english) in failures)
                errors.AddRange(Describe(keyword, english, SchemaAt(detail.EvaluationPath.ToString(), keyword), value, path, segments));
        }
        return [.. errors.Distinct()];
    }

    private IEnumerable<SchemaError> Describe(string keyword, string english, JsonElement? subschema, JsonElement? value, string path, IReadOnlyList<string> segments)
    {
        JsonElement Rule() => subschema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty(keyword, out var r) ? r : default;
        if (subschema is { ValueKind: JsonValueKind.False } || keyword is "" or "false")
        {
            var name = segments.Count > 0 ? segments[^1] : "";
            yield return new SchemaError(path, $"不允许的属性 {name} / property {name} is not allowed");
            yield break;
        }
        switch (keyword)
        {
            case "type":
                var type = Rule().ValueKind == JsonValueKind.String ? Rule().GetString() : Rule().GetRawText();
                yield return new SchemaError(path, $"类型应为 {type}，实际为 {Describe(value)} / expected {type}, found {Describe(value)}");
                break;
            case "enum":
                var allowed = Rule().ValueKind == JsonValueKind.Array ? string.Join(", ", Rule().EnumerateArray().Select(o => o.GetRawText())) : "";
                yield return new SchemaError(path, $"取值 {Short(value)} 无效，可选：{allowed} / must be one of {allowed}");
                break;
            case "const":
                yield return new SchemaError(path, $"取值必须为 {Rule().GetRawText()} / must be {Rule().GetRawText()}");
                break;
            case "required":
                var missing = Rule().ValueKind == JsonValueKind.Array && value is { ValueKind: JsonValueKind.Object } o
                    ? Rule().EnumerateArray().Select(r => r.GetString()!).Where(n => !o.TryGetProperty(n, out _)).ToList()
                    : [];
                foreach (var name in missing) yield return new SchemaError(Child(path, name), $"缺少必填属性 {name} / required property {name} is missing");
                if (missing.Count == 0) yield return new SchemaError(path, $"缺少必填属性 / {english}");
                break;
            case "additionalProperties":
                break; // reported at each property not allowed (the false subschema above)
            case "minItems":
                yield return new SchemaError(path, $"至少需要 {Rule().GetInt32()} 项 / at least {Rule().GetInt32()} items");
                break;
            case "maxItems":
                yield return new SchemaError(path, $"最多 {Rule().GetInt32()} 项 / at most {Rule().GetInt32()} items");
                break;
            case "uniqueItems":
                var elements = value is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().ToList() : [];
                var any = false;
                for (var i = 0; i < elements.Count; i++)
                {
                    var j = elements.Take(i).ToList().FindIndex(e => JsonElement.DeepEquals(e, elements[i]));
                    if (j < 0) continue;
                    any = true;
                    yield return new SchemaError($"{path}[{i}]", $"与第 {j} 项重复 / duplicates item {j}");
                }
                if (!any) yield return new SchemaError(path, $"有重复项 / {english}");
                break;
            case "minLength":
                var min = Rule().GetInt32();
                yield return new SchemaError(path, min == 1 ? "不能为空 / must not be empty" : $"至少 {min} 个字符 / at least {min} characters");
                break;
            case "maxLength":
                yield return new SchemaError(path, $"不能超过 {Rule().GetInt32()} 个字符 / at most {Rule().GetInt32()} characters");
                break;
            case "pattern":
                yield return new SchemaError(path, $"“{(value is { ValueKind: JsonValueKind.String } v ? v.GetString() : Short(value))}”不符合格式 {Rule().GetString()} / does not match {Rule().GetString()}");
                break;
            case "minimum":
                yield return new SchemaError(path, $"不能小于 {Rule().GetDecimal()} / must be at least {Rule().GetDecimal()}");
                break;
            case "maximum":
                yield return new SchemaError(path, $"不能大于 {Rule().GetDecimal()} / must be at most {Rule().GetDecimal()}");
                break;
            default:
                yield return new SchemaError(path, $"不符合规则 {keyword} / {english}");
                break;
        }
    }

    /// <summary>
    /// The subschema a result is about, found by following its evaluation path from the root (through each
    /// <c>$ref</c>); a path that ends at the keyword itself gives the subschema holding it.
    /// </summary>
    private JsonElement? SchemaAt(string evaluationPath, string keyword)
    {
        var segments = Segments(evaluationPath);
        if (segments.Count > 0 && segments[^1] == keyword) segments.RemoveAt(segments.Count - 1);
        JsonElement node = root;
        foreach (var segment in segments)
        {
            if (segment == "$ref" && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference)
                && reference.GetString() is { } target && target.StartsWith("#/", StringComparison.Ordinal))
            {
                if (Walk(root, Segments(target[1..])) is not { } resolved) return null;
                node = resolved;
            }
            else if (Walk(node, [segment]) is { } child) node = child;
            // Segments that are not schema members (an evaluation path can name a keyword twice) are stepped over.
        }
        return node;
    }

    private static List<string> Segments(string pointer) =>
        [.. pointer.Split('/', StringSplitOptions.None).Skip(1).Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonElement? Walk(JsonElement node, IEnumerable<string> segments)
    {
        foreach (var segment in segments)
        {
            if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(segment, out var child)) node = child;
            else if (node.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < node.GetArrayLength()) node = node[i];
            else return null;
        }
        return node;
    }

    private static string JsonPath(IReadOnlyList<string> segments)
    {
        var path = "$";
        foreach (var segment in segments)
            path = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"{path}[{segment}]" : Child(path, segment);
        return path;
    }

    private static string Describe(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Short(JsonElement? value)
    {
        var text = value?.GetRawText() ?? "null";
        return text.Length > 60 ? text[..57] + "..." : text;
    }

    private static string Child(string path, string name) =>
        Regex.IsMatch(name, "^[A-Za-z_$][A-Za-z0-9_$]*$") ? $"{path}.{name}" : $"{path}[{JsonSerializer.Serialize(name)}]";
}
