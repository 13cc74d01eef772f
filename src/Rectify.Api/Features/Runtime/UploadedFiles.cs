namespace Rectify.Api.Features.Runtime;

/// <summary>
/// The files of an upload (the parts named <c>file</c> of a multipart/form-data body), read only when a command asks for
/// them, after its checks of who may upload where: a request that is not a form reads as null.
/// </summary>
public sealed class UploadedFiles(Func<CancellationToken, Task<IReadOnlyList<IFormFile>?>> read)
{
    /// <summary>The parts named <c>file</c> of <paramref name="request"/>'s form, or null when it is not a form.</summary>
    public static UploadedFiles From(HttpRequest request) =>
        new(async ct => request.HasFormContentType ? (await request.ReadFormAsync(ct)).Files.GetFiles("file") : null);

    public Task<IReadOnlyList<IFormFile>?> ReadAsync(CancellationToken ct) => read(ct);
}
