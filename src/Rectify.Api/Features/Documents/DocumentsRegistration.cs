using Rectify.Api.Features.CalendarFeeds;
using Rectify.Api.Features.Import;
using Rectify.Api.Infrastructure;

namespace Rectify.Api.Features.Documents;

/// <summary>Import, ledger, reports and calendar feeds (issue 6).</summary>
public static class DocumentsRegistration
{
    public static IServiceCollection AddRectifyDocuments(this IServiceCollection services)
    {
        services.AddOptions<ImportOptions>().BindConfiguration("Rectify:Import");
        return services;
    }

    /// <summary>The campaign's documents: the ledger and the report.</summary>
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/campaigns/{campaignId:guid}/ledger.xlsx", LedgerApi.Ledger).WithTags("Documents").RequireAuthorization();
        app.MapGet("/api/campaigns/{campaignId:guid}/report.docx", ReportApi.Report).WithTags("Documents").RequireAuthorization();
        return app;
    }
}
