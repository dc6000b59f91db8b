"""Malformed input never gets a server error: every route and method of the application, asked by
anonymous and by a user of every role, with every path argument, query parameter and form field set to
values that have broken parsers before (huge and negative integers, Unicode digits, NUL, newlines,
surrogates, emoji, long strings, dates at the ends of the calendar, unknown enum values, SQL and HTML
metacharacters), then with values Hypothesis generates. Every answer is below 500, and a refusal comes
in the client's format: an HTML page, the JSON API's error object, Open311's JSON or XML.

Routes, query parameters and form fields are enumerated, not listed by hand: the URL map, the names the
code reads from ``request.args``/``request.values`` (and the JSON API's documented parameters), and
the fields of every form class. A new route or field is fuzzed without touching this file.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import Form
from wtforms.fields.core import UnboundField

import supervise
from supervise.api.openapi import document
from supervise.extensions import db
from supervise.models import Role
from tests import factories
from tests.factories import file_ticket
from tests.routes import ROUTES_APP, Scene, become, build_scene, url_for_route


@pytest.fixture(scope="module")
def world(module_transaction):
    """Built once for the module; each test's writes are rolled back."""
    return factories.built_world()


@pytest.fixture(scope="module")
def scene(world) -> Scene:
    return build_scene(world)


#: Anonymous, then one user of each role (the world's names).
WHO = ("anonymous", "enterprise_user", "handler", "leader", "supervisor", "cadre", "admin")
assert {r for r in Role} == {Role.ENTERPRISE, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.CADRE, Role.ADMIN}

#: Values that have broken parsers, views and databases.
NASTY = (
    "",
    " ",
    "0",
    "-1",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "9" * 60,
    "nan",
    "1_000",
    "²",
    "٣",
    "１２",
    "\x00",
    "line\nbreak",
    "/\n/evil.example",
    "\ud800",
    "😀",
    "长" * 200,
    "x" * 1000,
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "no-such-value",
    "ADMIN",
    "open,closed,unknown",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%",
    "\\",
    "../../etc/passwd",
)
#: Known failures owned by another change: ``next`` with a newline reaches the Location header of the
#: language switch until the shared safe-redirect helper (engineer ``auth``) checks it.
#: What a user who may not use a route is still sent (the refusal must come before any parsing fails).
NASTY_FEW = ("9223372036854775808", "\x00", "²")


def _source_names() -> set[str]:
    """The query parameter names the code reads, found in the source (so a new one is fuzzed too)."""
    root = Path(supervise.__file__).parent
    pattern = re.compile(
        r"""(?:args|values|form)\.get(?:list)?\(\s*["'](\w+)["']"""
        r"""|_(?:int|bool|datetime|date)_arg\(\s*["'](\w+)["']|_split\(\s*["'](\w+)["']"""
    )
    names = set()
    for path in [*root.rglob("*.py"), *root.rglob("*.html")]:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            names.update(n for n in match.groups() if n)
    return names


def _form_fields() -> set[str]:
    """The name of every field of every form class of the application."""

    def subclasses(cls) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for module in (
        "admin.forms",
        "auth.forms",
        "console.forms",
        "enterprise.forms",
        "notifications.forms",
        "public.forms",
        "unit.forms",
        "admin.api_keys",
        "forms_common",
    ):
        __import__(f"supervise.{module}")
    return {
        name
        for cls in subclasses(Form)
        if cls.__module__.startswith("supervise.")
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField)
    }


def _api_parameters() -> set[str]:
    with ROUTES_APP.test_request_context():
        doc = document()
    return {
        p["name"]
        for path in doc["paths"].values()
        for op in path.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p.get("in") == "query"
    }


#: Parameters checked before any view runs (Open311's jurisdiction): set to a bad value they would refuse
#: every request first and hide what the view does with the others, so they are fuzzed on their own.
GATES = ("jurisdiction_id",)
FORM_FIELDS = sorted(
    _form_fields()
    | {
        "version",
        "api_key",
        "attribute[client_request_id]",
        "attribute[credit_code]",
        "attribute[company_name]",
        "attribute[area]",
    }
)
QUERY_NAMES = sorted(_source_names() | _api_parameters() | set(FORM_FIELDS))


def _routes() -> list[tuple[str, str, str]]:
    found = []
    for rule in ROUTES_APP.url_map.iter_rules():
        for method in ("GET", "POST"):
            if method in rule.methods:
                found.append((rule.endpoint, rule.rule, method))
    return sorted(found)


ROUTES = _routes()


def _encode(value: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate goes as the (invalid) bytes a careless client sends."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _query(value: str, names) -> str:
    return "&".join(f"{_encode(name)}={_encode(value)}" for name in names)


def _nasty_path(rule_text: str, value: str) -> str:
    return re.sub(r"<[^>]+>", lambda _m: _encode(value) or "x", rule_text)


def _valid_path(endpoint: str, rule_text: str, world, scene_) -> str:
    if endpoint == "static":
        return "/static/css/app.css"
    return url_for_route(endpoint, rule_text, world, scene_)


def _fails(response, method: str, url: str, who: str) -> str | None:
    """What is wrong with ``response``: a server error, or a refusal not in the client's format."""
    status = response.status_code
    where = f"{who} {method} {url[:160]!r}"
    if status >= 500:
        return f"{where}: {status}"
    if status < 400:
        return None
    mimetype = response.mimetype
    path = url.split("?", 1)[0]
    if path.startswith("/api/"):
        expected = {"application/json"}
    elif path.startswith("/open311/"):
        expected = {"application/json", "text/xml"}
    else:
        expected = {"text/html"}
    if mimetype not in expected:
        return f"{where}: {status} as {mimetype}, expected {sorted(expected)}"
    return None


ALL_BUT_GATES = [name for name in QUERY_NAMES if name not in GATES]


def _send(client, login, world, who: str, method: str, path: str, value: str | None, names=ALL_BUT_GATES) -> str | None:
    """Ask ``path`` as ``who`` with the query parameters ``names`` (and, for a POST, the same form fields)
    set to ``value`` (None: none); what is wrong with the answer, or None."""
    if method == "POST":  # log in again: a fuzzed logout or password change ends the session
        become(client, login, world, who)
    url = path if value is None else f"{path}?{_query(value, names)}"
    fields = [name for name in FORM_FIELDS if name in names]
    body = _query(value, fields) if method == "POST" and value else ""
    try:
        response = client.open(url, method=method, data=body, content_type="application/x-www-form-urlencoded")
    except Exception as err:  # noqa: BLE001 - reported as a failure
        db.session.rollback()
        return f"{who} {method} {url[:160]!r}: raised {err!r}"
    if value is None and _refused(response):
        return "refused"
    return _fails(response, method, url, who)


def _refused(response) -> bool:
    """Whether the plain request was refused for who asked (not logged in, not allowed, not theirs)."""
    location = response.headers.get("Location", "")
    return response.status_code in (401, 403, 404) or (response.status_code == 302 and "/auth/login" in location)


@pytest.mark.parametrize(("endpoint", "rule_text", "method"), [pytest.param(*r, id=f"{r[2]} {r[1]}") for r in ROUTES])
def test_nasty_values_in_every_argument_never_get_a_server_error(
    client, login, world, scene, endpoint, rule_text, method
):
    """Anonymous and the first role allowed get the whole corpus; every other role a few values (the
    same views and parsers, so a minute or two for all of it)."""
    valid = _valid_path(endpoint, rule_text, world, scene)
    failures, full_given = [], False
    for who in WHO:
        become(client, login, world, who)
        probe = _send(client, login, world, who, method, valid, None)
        if probe and probe != "refused":
            failures.append(probe)
        full = probe != "refused" and (who == "anonymous" or not full_given)
        full_given = full_given or (full and who != "anonymous")
        for value in NASTY if full else NASTY_FEW:
            paths = [valid] + ([_nasty_path(rule_text, value)] if "<" in rule_text else [])
            asks = [(path, ALL_BUT_GATES) for path in paths] + ([(valid, GATES)] if full else [])
            for path, names in asks:
                failure = _send(client, login, world, who, method, path, value, names)
                if failure:
                    failures.append(failure)
    assert not failures, "\n".join(failures[:30])


VALUES = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(str),
    st.datetimes().map(lambda at: at.isoformat()),
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    who=st.sampled_from(WHO),
    value=VALUES,
    in_path=st.booleans(),
    name=st.sampled_from(QUERY_NAMES),
)
def test_generated_values_never_get_a_server_error(client, login, world, scene, route, who, value, in_path, name):
    """One generated value in the path, or in one query parameter and form field (so that no other
    parameter's refusal hides what the view does with it)."""
    endpoint, rule_text, method = route
    path = (
        _nasty_path(rule_text, value)
        if in_path and "<" in rule_text
        else _valid_path(endpoint, rule_text, world, scene)
    )
    become(client, login, world, who)
    failure = _send(client, login, world, who, method, path, value, [name])
    assert failure is None, failure


# ---------------------------------------------------------------- the cases found outside, one by one


def test_a_non_ascii_retrieval_code_is_not_found_not_a_server_error(world, client):
    ticket = file_ticket(world)
    db.session.commit()
    response = client.post("/lookup", data={"tracking_no": ticket.tracking_no, "code": "码码码码码码"})
    assert response.status_code == 200 and ticket.title not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/files/9223372036854775808",
        "/files/2147483648",
        "/feeds/units/99999999999999999999/problems.atom",
        "/feeds/categories/2147483648/results.atom",
        "/my/tickets/2147483648",
        "/admin/users/²",
    ],
)
def test_an_id_past_the_columns_range_in_the_path_is_not_found(world, login, url):
    response = login(world.admin).get(url)
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize(
    "url",
    [
        "/my/?after=9223372036854775808",
        "/my/?after=²",
        "/notifications/?after=-1",
        "/my/new?category=99999999999999999999",
    ],
)
def test_a_cursor_or_id_that_is_no_id_in_the_query_is_a_400_page_that_says_so(world, login, url):
    response = login(world.enterprise_user).get(url)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "is not a valid number" in response.get_data(as_text=True)


def test_a_disclosure_cursor_past_the_columns_range_starts_the_list_over(world, client):
    response = client.get("/disclosure?after=20260101000000-9223372036854775808")
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query",
    [
        "start_date=9999-12-31",
        "end_date=0001-01-01T00:00:00%2B14:00",
        "service_code=²",
        "service_code=99999999999999999999",
        "status=%00",
    ],
)
def test_open311_refuses_dates_off_the_calendar_and_odd_codes_in_its_own_format(world, client, fmt, query):
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400
    assert response.mimetype == {"json": "application/json", "xml": "text/xml"}[fmt]


def test_an_open311_service_definition_with_unicode_digits_is_not_found(world, client):
    response = client.get("/open311/v2/services/٣.json")
    assert response.status_code == 404 and response.mimetype == "application/json"


@pytest.mark.parametrize(
    ("url", "mimetype"),
    [
        ("/disclosure/%00", "text/html"),
        ("/disclosure?q=%00", "text/html"),
        ("/api/v1/tickets?q=%00", "application/json"),
        ("/open311/v2/requests/%00.xml", "text/xml"),
    ],
)
def test_a_nul_byte_in_the_address_is_a_400_in_the_clients_format(world, client, url, mimetype):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == mimetype


@pytest.mark.parametrize("query", ["role=%20", "role=%0D%0A", "role=no-such-role"])
def test_an_unknown_role_in_the_user_filter_shows_every_user(world, login, query):
    response = login(world.admin).get(f"/admin/users?{query}")
    assert response.status_code == 200 and world.cadre.name in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["state=%20", "unit=%0D%0A", "category=%20", "source=no-such-source"])
def test_an_unknown_value_in_the_console_filters_shows_the_list_unfiltered(world, login, query):
    response = login(world.supervisor).get(f"/console/?tab=all&{query}")
    assert response.status_code == 200
