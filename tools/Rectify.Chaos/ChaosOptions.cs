namespace Rectify.Chaos;

internal sealed record ChaosOptions(
    int Items, int Units, int EmailUnits, int Nodes, int ImportChunk, TimeSpan KillEvery, TimeSpan PostgresOutage,
    TimeSpan SmtpOutage, int DrainMinutes, int RecoveryLimitSeconds, string PgBin, string AppDll, string? WorkDir)
{
    public static ChaosOptions Parse(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != $"--{name}").Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Arg(name) is { } v ? int.Parse(v) : fallback;
        return new ChaosOptions(
            Items: Int("items", 50_000),
            Units: Int("units", 200),
            EmailUnits: Int("email-units", 20),
            Nodes: Int("nodes", 3),
            ImportChunk: Int("chunk", 5_000),
            KillEvery: TimeSpan.FromSeconds(Int("kill-every", 10)),
            PostgresOutage: TimeSpan.FromSeconds(Int("pg-outage", 20)),
            SmtpOutage: TimeSpan.FromSeconds(Int("smtp-outage", 60)),
            DrainMinutes: Int("drain-minutes", 20),
            RecoveryLimitSeconds: Int("recovery-limit", 30),
            PgBin: Arg("pg-bin") ?? throw new ArgumentException("--pg-bin is required"),
            AppDll: Arg("app") ?? throw new ArgumentException("--app is required"),
            WorkDir: Arg("work"));
    }
}
