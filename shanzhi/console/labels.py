"""Chinese labels of the domain's choices, marked for translation.

The models keep their Chinese choice labels as plain strings; the console shows them through the ``label`` filter
(:mod:`shanzhi.console.templatetags.console_tags`), which looks each one up in the catalogue. This list only makes
``makemessages`` extract them so that ``locale/en`` can translate them.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

DOMAIN_LABELS = (
    # appeal states
    gettext_noop("待受理"),
    gettext_noop("已受理"),
    gettext_noop("已派遣"),
    gettext_noop("办理中"),
    gettext_noop("已反馈(待审核)"),
    gettext_noop("已答复(待回访)"),
    gettext_noop("已办结"),
    gettext_noop("待补充"),
    gettext_noop("不予受理"),
    gettext_noop("直接答复"),
    gettext_noop("已合并"),
    # channels
    gettext_noop("热线"),
    gettext_noop("12345转办"),
    gettext_noop("网站"),
    gettext_noop("移动端"),
    gettext_noop("智慧门牌"),
    gettext_noop("来访"),
    gettext_noop("网格上报"),
    gettext_noop("物联感知"),
    gettext_noop("开放接口"),
    gettext_noop("信件/邮件"),
    # appeal types
    gettext_noop("咨询"),
    gettext_noop("求助"),
    gettext_noop("投诉"),
    gettext_noop("举报"),
    gettext_noop("建议"),
    gettext_noop("表扬"),
    # ratings
    gettext_noop("满意"),
    gettext_noop("基本满意"),
    gettext_noop("不满意"),
    # warnings
    gettext_noop("正常"),
    gettext_noop("黄牌"),
    gettext_noop("红牌"),
    # assignment roles
    gettext_noop("主办"),
    gettext_noop("协办"),
    # assignment states
    gettext_noop("待签收"),
    gettext_noop("已签收"),
    gettext_noop("已挂账"),
    gettext_noop("已退回"),
    gettext_noop("已撤回"),
    # request kinds
    gettext_noop("退回"),
    gettext_noop("延期"),
    gettext_noop("挂账"),
    # request states
    gettext_noop("待审批"),
    gettext_noop("已同意"),
    gettext_noop("已驳回"),
    # event kinds
    gettext_noop("登记"),
    gettext_noop("受理"),
    gettext_noop("补录"),
    gettext_noop("要求补充"),
    gettext_noop("补充材料"),
    gettext_noop("派遣"),
    gettext_noop("签收"),
    gettext_noop("联系诉求人"),
    gettext_noop("处置反馈"),
    gettext_noop("提出申请"),
    gettext_noop("申请通过"),
    gettext_noop("申请驳回"),
    gettext_noop("解除挂账"),
    gettext_noop("审核通过"),
    gettext_noop("重办"),
    gettext_noop("统一答复"),
    gettext_noop("回访"),
    gettext_noop("办结"),
    gettext_noop("合并"),
    gettext_noop("预警"),
    gettext_noop("督办"),
    gettext_noop("备注"),
    gettext_noop("上传附件"),
    # urgency
    gettext_noop("紧急"),
    gettext_noop("加急"),
    gettext_noop("一般"),
    gettext_noop("疑难复杂"),
    # unit kinds
    gettext_noop("市"),
    gettext_noop("区"),
    gettext_noop("镇(街道)"),
    gettext_noop("村(社区)"),
    gettext_noop("网格"),
    gettext_noop("社会治理中心"),
    gettext_noop("职能部门"),
    gettext_noop("公用事业单位"),
    # roles
    gettext_noop("话务员"),
    gettext_noop("派单员"),
    gettext_noop("承办人"),
    gettext_noop("单位负责人"),
    gettext_noop("网格员"),
    gettext_noop("调解员"),
    gettext_noop("中心领导"),
    gettext_noop("分析员"),
    gettext_noop("系统管理员"),
    gettext_noop("接口集成"),
    # actions
    gettext_noop("补充完成"),
    gettext_noop("申请(退回/延期/挂账)"),
    gettext_noop("审批申请"),
)
