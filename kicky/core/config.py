"""Where the configs live and how a group's option is read outside a Hydra app. The configs ship
inside the package (`kicky/conf`: in a checkout, a link to the repository's `conf/`; in a wheel,
the files themselves: pyproject's package-data), so an installed kicky finds them with no checkout.
Every Hydra entry point takes them from here: `@hydra.main(config_path=CONF_PATH, ...)`, the folder's
absolute path, the same from a checkout, an installed package, `python -m`, a root script or `kicky`."""
from __future__ import annotations

import copy
from dataclasses import asdict
from importlib.resources import files
from pathlib import Path

from kicky.errors import KickyError


def conf_dir() -> Path:
    """The package's config folder (every group, every top-level config)."""
    return Path(str(files("kicky") / "conf"))


CONF_PATH = str(conf_dir())


def load_option(group: str, option: str) -> dict:
    """`<group>/<option>.yaml` with the options its defaults list names (in the same group) laid
    under it, as plain data; read without Hydra's global state, so it works inside a Hydra app."""
    from omegaconf import OmegaConf
    where = conf_dir() / group

    def load(name: str):
        path = where / f"{name}.yaml"
        if not path.is_file():
            raise KickyError(f"no config {group}/{name}.yaml in {conf_dir()}: a broken kicky install, reinstall it")
        node = OmegaConf.load(path)
        parts = [load(d) for d in node.pop("defaults", []) if d != "_self_"]
        return OmegaConf.merge(*parts, node)
    return OmegaConf.to_container(load(option), resolve=True)


def schema_defaults(schema) -> dict:
    """A typed schema's defaults (a dataclass, nested dataclasses for sub-groups) as plain data: what
    its group's YAML must say (tests/test_configs.py holds every schema to its YAML)."""
    return asdict(schema())


def _kind_error(path: str, key: str, default, v, choices: dict, nullable=()) -> str | None:
    """Why `v` cannot replace `default` (a number for a number, >= 0 where the default is, true/false
    for a flag, a list for a list, a known choice; null where it is `nullable`), or None. `path`: its
    name in the message; `key`: its dotted key within the group, which `choices` and `nullable` use."""
    number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
    if v is None and key in nullable:
        return None
    if key in choices:
        return None if v in choices[key] else f"{path}={v!r}: use one of {', '.join(map(str, choices[key]))}"
    if number(default):
        if not number(v):
            return f"{path} must be a number, got {v!r}"
        if default >= 0 > v:
            return f"{path}={v} must be >= 0"
    elif isinstance(default, bool) and not isinstance(v, bool):
        return f"{path} must be true or false, got {v!r}"
    elif isinstance(default, list) and not isinstance(v, list):
        return f"{path} must be a list like {default}, got {v!r}"
    return None


def overlay(base: dict, over: dict | None, path: str, choices: dict | None = None, nullable=(), _key: str = "") -> dict:
    """`base` (a schema's defaults) with `over` laid on top, key by key; an unknown key or a value of
    the wrong kind (`choices`: dotted key within the group -> the values it takes; `nullable`: dotted
    keys that also take null) is one KickyError naming it by `path` ("" where the group's keys sit at
    a stage's top level)."""
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        name, key = f"{path}.{k}" if path else k, f"{_key}.{k}" if _key else k
        if k not in base:
            raise KickyError(f"{path or 'config'}: unknown key {k!r}; known: {sorted(base)}")
        bad = _kind_error(name, key, base[k], v, choices or {}, nullable)
        if bad:
            raise KickyError(bad)
        out[k] = (overlay(base[k], v, name, choices, nullable, key) if isinstance(base[k], dict) and isinstance(v, dict)
                  else v)
    return out


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def served(a: dict, group: str, what: str) -> dict:
    """The server keys every page shares (host, public, port), checked: `group` names them in errors."""
    from kicky.checks import number
    number(a, "port", int, 1, 65535)
    if a["host"] not in LOOPBACK and not a["public"]:
        raise KickyError(f"{group}.host={a['host']}: {what} to loopback unless asked: add {group}.public=true "
                         f"to serve other machines")
    return a
