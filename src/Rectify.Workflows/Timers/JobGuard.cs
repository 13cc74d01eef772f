using Microsoft.Extensions.Logging;
using Npgsql;

namespace Rectify.Workflows.Timers;

/// <summary>
/// One run of a background job that must not stop the host: a database failure is logged and retried at the next
/// run; any other failure opens (or counts on) the job's incident, shown on /admin/incidents, and the next run that
/// goes through closes it. The host stops only for what it cannot survive, never for one bad row a job stumbles on.
/// </summary>
public sealed class JobGuard(NpgsqlDataSource db, TimeProvider clock, ILogger<JobGuard> logger)
{
    // Jobs this node knows to have no open incident; the first run that goes through after start-up or a failure closes
    // any (one small update), later ones cost nothing.
    private readonly HashSet<string> clear = [];
    private readonly Lock gate = new();

    /// <returns>Whether the run went through.</returns>
    public async Task<bool> RunAsync(string job, Func<CancellationToken, Task> run, CancellationToken ct)
    {
        try
        {
            await run(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (!Incidents.IsSubjectFault(ex, ct))
        {
            logger.LogWarning(ex, "Background job {Job} failed (database); trying again at its next run", job);
            return false;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Background job {Job} failed; recorded as an incident, trying again at its next run", job);
            lock (gate) clear.Remove(job);
            try { await Incidents.JobFailedAsync(db, job, ex, clock.GetUtcNow(), ct); }
            catch (NpgsqlException recordError) { logger.LogWarning(recordError, "Could not record the incident of job {Job}", job); }
            return false;
        }
        bool known;
        lock (gate) known = clear.Contains(job);
        if (!known)
        {
            try
            {
                await Incidents.JobSucceededAsync(db, job, clock.GetUtcNow(), ct);
                lock (gate) clear.Add(job);
            }
            catch (NpgsqlException recordError) { logger.LogWarning(recordError, "Could not close the incident of job {Job}", job); }
        }
        return true;
    }
}
