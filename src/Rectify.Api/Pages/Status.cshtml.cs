using Microsoft.AspNetCore.Mvc.RazorPages;
using Rectify.Api.Ui;

namespace Rectify.Api.Pages;

/// <summary>The page shown for an error status (404 and the like) on a browser path; keeps the original status code.</summary>
public sealed class StatusModel(UiText text) : PageModel
{
    public int Code { get; private set; }
    public string Title { get; private set; } = "";
    public string Message { get; private set; } = "";

    public void OnGet(int code)
    {
        // Reached directly (not re-executed) the page still answers with the status it names.
        if (!HttpContext.Items.ContainsKey(Hosting.WebUi.StatusPageMarker)) Response.StatusCode = code is >= 400 and < 600 ? code : 404;
        Code = Response.StatusCode;
        (Title, Message) = Code switch
        {
            404 => (text["页面不存在"], text["您要找的页面或记录不存在，或您无权查看。"]),
            403 => (text["无权访问"], text["您的角色不能查看此页面。"]),
            400 => (text["请求有误"], text["请求内容有误，请返回重试。"]),
            _ => (text["出错了"], text["服务暂时无法完成请求，请稍后重试。"]),
        };
    }
}
