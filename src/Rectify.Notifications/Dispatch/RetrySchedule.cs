using Microsoft.Extensions.Options;

namespace Rectify.Notifications.Dispatch;

/// <summary>
/// Durable back-off between attempts: base × factor^(n−1), capped, with ±20% jitter so rows that failed together
/// (a mail server outage) do not all come back in the same second. Defaults: 1, 3, 9, 27, 81, 243, 729 minutes
/// between the 8 attempts, about 18 hours in all. The in-process part of a send (its timeout) is a Polly pipeline.
/// </summary>
public sealed class RetrySchedule(IOptions<NotificationOptions> options)
{
    /// <summary>Delay after the <paramref name="attempt"/>-th failed attempt (1-based).</summary>
    public TimeSpan DelayAfter(int attempt, double jitterSample)
    {
        var o = options.Value;
        var raw = o.RetryBaseDelay.TotalMilliseconds * Math.Pow(o.RetryFactor, Math.Max(0, attempt - 1));
        var capped = Math.Min(raw, o.RetryMaxDelay.TotalMilliseconds);
        var jitter = 0.8 + 0.4 * Math.Clamp(jitterSample, 0, 1);
        return TimeSpan.FromMilliseconds(capped * jitter);
    }

    public TimeSpan DelayAfter(int attempt) => DelayAfter(attempt, Random.Shared.NextDouble());

    public bool IsLast(int attempt) => attempt >= options.Value.MaxAttempts;
}
