using Rectify.Api.Features.Documents;
using Rectify.Api.Hosting;
using Rectify.Api.Jobs;
using Rectify.Api.Operations;
using Rectify.Notifications;
using Rectify.Workflows.Persistence;
using Rectify.Workflows.Runtime;

var builder = WebApplication.CreateBuilder(args);

builder.AddRectifyLogging();
builder.Services.AddRectifyPersistence(builder.Configuration);
builder.Services.AddRectifyClock(builder.Configuration);
builder.Services.AddRectifyAuth();
builder.Services.AddRectifyApi();
builder.Services.AddRectifyStartup(builder.Configuration);
builder.Services.AddRectifyRuntime(builder.Configuration);
builder.Services.AddRectifyHealth();
builder.Services.AddRectifyDocuments();
builder.Services.AddRectifyRetention();
builder.Services.AddRectifyJobs(builder.Configuration);
builder.Services.AddRectifyNotifications(builder.Configuration);
builder.Services.AddRectifyWebUi();
builder.Services.AddRectifyObservability(builder.Configuration);

var app = builder.Build();

app.UseRectifyPipeline();
app.UseRectifyMetrics();
app.UseRectifyWebUi();
app.MapRectifyEndpoints();

app.Run();

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
