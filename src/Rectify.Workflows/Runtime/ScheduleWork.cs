using Npgsql;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Definitions;

namespace Rectify.Workflows.Runtime;

/// <summary>
/// One launch or change inside its transaction: the connection and transaction it writes through, the definition, working-day
/// calendar and time zone its schedules are computed by, and the instant it happens.
/// </summary>
internal sealed record ScheduleWork(
    NpgsqlConnection Connection, NpgsqlTransaction Tx, WorkflowDefinition Definition, CalendarSnapshot Calendar, TimeZoneInfo Zone, DateTimeOffset Now);
