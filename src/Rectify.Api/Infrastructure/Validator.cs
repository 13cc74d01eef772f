using System.Globalization;
using System.Text.RegularExpressions;
using Rectify.Workflows.Domain;

namespace Rectify.Api.Infrastructure;

/// <summary>Collects field errors (Chinese / English) for one request; empty means valid.</summary>
public sealed partial class Validator
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public bool IsValid => errors.Count == 0;

    public IDictionary<string, string[]> Errors => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>A required text: present, not blank, within the length, without control characters.</summary>
    public string Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "必填 / required");
            return "";
        }
        return Text(field, value, maxLength) ?? "";
    }

    /// <summary>An optional text: null or blank becomes null; otherwise checked like a required one.</summary>
    public string? Optional(string field, string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : Text(field, value, maxLength);

    /// <summary>A long free text (description, measures): newlines and tabs allowed.</summary>
    public string? OptionalMultiline(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.Length > maxLength) Add(field, $"不能超过 {maxLength} 个字符 / at most {maxLength} characters");
        else if (SafeText.Problem(trimmed, multiline: true) is { } problem)
            Add(field, problem);
        return trimmed;
    }

    public string? OneOf(string field, string? value, IReadOnlySet<string> allowed, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) Add(field, "必填 / required");
            return null;
        }
        if (!allowed.Contains(value))
        {
            Add(field, $"取值无效，可选：{string.Join(", ", allowed)} / must be one of {string.Join(", ", allowed)}");
            return null;
        }
        return value;
    }

    /// <summary>A unit or user code: short, ASCII letters, digits, '-', '_' and '.'.</summary>
    public string Code(string field, string? value)
    {
        var code = Required(field, value, 64);
        if (code.Length > 0 && !CodePattern().IsMatch(code))
        {
            Add(field, "只能包含字母、数字、-、_、. / letters, digits, '-', '_' and '.' only");
        }
        return code;
    }

    public string? Email(string field, string? value)
    {
        var email = Optional(field, value, 254);
        if (email is not null && !EmailPattern().IsMatch(email)) Add(field, "邮箱格式不正确 / not a valid e-mail address");
        return email;
    }

    public string? Mobile(string field, string? value)
    {
        var mobile = Optional(field, value, 32);
        if (mobile is not null && !MobilePattern().IsMatch(mobile)) Add(field, "手机号格式不正确 / not a valid phone number");
        return mobile;
    }

    public string? HttpsUrl(string field, string? value)
    {
        var url = Optional(field, value, 2048);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")))
            Add(field, "必须是 http(s) 地址 / must be an http(s) URL");
        return url;
    }

    public TimeZoneInfo? TimeZone(string field, string? value)
    {
        var id = string.IsNullOrWhiteSpace(value) ? "Asia/Shanghai" : value.Trim();
        if (id.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            Add(field, "未知的时区 / unknown time zone");
            return null;
        }
        return zone;
    }

    /// <summary>An ISO 8601 duration of whole days, weeks, months or years (P1M, P2W, P10D).</summary>
    public string? Duration(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!DurationPattern().IsMatch(value) || value == "P")
        {
            Add(field, "必须是 ISO 8601 时长，如 P1M、P2W、P10D / must be an ISO 8601 duration such as P1M");
            return null;
        }
        return value;
    }

    public static bool TryParseDate(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private string? Text(string field, string value, int maxLength)
    {
        var trimmed = value.Trim();
        if (trimmed.Length > maxLength)
        {
            Add(field, $"不能超过 {maxLength} 个字符 / at most {maxLength} characters");
            return null;
        }
        if (SafeText.Problem(trimmed) is { } problem)
        {
            Add(field, problem);
            return null;
        }
        return trimmed;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._\-]*$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9\- ]{4,30}$")]
    private static partial Regex MobilePattern();

    [GeneratedRegex(@"^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$")]
    private static partial Regex DurationPattern();
}
