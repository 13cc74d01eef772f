using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rectify.Workflows.Definitions;

/// <summary>One schema violation: where (a JSON path such as <c>$.item.events[2].to</c>) and what.</summary>
public sealed record SchemaError(string Path, string Message);

/// <summary>
/// The subset of JSON Schema (2020-12) that <c>workflows/workflow.schema.json</c> uses: type, properties, required,
/// additionalProperties: false, enum, const, pattern, minLength, maxLength, minimum, maximum, minItems, maxItems,
/// uniqueItems, items and $ref to <c>#/$defs/…</c>. No JSON-schema package is served here, and this subset keeps every
/// error (not only the first), which is what an author fixing a definition needs. Messages are Chinese / English.
/// </summary>
public sealed class JsonSchemaValidator
{
    private readonly JsonElement root;
    private readonly Dictionary<string, Regex> patterns = new(StringComparer.Ordinal);

    public JsonSchemaValidator(JsonElement schema) => root = schema;

    public IReadOnlyList<SchemaError> Validate(JsonElement instance)
    {
        var errors = new List<SchemaError>();
        Check(root, instance, "$", errors);
        return errors;
    }

    private void Check(JsonElement schema, JsonElement value, string path, List<SchemaError> errors)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(Resolve(reference.GetString()!), value, path, errors);
            return;
        }
        if (schema.TryGetProperty("type", out var type) && !HasType(value, type.GetString()!))
        {
            errors.Add(new SchemaError(path, $"类型应为 {type.GetString()}，实际为 {Describe(value)} / expected {type.GetString()}, found {Describe(value)}"));
            return;
        }
        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
        {
            var allowed = string.Join(", ", options.EnumerateArray().Select(o => o.GetRawText()));
            errors.Add(new SchemaError(path, $"取值 {Short(value)} 无效，可选：{allowed} / must be one of {allowed}"));
        }
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
            errors.Add(new SchemaError(path, $"取值必须为 {constant.GetRawText()} / must be {constant.GetRawText()}"));
        switch (value.ValueKind)
        {
            case JsonValueKind.Object: CheckObject(schema, value, path, errors); break;
            case JsonValueKind.Array: CheckArray(schema, value, path, errors); break;
            case JsonValueKind.String: CheckString(schema, value.GetString()!, path, errors); break;
            case JsonValueKind.Number: CheckNumber(schema, value.GetDecimal(), path, errors); break;
        }
    }

    private void CheckObject(JsonElement schema, JsonElement value, string path, List<SchemaError> errors)
    {
        schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                    errors.Add(new SchemaError(Child(path, name), $"缺少必填属性 {name} / required property {name} is missing"));
            }
        }
        var closed = schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                Check(propertySchema, property.Value, Child(path, property.Name), errors);
            else if (closed)
                errors.Add(new SchemaError(Child(path, property.Name), $"不允许的属性 {property.Name} / property {property.Name} is not allowed"));
        }
    }

    private void CheckArray(JsonElement schema, JsonElement value, string path, List<SchemaError> errors)
    {
        var count = value.GetArrayLength();
        if (schema.TryGetProperty("minItems", out var min) && count < min.GetInt32())
            errors.Add(new SchemaError(path, $"至少需要 {min.GetInt32()} 项 / at least {min.GetInt32()} items"));
        if (schema.TryGetProperty("maxItems", out var max) && count > max.GetInt32())
            errors.Add(new SchemaError(path, $"最多 {max.GetInt32()} 项 / at most {max.GetInt32()} items"));
        var elements = value.EnumerateArray().ToList();
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
        {
            for (var i = 0; i < elements.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (!JsonElement.DeepEquals(elements[i], elements[j])) continue;
                    errors.Add(new SchemaError($"{path}[{i}]", $"与第 {j} 项重复 / duplicates item {j}"));
                    break;
                }
            }
        }
        if (schema.TryGetProperty("items", out var items))
        {
            for (var i = 0; i < elements.Count; i++) Check(items, elements[i], $"{path}[{i}]", errors);
        }
    }

    private void CheckString(JsonElement schema, string value, string path, List<SchemaError> errors)
    {
        var length = new StringInfo(value).LengthInTextElements;
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
            errors.Add(new SchemaError(path, min.GetInt32() == 1 ? "不能为空 / must not be empty" : $"至少 {min.GetInt32()} 个字符 / at least {min.GetInt32()} characters"));
        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
            errors.Add(new SchemaError(path, $"不能超过 {max.GetInt32()} 个字符 / at most {max.GetInt32()} characters"));
        if (schema.TryGetProperty("pattern", out var pattern) && !Pattern(pattern.GetString()!).IsMatch(value))
            errors.Add(new SchemaError(path, $"“{value}”不符合格式 {pattern.GetString()} / does not match {pattern.GetString()}"));
    }

    private static void CheckNumber(JsonElement schema, decimal value, string path, List<SchemaError> errors)
    {
        if (schema.TryGetProperty("minimum", out var min) && value < min.GetDecimal())
            errors.Add(new SchemaError(path, $"不能小于 {min.GetDecimal()} / must be at least {min.GetDecimal()}"));
        if (schema.TryGetProperty("maximum", out var max) && value > max.GetDecimal())
            errors.Add(new SchemaError(path, $"不能大于 {max.GetDecimal()} / must be at most {max.GetDecimal()}"));
    }

    private JsonElement Resolve(string reference)
    {
        const string prefix = "#/$defs/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal) || !root.GetProperty("$defs").TryGetProperty(reference[prefix.Length..], out var target))
            throw new InvalidOperationException($"Unsupported $ref {reference} in the workflow schema");
        return target;
    }

    private Regex Pattern(string pattern)
    {
        if (!patterns.TryGetValue(pattern, out var regex))
            patterns[pattern] = regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200));
        return regex;
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new InvalidOperationException($"Unsupported type {type} in the workflow schema"),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Short(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 60 ? text[..57] + "..." : text;
    }

    private static string Child(string path, string name) =>
        Regex.IsMatch(name, "^[A-Za-z_$][A-Za-z0-9_$]*$") ? $"{path}.{name}" : $"{path}[{JsonSerializer.Serialize(name)}]";
}
