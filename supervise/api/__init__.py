from flask import Blueprint as FlaskBlueprint
from flask_smorest import Blueprint

from supervise.api.parsing import parser


class ApiBlueprint(Blueprint):
    """flask-smorest's blueprint (routes documented from their schemas) reading requests the API's way."""

    ARGUMENTS_PARSER = parser

    def undocumented(self, rule: str, **options):
        """A plain route, left out of the OpenAPI document: the document itself, and the actions'
        route, which the document describes action by action (``openapi.py``)."""

        def decorator(func):
            FlaskBlueprint.add_url_rule(self, rule, options.pop("endpoint", func.__name__), func, **options)
            return func

        return decorator


bp = ApiBlueprint("api", __name__, description="The staff API.")

from supervise.api import routes  # noqa: E402,F401
