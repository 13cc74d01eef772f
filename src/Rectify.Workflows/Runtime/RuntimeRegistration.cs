using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rectify.Workflows.Calendar;
using Rectify.Workflows.Clock;
using Rectify.Workflows.Definitions;
using Rectify.Workflows.Timers;

namespace Rectify.Workflows.Runtime;

public static class RuntimeRegistration
{
    /// <summary>Definitions, calendar, launch, events and the timer sweep. Call after the clock and the start-up tasks.</summary>
    public static IServiceCollection AddRectifyRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TimerOptions>().BindConfiguration("Rectify:Timers");
        services.AddSingleton(_ => EmbeddedSchema.Validator());
        services.AddSingleton<DefinitionStore>();
        services.AddSingleton<WorkingCalendar>();
        services.AddSingleton<CalendarSeeder>();
        services.AddSingleton<CampaignLauncher>();
        services.AddSingleton<ItemEventService>();
        services.AddSingleton<LaunchedItems>();
        services.AddSingleton<ManualLetters>();
        services.AddSingleton<DeliverableService>();
        services.AddSingleton<TalkAppointments>();
        services.AddSingleton<TimerSweeper>();
        services.TryAddSingleton<JobGuard>();
        services.AddSingleton<IDueWorkBarrier, SweepBarrier>();
        services.AddSingleton<TimerServiceState>();
        services.AddHostedService<TimerService>();
        return services;
    }
}

/// <summary>workflows/workflow.schema.json, embedded in this assembly so every host validates with the same schema.</summary>
public static class EmbeddedSchema
{
    public static DefinitionValidator Validator()
    {
        using var stream = typeof(EmbeddedSchema).Assembly.GetManifestResourceStream("Rectify.Workflows.workflow.schema.json")
            ?? throw new InvalidOperationException("workflow.schema.json is not embedded");
        using var doc = JsonDocument.Parse(stream);
        return new DefinitionValidator(new JsonSchemaValidator(doc.RootElement.Clone()));
    }
}
