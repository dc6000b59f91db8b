from flask import redirect, render_template, request, session, url_for

from supervise.public import bp


@bp.route("/")
def index():
    return render_template("public/index.html")


@bp.route("/language/<lang>")
def set_language(lang: str):
    from flask import current_app

    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.args.get("next") or url_for("public.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("public.index")
    return redirect(target)
