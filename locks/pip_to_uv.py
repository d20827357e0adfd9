"""Run uv with this machine's pip settings: `python locks/pip_to_uv.py UV [ARGS...]`.

uv reads neither pip.conf nor the PIP_* variables. Whatever pip would use here (find-links to a
folder holding the CPU torch wheel, extra indexes, a constraint file, a certificate) is read from
pip itself (`pip config list`, which also shows the PIP_* variables as `:env:`) and handed to uv
as its own variables, so the project names no path of any machine. A UV_* variable already set
wins: it is the user's explicit choice. Standard library only: it runs before any venv exists.
"""
import ast
import os
import subprocess
import sys

# pip option -> (uv variable, separator uv expects between several values)
OPTIONS = {
    "index-url": ("UV_DEFAULT_INDEX", " "),
    "extra-index-url": ("UV_EXTRA_INDEX_URL", " "),
    "find-links": ("UV_FIND_LINKS", ","),
    "constraint": ("UV_CONSTRAINT", " "),
    "trusted-host": ("UV_INSECURE_HOST", " "),
    "cert": ("SSL_CERT_FILE", None),
    "default-timeout": ("UV_HTTP_TIMEOUT", None),
    "timeout": ("UV_HTTP_TIMEOUT", None),
}
# pip's own precedence for `pip install`: the environment, then [install], then [global].
SECTIONS = (":env:", "install", "global")


def pip_config(python: str) -> dict[str, dict[str, str]]:
    """{section: {option: value}} as `pip config list` prints it (lines of section.option='value')."""
    out = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    return parse_config_list(out)


def parse_config_list(text: str) -> dict[str, dict[str, str]]:
    config: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        section, dot, option = name.rpartition(".")
        if not (sep and dot):
            continue
        try:
            value = ast.literal_eval(value)  # pip prints repr(value)
        except (ValueError, SyntaxError):
            pass
        config.setdefault(section, {})[option] = str(value)
    return config


def effective(config: dict[str, dict[str, str]]) -> dict[str, str]:
    """The value pip install would use for each option, by pip's precedence."""
    chosen: dict[str, str] = {}
    for section in reversed(SECTIONS):
        chosen.update(config.get(section, {}))
    return chosen


def uv_environment(options: dict[str, str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for option, (variable, separator) in OPTIONS.items():
        if option in options:
            value = options[option]
            env[variable] = separator.join(value.split()) if separator else value
    if options.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        env["UV_NO_INDEX"] = "1"
    # pip takes the best version across all its indexes; uv's default stops at the first index
    # that has the package, which would miss a local build (the CPU torch) found on another.
    if "UV_EXTRA_INDEX_URL" in env or "UV_FIND_LINKS" in env:
        env["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    return env


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    settings = uv_environment(effective(pip_config(sys.executable)))
    env = {**settings, **os.environ}  # the user's own UV_* variables win
    return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
