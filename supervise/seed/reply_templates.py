"""The demo's reply templates, kept by the business-environment office (supervisors)."""

from sqlalchemy import select

from supervise.extensions import db
from supervise.models import Category, ReplyTemplate, Role, User

# (category, title, body)
REPLY_TEMPLATES = [
    (
        "子女入学",
        "学位已协调",
        "经我局核实，贵公司反映的职工子女入学问题属实。我局已协调辖区学校，为符合条件的职工子女安排学位，"
        "请于开学前持户口簿、居住证明等材料到学校办理入学手续。如有疑问，请联系区教育局招生办。",
    ),
    (
        "子女入学",
        "政策解释（暂不符合条件）",
        "经我局核实，按照本年度义务教育招生政策，贵公司职工子女暂不符合在该校就读的条件。我局已告知可选择的"
        "就近学校及办理流程，后续如政策调整将第一时间告知。",
    ),
    (
        "补贴兑现",
        "补贴已拨付",
        "经核查，贵公司申报的补贴符合政策规定，资金已于近日拨付至企业对公账户，请注意查收。"
        "如对拨付金额有异议，请在收到本答复后十个工作日内联系我单位。",
    ),
    (
        "员工招聘",
        "专场招聘已安排",
        "我局已将贵公司用工需求纳入近期专场招聘会，并通过公共就业服务平台发布岗位信息。"
        "招聘会时间、地点将另行通知，请提前准备岗位说明及招聘材料。",
    ),
]


def load_reply_templates() -> None:
    """Add the demo's reply templates for the categories that exist (none twice)."""
    author = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR).order_by(User.id))
    for category_name, title, body in REPLY_TEMPLATES:
        category = db.session.scalar(select(Category).where(Category.name == category_name))
        exists = db.session.scalar(select(ReplyTemplate.id).where(ReplyTemplate.title == title))
        if category is not None and exists is None:
            db.session.add(ReplyTemplate(category=category, title=title, body=body, updated_by_id=author and author.id))
