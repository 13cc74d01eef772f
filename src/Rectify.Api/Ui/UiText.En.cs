namespace Rectify.Api.Ui;

public sealed partial class UiText
{
    private static readonly Dictionary<string, string> English = new(StringComparer.Ordinal)
    {
        ["整改督办"] = "Rectification tracking",
    };
}
