using Rectify.Api.Features.Documents;

namespace Rectify.Api.Features.Import;

/// <summary>The problem-list template offices download, fill in Excel and import: the columns and how to write a deadline.</summary>
public static class ImportTemplate
{
    public const string ContentType = XlsxBuilder.ContentType;

    public static byte[] Build()
    {
        (string, double)[] columns =
        [
            ("序号", 6), ("问题类别", 14), ("反馈问题", 40), ("整改措施", 40), ("整改目标", 24), ("责任领导", 10),
            ("牵头单位", 16), ("责任单位", 24), ("整改时限", 16),
        ];
        object?[][] examples =
        [
            ["1", "精准识别方面", "（示例，导入前请删除）贫困户识别不精准，存在错评、漏评现象", "开展“回头看”全面排查，逐户核实", "错评率、漏评率降至2%以下", "",
                "县扶贫办", "各乡镇、县民政局", "6月10日前"],
            ["2", "精准识别方面", "（示例，导入前请删除）部分档案资料不规范", "规范建档立卡资料", "资料齐全规范", "", "县扶贫办", "", "长期坚持"],
        ];
        string[][] notes =
        [
            ["列", "说明"],
            ["表头", "表头行上方可以有标题行；列名可用同义词：问题类别/存在问题，反馈问题/问题描述，牵头单位/牵头部门，责任单位/责任部门/配合单位，整改时限/完成时限。"],
            ["问题类别", "可合并单元格；也可以在一行中只写“一、××方面”作为下面各行的类别。"],
            ["责任领导", "填写人员姓名，须已在“人员”中登记；同名人员须先区分。"],
            ["牵头单位、责任单位", "填写单位名称或单位代码，多个单位用 、 ， , ; ； 分隔；在单位后注明“（牵头）”即为牵头单位。"],
            ["整改时限", "可写：2026年6月10日前、6月10日前（按整改工作所在年份）、2026-06-10、2026/6/10、6月底前、年底前、长期坚持、立行立改（集中整改开始后若干个工作日）、通报后两个月内（按整改工作的通报日期）、10个工作日内。"],
            ["导入规则", "任何一行有错误时整份文件都不会导入，错误信息会指明行号和单元格。"],
        ];
        return XlsxBuilder.Build(
        [
            new XlsxSheet("问题清单", null, columns, examples),
            new XlsxSheet("填写说明", null, [("项目", 18), ("说明", 100)], notes.Skip(1).Select(n => (IReadOnlyList<object?>)n)),
        ]);
    }
}
