"""Static checks of docker-compose.yml (no Docker engine runs where the tests run).

The file is parsed with PyYAML and its `${...}` interpolation is evaluated here the way Compose does it, so
the assertions are on the values the containers would really get: the services and their healthchecks,
the image built from the official Airflow image plus requirements.lock, the CeleryExecutor and its Redis
broker, no secret in clear, the project mounts, the init script creating Airflow's database, and the
dependencies between services.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCS_FILE = ROOT / "docs" / "docker-compose.md"

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
ONE_SHOT_SERVICES = ("airflow-init",)
LONG_RUNNING_SERVICES = ("postgres", "redis") + tuple(s for s in AIRFLOW_SERVICES if s not in ONE_SHOT_SERVICES)

# What each long-running service's healthcheck must run.
HEALTHCHECK_EXPECTATIONS = {
    "postgres": ("pg_isready",),
    "redis": ("redis-cli", "ping"),
    "airflow-apiserver": ("/api/v2/monitor/health", "8080"),
    "airflow-scheduler": (),  # the scheduler health server or `airflow jobs check`, see below
    "airflow-dag-processor": ("airflow jobs check", "--job-type DagProcessorJob"),
    "airflow-triggerer": ("airflow jobs check", "--job-type TriggererJob"),
    "airflow-worker": ("celery", "inspect ping"),
}

# The secrets a team sets in .env; placeholders stand in for them when the file is evaluated here.
SECRET_VARIABLES = (
    "WAREHOUSE_DB_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "REDIS_PASSWORD",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "PII_HASH_KEY",
)
DUMMY_ENV = {name: f"placeholder-{name.lower().replace('_', '-')}" for name in SECRET_VARIABLES}

# Names that hold a credential. *_FILE / *_PATH name where one is kept, not the credential itself.
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|FERNET|(^|_)KEY$|_KEY_|APIKEY|REQUIREPASS|(^|_)AUTH$)", re.I)
NOT_A_SECRET_NAME = re.compile(r"(_FILE|_PATH|_DIR|_USER|_USERNAME)$", re.I)
# A value that is exactly one required interpolation: ${NAME:?message} (or ${NAME?message}).
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}")
# A reference to a variable of the container's own environment, resolved at run time: $${NAME} / $$NAME.
RUNTIME_REFERENCE = re.compile(r"\$\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


# --------------------------------------------------------------------------------------------------
# Compose interpolation (https://docs.docker.com/reference/compose-file/interpolation/)
# --------------------------------------------------------------------------------------------------
class MissingVariable(ValueError):
    def __init__(self, name: str, message: str):
        super().__init__(f"required variable {name} is missing a value: {message}")
        self.name = name


_TOKEN = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.S)


def interpolate(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("named"):
            return env.get(match.group("named"), "")
        braced = _BRACED.fullmatch(match.group("braced"))
        if braced is None:
            raise ValueError(f"invalid interpolation format: {match.group(0)!r}")
        name, op, arg = braced.group("name", "op", "arg")
        value = env.get(name)
        if op is None:
            return value or ""
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if value is not None else arg
        if op == ":?":
            if not value:
                raise MissingVariable(name, arg)
            return value
        if op == "?":
            if value is None:
                raise MissingVariable(name, arg)
            return value
        if op == ":+":
            return arg if value else ""
        return arg if value is not None else ""  # "+"

    return _TOKEN.sub(replace, text)


def interpolate_all(node, env: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [interpolate_all(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_all(value, env) for key, value in node.items()}
    return node


def test_interpolation_helper_behaves_like_compose():
    env = {"SET": "value", "EMPTY": ""}
    assert interpolate("a-${SET}-$SET-$${SET}-$$SET", env) == "a-value-value-${SET}-$SET"
    assert interpolate("${UNSET:-fallback} ${EMPTY:-fallback} ${UNSET-d}${EMPTY-d}", env) == "fallback fallback d"
    assert interpolate("${SET:?must be set}", env) == "value"
    with pytest.raises(MissingVariable):
        interpolate("${EMPTY:?must be set}", env)
    with pytest.raises(MissingVariable):
        interpolate("${UNSET?must be set}", env)


# --------------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def text() -> str:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def raw(text) -> dict:
    """The parsed file, `${...}` left as written (YAML anchors and merge keys resolved)."""
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def compose(raw) -> dict:
    """The file as Compose would see it with the secrets set (placeholders) and nothing else."""
    return interpolate_all(raw, dict(DUMMY_ENV))


def env_of(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def as_text(command) -> str:
    if command is None:
        return ""
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command)


def short_volumes(service: dict) -> list[tuple[str, str, str]]:
    """(source, target, mode) of each volume, short or long syntax."""
    result = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            result.append((volume.get("source", ""), volume["target"], "ro" if volume.get("read_only") else "rw"))
        else:
            parts = volume.split(":")
            result.append((parts[0], parts[1], parts[2] if len(parts) > 2 else "rw"))
    return result


def dockerfile_of(raw_service: dict) -> str:
    build = raw_service.get("build")
    assert isinstance(build, dict), "an Airflow service has no `build:` mapping"
    inline = build.get("dockerfile_inline")
    assert inline, "the image must be built from an inline Dockerfile (build.dockerfile_inline)"
    return interpolate(inline, {})  # `$$` -> `$`; the Dockerfile must not need any host variable


def dockerfile_instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def locked_version(package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==([^\s;]+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert match, f"{package} is not pinned in requirements.lock"
    return match.group(1)


# --------------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------------
def test_is_valid_yaml_with_the_expected_services(raw):
    services = raw.get("services")
    assert isinstance(services, dict)
    missing = {"postgres", "redis", *AIRFLOW_SERVICES} - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def test_airflow_services_share_the_x_airflow_common_anchor(raw, text):
    common = raw.get("x-airflow-common")
    assert isinstance(common, dict), "x-airflow-common is missing"
    assert re.search(r"^x-airflow-common:\s*&airflow-common\b", text, re.M), "x-airflow-common is not an anchor"
    for name in AIRFLOW_SERVICES:
        service = raw["services"][name]
        assert service.get("image") == common["image"], name
        assert service.get("build") == common["build"], name
        assert env_of(service).items() >= env_of(common).items(), f"{name} does not carry the common environment"
    assert len(re.findall(r"<<:\s*\*airflow-common\b", text)) >= len(AIRFLOW_SERVICES)


def test_postgres_image_is_15_or_newer(raw):
    image = raw["services"]["postgres"]["image"]
    match = re.fullmatch(r"postgres:(\d+)(?:[.\-][\w.\-]*)?", image)
    assert match, f"unexpected postgres image {image!r}"
    assert int(match.group(1)) >= 15


def test_redis_image(raw):
    assert raw["services"]["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("airflow-apiserver", r"^(airflow )?api-server$"),
        ("airflow-scheduler", r"^(airflow )?scheduler$"),
        ("airflow-dag-processor", r"^(airflow )?dag-processor$"),
        ("airflow-triggerer", r"^(airflow )?triggerer$"),
        ("airflow-worker", r"^(airflow )?celery worker$"),
    ],
)
def test_airflow_component_commands(raw, service, expected):
    command = as_text(raw["services"][service].get("command")).strip()
    assert re.match(expected, command), f"{service} runs {command!r}"


def test_airflow_init_migrates_once_and_creates_no_secret(raw, text):
    init = raw["services"]["airflow-init"]
    script = as_text(init.get("entrypoint")) + " " + as_text(init.get("command"))
    assert re.search(r"\bairflow db migrate\b", script), "airflow-init must run `airflow db migrate`"
    # the pools the DAGs use, from the file every other setup imports (mounted with ./plugins)
    from sme_credit import settings
    from sme_credit.orchestration.dag_support import POOLS_FILE

    pools = f"airflow pools import /opt/airflow/project/{POOLS_FILE.relative_to(settings.PROJECT_DIR).as_posix()}"
    assert pools in script, "airflow-init must import the project's pools"
    # sme_credit_build is rendered from dbt's manifest: a fresh checkout has none until something parses
    assert re.search(r"\bsme-credit dbt parse\b", script), "airflow-init must write dbt's manifest"
    assert script.index("dbt parse") > script.index("db migrate")
    assert str(init.get("restart", "no")) in {"no", "on-failure"}, "airflow-init is a one-shot service"
    assert "healthcheck" not in init
    for forbidden in ("users create", "_AIRFLOW_WWW_USER_PASSWORD", "_AIRFLOW_WWW_USER_CREATE", "--password"):
        assert forbidden not in script, f"airflow-init must not create a user with a password ({forbidden})"
    assert "_AIRFLOW_WWW_USER_PASSWORD" not in text


# --------------------------------------------------------------------------------------------------
# Healthchecks, dependencies, restart policies
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LONG_RUNNING_SERVICES)
def test_long_running_service_has_a_healthcheck(compose, name):
    healthcheck = compose["services"][name].get("healthcheck")
    assert isinstance(healthcheck, dict), f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name} disables its healthcheck"
    test = healthcheck.get("test")
    assert test, f"{name}'s healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}, f"{name}: healthcheck test must start with CMD or CMD-SHELL"
        assert len(test) > 1 and all(str(part).strip() for part in test[1:])
    command = as_text(test[1:] if isinstance(test, list) else test)
    for fragment in HEALTHCHECK_EXPECTATIONS[name]:
        assert fragment in command, f"{name}'s healthcheck {command!r} does not contain {fragment!r}"
    if name == "airflow-scheduler":
        by_endpoint = re.search(r"curl .*localhost:8974/health", command)
        by_job = "--job-type SchedulerJob" in command
        assert by_endpoint or by_job, f"scheduler healthcheck {command!r}"
        if by_endpoint:
            assert env_of(compose["services"][name])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"].lower() == "true"
    assert "restart" in compose["services"][name], f"{name} has no restart policy"
    assert compose["services"][name]["restart"] in {"always", "unless-stopped", "on-failure"}


def test_depends_on_targets_exist_and_conditions_hold(compose):
    services = compose["services"]
    graph = {}
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        graph[name] = set(depends_on)
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on {target!r}, which is not a service"
            condition = spec.get("condition")
            assert condition in {"service_started", "service_healthy", "service_completed_successfully"}
            if condition == "service_healthy":
                assert services[target].get("healthcheck", {}).get("test"), (
                    f"{name} waits for {target} to be healthy but {target} has no healthcheck"
                )
            if condition == "service_completed_successfully":
                assert target in ONE_SHOT_SERVICES, f"{name} waits for long-running {target} to complete"

    for name in AIRFLOW_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        if name not in ONE_SHOT_SERVICES:
            assert depends_on["airflow-init"]["condition"] == "service_completed_successfully", name
            assert depends_on["redis"]["condition"] == "service_healthy", name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"

    # No cycle, or nothing would start.
    state: dict[str, str] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert state.get(node) != "visiting", f"dependency cycle: {' -> '.join(path + (node,))}"
        if state.get(node) == "done":
            return
        state[node] = "visiting"
        for target in graph[node]:
            visit(target, path + (node,))
        state[node] = "done"

    for name in graph:
        visit(name, ())


# --------------------------------------------------------------------------------------------------
# Image: official Airflow image + requirements.lock, from an inline Dockerfile
# --------------------------------------------------------------------------------------------------
def test_airflow_services_use_the_image_built_inline(raw):
    first = raw["services"][AIRFLOW_SERVICES[0]]
    for name in AIRFLOW_SERVICES:
        service = raw["services"][name]
        build = service.get("build")
        assert isinstance(build, dict) and build.get("context") in {".", "./"}, f"{name}: build context must be ."
        assert "dockerfile" not in build, f"{name}: the Dockerfile must be inline, not a file"
        assert service.get("image") == first.get("image"), f"{name} does not run the same image"
        assert dockerfile_of(service) == dockerfile_of(first)
    assert not (ROOT / "Dockerfile").exists()


def test_inline_dockerfile_extends_the_official_image_with_the_lock(raw):
    instructions = dockerfile_instructions(dockerfile_of(raw["services"]["airflow-worker"]))
    keyword, base = instructions[0]
    assert keyword == "FROM"
    match = re.fullmatch(r"apache/airflow:(3\.3\.\d+)-python(3\.\d+)", base)
    assert match, f"the image must start FROM apache/airflow:3.3.x-python3.y, not {base!r}"
    assert match.group(1) == locked_version("apache-airflow"), "base image and requirements.lock pin different Airflows"
    assert match.group(2) == "3.11", "pyproject.toml requires Python 3.11"

    copies = " ".join(args for kw, args in instructions if kw in {"COPY", "ADD"})
    for path in ("requirements.lock", "pyproject.toml", "plugins"):
        assert re.search(rf"(^|\s){re.escape(path)}/?(\s|$)", copies), f"the Dockerfile does not copy {path}"
        assert (ROOT / path).exists(), f"{path} is copied but does not exist"

    runs = [args for kw, args in instructions if kw == "RUN"]
    lock_install = [r for r in runs if re.search(r"\b(uv pip|pip) install\b.*-r\s+\S*requirements\.lock\b", r)]
    assert lock_install, "no RUN installs requirements.lock with `uv pip install` / `pip install -r`"
    # Installing over the image must keep its Airflow version.
    assert any(re.search(r"apache-airflow(\[[\w,]+\])?==(\$\{?AIRFLOW_VERSION\}?|3\.3\.\d+)", r) for r in lock_install)
    # compiled once into the image, not by every task's process (tests/unit/test_install.py says why)
    assert all("--compile-bytecode" in r for r in lock_install), "the lock's packages must be installed compiled"
    package_install = [r for r in runs if re.search(r"\b(uv pip|pip) install\b.*--no-deps\b", r)]
    assert package_install, "the project package must be installed with --no-deps (its deps come from the lock)"
    assert not any("uv pip sync" in r for r in runs), "`uv pip sync` would remove the image's Celery provider"
    users = [args for kw, args in instructions if kw == "USER"]
    assert not users or users[-1] in {"airflow", "${AIRFLOW_UID}", "50000"}, "the image must end as the airflow user"


# --------------------------------------------------------------------------------------------------
# Executor, broker, metadata database, Execution API
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_celery_executor_with_the_redis_broker(compose, name):
    services = compose["services"]
    env = env_of(services[name])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"

    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis"
    assert broker.hostname in services and services[broker.hostname]["image"].startswith("redis:")
    assert (broker.port or 6379) == 6379

    for key, scheme in (
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql"),
        ("AIRFLOW__CELERY__RESULT_BACKEND", "db+postgresql"),
    ):
        url = urlsplit(env[key])
        assert url.scheme.startswith(scheme), f"{key} must be a {scheme} URL"
        assert url.hostname == "postgres" and services["postgres"]["image"].startswith("postgres:")

    execution_api = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert execution_api.hostname == "airflow-apiserver"
    assert execution_api.path.rstrip("/") == "/execution"
    published = [str(port) for port in services["airflow-apiserver"].get("ports", [])]
    assert any(p.endswith(f":{execution_api.port}") for p in published), "the api-server does not serve that port"


def test_airflow_settings(compose):
    env = env_of(compose["services"]["airflow-worker"])
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"].lower() == "false"
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"].lower() == "false"
    assert env["AIRFLOW__CORE__FERNET_KEY"] == DUMMY_ENV["AIRFLOW__CORE__FERNET_KEY"]
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == DUMMY_ENV["AIRFLOW__API_AUTH__JWT_SECRET"]


def test_configuration_is_derived_from_one_source_each(compose):
    """WAREHOUSE_URL, the PG* variables and the postgres server agree; so do Airflow's DB and broker URLs."""
    services = compose["services"]
    server = env_of(services["postgres"])
    redis_command = services["redis"]["command"]
    redis_password = redis_command[redis_command.index("--requirepass") + 1]
    for name in AIRFLOW_SERVICES:
        env = env_of(services[name])
        warehouse = urlsplit(env["WAREHOUSE_URL"])
        assert warehouse.scheme in {"postgresql", "postgres"}
        assert (warehouse.hostname, warehouse.port or 5432) == ("postgres", 5432)
        assert warehouse.username == server["POSTGRES_USER"]
        assert warehouse.password == server["POSTGRES_PASSWORD"] == DUMMY_ENV["WAREHOUSE_DB_PASSWORD"]
        assert warehouse.path.lstrip("/") == server["POSTGRES_DB"]
        assert env["PGHOST"] == warehouse.hostname
        assert int(env["PGPORT"]) == (warehouse.port or 5432)
        assert env["PGUSER"] == warehouse.username
        assert env["PGPASSWORD"] == warehouse.password
        assert env["PGDATABASE"] == warehouse.path.lstrip("/")

        metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
        for url in (metadata, backend):
            assert url.username == server["AIRFLOW_DB_USER"]
            assert url.password == server["AIRFLOW_DB_PASSWORD"] == DUMMY_ENV["AIRFLOW_DB_PASSWORD"]
            assert url.path.lstrip("/") == server["AIRFLOW_DB_NAME"]
        assert metadata.path != warehouse.path, "Airflow's metadata must not live in the warehouse database"

        broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
        assert broker.password == redis_password == DUMMY_ENV["REDIS_PASSWORD"]


@pytest.mark.parametrize("variable", SECRET_VARIABLES)
def test_every_secret_is_required(raw, variable):
    """Leaving any secret unset must stop Compose instead of falling back to a default."""
    env = {k: v for k, v in DUMMY_ENV.items() if k != variable}
    with pytest.raises(MissingVariable) as error:
        interpolate_all(raw, env)
    assert error.value.name == variable


# --------------------------------------------------------------------------------------------------
# No secret in clear
# --------------------------------------------------------------------------------------------------
def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not NOT_A_SECRET_NAME.search(name)


def clear_secrets_in_environment(document: dict) -> list[str]:
    """Secret-named environment entries whose value is not exactly one required interpolation."""
    problems = []
    blocks = [("x-airflow-common", document.get("x-airflow-common") or {})]
    blocks += list((document.get("services") or {}).items())
    for name, service in blocks:
        for key, value in env_of(service).items():
            if is_secret_name(key) and not REQUIRED_INTERPOLATION.fullmatch(value.strip()):
                problems.append(f"{name}: {key}={value!r}")
    return problems


def strings_in(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings_in(value)


URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.\-]*://(?P<user>[^:/@\s]*):(?P<password>[^@\s]*)@", re.I)


def clear_secrets_in_strings(document: dict) -> list[str]:
    """In the file as evaluated with placeholder secrets: URL passwords and `--password`-style arguments
    that are not one of the placeholders, so came from a literal (or a default) in the file."""
    placeholders = set(DUMMY_ENV.values())
    problems = []
    for string in strings_in(document):
        for match in URL_CREDENTIALS.finditer(string):
            if match.group("password") not in placeholders:
                problems.append(f"password in URL {match.group(0)!r} does not come from a required variable")
    for node in _lists_in(document):
        for flag, value in zip(node, node[1:]):
            flag = str(flag)
            secret_flag = flag.startswith("-") and is_secret_name(flag.lstrip("-").replace("-", "_"))
            if secret_flag and str(value) not in placeholders:
                problems.append(f"value after {flag} ({value!r}) does not come from a required variable")
    return problems


def _lists_in(node):
    if isinstance(node, list):
        yield node
        for item in node:
            yield from _lists_in(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _lists_in(value)


ASSIGNMENT = re.compile(
    r"(?<![\w$-])(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s*=\s*|:[ \t]+)(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;\]}]+)"
)


def clear_secrets_in_text(text: str) -> list[str]:
    """Over the whole text (comments, scripts and inline files too): secret-named assignments with a
    literal value, secret interpolations with a default instead of `:?`, and well-known default logins."""
    problems = []
    for line_number, line in enumerate(text.splitlines(), 1):
        for match in ASSIGNMENT.finditer(line):
            name, value = match.group("name"), match.group("value").strip("\"'")
            if not is_secret_name(name) or not value:
                continue
            if REQUIRED_INTERPOLATION.fullmatch(value) or RUNTIME_REFERENCE.fullmatch(value):
                continue
            problems.append(f"line {line_number}: {name} has the literal value {value!r}")
        for match in re.finditer(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?", line):
            if is_secret_name(match.group("name")) and match.group("op") not in {":?", "?"}:
                problems.append(f"line {line_number}: ${{{match.group('name')}}} is not required (use :?)")
        for match in re.finditer(r"://[^\s/@:]*:(?P<password>[^\s@]*)@", line):
            if not match.group("password").startswith("${"):
                problems.append(f"line {line_number}: literal password in URL {match.group(0)!r}")
    for login in ("postgres:postgres@", "airflow:airflow@", "admin:admin@", "redis://:@"):
        if login.lower() in text.lower():
            problems.append(f"default login {login!r} in the file")
    return problems


def test_no_secret_in_clear_in_environments(raw):
    assert clear_secrets_in_environment(raw) == []


def test_no_secret_in_clear_in_urls_and_arguments(compose):
    assert clear_secrets_in_strings(compose) == []


def test_no_secret_in_clear_in_the_text(text):
    assert clear_secrets_in_text(text) == []


def test_the_secret_scanners_catch_secrets_in_clear():
    """The scanners above must be able to fail: each finds the secret in a bad example."""
    bad = """
services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: hunter2
  redis:
    command: ["redis-server", "--requirepass", "hunter2"]
  airflow:
    environment:
      AIRFLOW__CORE__FERNET_KEY: "${AIRFLOW__CORE__FERNET_KEY:-Zm9vYmFy}"
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: postgresql://airflow:airflow@postgres/airflow
"""
    document = yaml.safe_load(bad)
    assert len(clear_secrets_in_environment(document)) == 2
    assert len(clear_secrets_in_strings(interpolate_all(document, dict(DUMMY_ENV)))) == 2
    found = "\n".join(clear_secrets_in_text(bad))
    for expected in ("POSTGRES_PASSWORD", "AIRFLOW__CORE__FERNET_KEY", "literal password in URL", "airflow:airflow@"):
        assert expected in found
    good = 'environment:\n  PGPASSWORD: "${WAREHOUSE_DB_PASSWORD:?set it}"\n'
    assert clear_secrets_in_text(good) == []
    assert clear_secrets_in_environment({"services": {"s": yaml.safe_load(good)}}) == []


# --------------------------------------------------------------------------------------------------
# Mounts and the project's variables
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", AIRFLOW_SERVICES)
def test_project_folders_are_mounted_where_the_project_looks(compose, raw, name):
    service = compose["services"][name]
    env = env_of(service)
    project_dir = env["SME_PROJECT_DIR"]
    assert project_dir.startswith("/")
    mounts = {source.rstrip("/"): (target.rstrip("/"), mode) for source, target, mode in short_volumes(service)}
    for folder in ("dags", "dbt_project", "expectations", "plugins", "data"):
        assert f"./{folder}" in mounts, f"{name} does not mount ./{folder}"
        target, _ = mounts[f"./{folder}"]
        assert target == f"{project_dir}/{folder}", (
            f"{name}: ./{folder} is mounted at {target}, not under SME_PROJECT_DIR"
        )
        if folder != "data":  # data/ is git-ignored: Docker creates it
            assert (ROOT / folder).is_dir(), f"./{folder} is mounted but is not a folder of the project"
    for folder in ("dbt_project", "expectations", "data"):
        assert mounts[f"./{folder}"][1] != "ro", (
            f"{name}: ./{folder} must be writable (dbt target, GX results, landing)"
        )
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].rstrip("/") == mounts["./dags"][0]
    data_target = mounts["./data"][0]
    assert env["LANDING_DIR"] == data_target or env["LANDING_DIR"].startswith(data_target + "/")

    named = set(raw.get("volumes") or {})
    for source, _, _ in short_volumes(service):
        if not source.startswith((".", "/", "~", "$")):
            assert source in named, f"{name} uses the undeclared volume {source!r}"


def test_the_project_reads_the_variables_the_stack_sets():
    code = "\n".join(path.read_text() for path in (ROOT / "plugins").rglob("*.py"))
    for variable in ("WAREHOUSE_URL", "SME_PROJECT_DIR", "LANDING_DIR"):
        assert f'"{variable}"' in code or f"'{variable}'" in code, f"plugins/ no longer reads {variable}"


def test_dbt_profile_variables_are_set(compose):
    """Every env_var() of dbt's profiles.yml is set in the worker (where dbt runs): a default such as
    127.0.0.1 would point dbt at the wrong server inside a container."""
    profiles = ROOT / "dbt_project" / "profiles.yml"
    if not profiles.is_file():
        pytest.skip("dbt_project/profiles.yml does not exist yet")
    env = env_of(compose["services"]["airflow-worker"])
    required = re.findall(r"env_var\(\s*['\"](\w+)['\"]", profiles.read_text())
    assert required, "profiles.yml reads no environment variable: the stack's PG* variables would be ignored"
    missing = sorted(set(required) - set(env))
    assert not missing, f"profiles.yml reads {missing}, which the worker does not set"


# --------------------------------------------------------------------------------------------------
# The second database
# --------------------------------------------------------------------------------------------------
def test_init_script_creates_airflows_database(compose, raw):
    postgres = compose["services"]["postgres"]
    server = env_of(postgres)
    scripts = []
    for entry in postgres.get("configs") or []:
        source, target = (entry, f"/{entry}") if isinstance(entry, str) else (entry["source"], entry.get("target", ""))
        if target.startswith("/docker-entrypoint-initdb.d/"):
            config = compose["configs"][source]
            content = config.get("content")
            if content is None:
                content = (ROOT / config["file"]).read_text()
            scripts.append((target, content))
    for source, target, _ in short_volumes(postgres):
        if target.startswith("/docker-entrypoint-initdb.d") and source.startswith("."):
            path = ROOT / source
            files = sorted(path.glob("*")) if path.is_dir() else [path]
            scripts += [(target, f.read_text()) for f in files]
    assert scripts, "postgres mounts no init script under /docker-entrypoint-initdb.d"
    assert all(target.endswith((".sh", ".sql", "/docker-entrypoint-initdb.d")) for target, _ in scripts)

    metadata_db = urlsplit(env_of(compose["services"]["airflow-scheduler"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    created = set()
    roles = set()
    for _, content in scripts:
        # psql variables set from the container's environment: --set=name="${ENV}"
        psql_vars = {
            var: server.get(env_name, "")
            for var, env_name in re.findall(r"--set[= ](\w+)=\"?\$\{?(\w+)\}?\"?", content)
        }

        def resolve(is_variable: str, name: str, psql_vars: dict = psql_vars) -> str:
            return psql_vars.get(name, "") if is_variable else name

        for is_variable, name in re.findall(r"CREATE DATABASE\s+(:?)[\"']?(\w+)[\"']?", content, re.I):
            created.add(resolve(is_variable, name))
        role_pattern = r"CREATE (?:ROLE|USER)\s+(:?)[\"']?(\w+)[\"']?[^;]*?PASSWORD\s+(:?)[\"']?([^\s;'\"]+)"
        for is_variable, name, password_is_variable, password in re.findall(role_pattern, content, re.I):
            roles.add(resolve(is_variable, name))
            assert password_is_variable, "the init script must take the role's password from the environment"
            assert psql_vars.get(password) == DUMMY_ENV["AIRFLOW_DB_PASSWORD"]
    assert metadata_db.path.lstrip("/") in created, "the init script does not create Airflow's metadata database"
    assert metadata_db.username in roles, "the init script does not create the role Airflow connects as"
    assert server["POSTGRES_DB"] not in created, "the warehouse database is the server's initial one"


# --------------------------------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------------------------------
def test_docs_cover_every_variable(text):
    assert DOCS_FILE.is_file(), "docs/docker-compose.md is missing"
    docs = DOCS_FILE.read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    variables = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", code))
    assert set(SECRET_VARIABLES) <= variables
    undocumented = sorted(v for v in variables if v not in docs)
    assert not undocumented, f"docs/docker-compose.md does not mention {undocumented}"
    for variable in SECRET_VARIABLES:
        line = re.search(rf"^{variable}=(.*)$", docs, re.M)
        assert line, f"the example .env in the docs does not set {variable}"
        assert "change-me" in line.group(1), f"the example .env must use a change-me placeholder for {variable}"


def test_every_published_port_is_bound_to_the_hosts_loopback(raw):
    for name, service in raw["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond 127.0.0.1"


def test_the_worker_has_a_bounded_concurrency_above_the_build_pool(compose):
    from sme_credit.orchestration.dag_support import BUILD_POOL, POOLS

    env = env_of(compose["services"]["airflow-worker"])
    assert int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]) > POOLS[BUILD_POOL]["slots"]
