"""Fetch the browser's engine from the npm registry once, check it, and keep it in a cache.

The static explorer runs SPARQL on Oxigraph compiled to WebAssembly (npm package ``oxigraph``)
and draws timelines with plotly.js's basic bundle (``plotly.js-basic-dist-min``, the same
plotly.js release the ``plotly`` Python package ships, at a third of the size). Both are pinned
in ``web/npm/package.json`` with a lockfile that carries each tarball's sha512; ``npm ci
--ignore-scripts`` refuses a tarball that does not match it and runs no package script. The
installed files are hashed once and checked again at every later use, so a cache that was
changed or cut short is installed afresh instead of shipped. Nothing here is ever committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.config import resource_dir
from kg.errors import EngineError

__all__ = ["ENGINE_FILES", "Engine", "cache_root", "ensure_engine", "manifest_dir"]

#: Files the site ships, by their place under static/vendor/ → (package, path in the package).
ENGINE_FILES: dict[str, tuple[str, str]] = {
    "oxigraph/web.js": ("oxigraph", "web.js"),
    "oxigraph/web_bg.wasm": ("oxigraph", "web_bg.wasm"),
    "plotly.min.js": ("plotly.js-basic-dist-min", "plotly-basic.min.js"),
}
_CHECKSUMS = "kg-verified.json"
_NPM_TIMEOUT = 600


@dataclass(frozen=True)
class Engine:
    """An installed, checked copy of the browser packages."""

    root: Path
    versions: dict[str, str]
    licenses: dict[str, str]

    def path(self, name: str) -> Path:
        """The installed file behind one of ``ENGINE_FILES``."""
        package, inner = ENGINE_FILES[name]
        return self.root / "node_modules" / package / inner


def manifest_dir() -> Path:
    """The folder with package.json and package-lock.json (shipped in the wheel under web/)."""
    return resource_dir("web") / "npm"


def cache_root() -> Path:
    """Where installed engines live: ``$XDG_CACHE_HOME/genvid-kg/npm`` (``~/.cache`` default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "genvid-kg" / "npm"


def _locked(manifest: Path) -> dict[str, dict]:
    """Package name → its lockfile entry (version, integrity, license)."""
    lock = json.loads((manifest / "package-lock.json").read_text(encoding="utf-8"))
    return {
        key.removeprefix("node_modules/"): entry
        for key, entry in lock["packages"].items()
        if key.startswith("node_modules/")
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(root: Path, locked: dict[str, dict]) -> str | None:
    """What is wrong with an installed copy, or None when it is whole and as locked."""
    for package, entry in locked.items():
        meta = root / "node_modules" / package / "package.json"
        try:
            version = json.loads(meta.read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError):
            return f"{package} is missing"
        if version != entry["version"]:
            return f"{package} is {version}, the lockfile pins {entry['version']}"
    for name, (package, inner) in ENGINE_FILES.items():
        if not (root / "node_modules" / package / inner).is_file():
            return f"{package} has no {inner} ({name})"
    return None


def _engine(root: Path, locked: dict[str, dict]) -> Engine:
    return Engine(
        root,
        {package: entry["version"] for package, entry in locked.items()},
        {package: entry.get("license", "") for package, entry in locked.items()},
    )


def _is_verified(root: Path) -> bool:
    """Whether every shipped file still has the hash recorded right after ``npm ci``."""
    try:
        recorded = json.loads((root / _CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for name, (package, inner) in ENGINE_FILES.items():
        path = root / "node_modules" / package / inner
        if not path.is_file() or recorded.get(name) != _sha256(path):
            return False
    return True


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise EngineError(
            "kg site needs Node.js and npm once, to fetch the browser's SPARQL engine (the npm "
            "package oxigraph, pinned in web/npm/package-lock.json) into a cache. Install them "
            "(Debian, Ubuntu: apt-get install nodejs npm; macOS: brew install node) and run "
            "kg site again."
        )
    return npm


def _install(manifest: Path, target: Path, locked: dict[str, dict]) -> None:
    """``npm ci`` into a fresh folder beside ``target``, check it, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(manifest / name, work / name)
        command = [_npm(), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev"]
        try:
            done = subprocess.run(
                command,
                cwd=work,
                capture_output=True,
                text=True,
                timeout=_NPM_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise EngineError(
                f"npm ci did not finish in {_NPM_TIMEOUT} s; is the npm registry reachable?"
            ) from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-6:]
            raise EngineError(
                "npm could not install the browser engine (npm ci in "
                f"{work}):\n  " + "\n  ".join(detail) + "\nCheck that the npm registry is "
                "reachable (npm config get registry), then run kg site again."
            )
        problem = _check(work, locked)
        if problem:
            raise EngineError(f"npm ci installed an engine that does not match the lock: {problem}")
        sums = {name: _sha256(_engine(work, locked).path(name)) for name in ENGINE_FILES}
        (work / _CHECKSUMS).write_text(json.dumps(sums, indent=1) + "\n", encoding="utf-8")
        try:
            os.replace(work, target)
        except OSError:
            # Another kg site installed the same lock meanwhile: theirs is as good as ours.
            if not _is_verified(target):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_engine(manifest: Path | None = None, cache: Path | None = None) -> Engine:
    """The browser engine pinned by ``manifest`` (default: the shipped web/npm), installed once.

    The cache folder is named by the lockfile's hash, so a new pin installs beside the old
    one and never mixes with it. A cached copy whose files changed since it was installed is
    removed and installed again.

    Raises:
        EngineError: npm or node is missing, the registry is unreachable, or what npm installed
            does not match the lockfile.
    """
    manifest = manifest or manifest_dir()
    lock_bytes = (manifest / "package-lock.json").read_bytes()
    locked = _locked(manifest)
    target = (cache or cache_root()) / hashlib.sha256(lock_bytes).hexdigest()[:16]
    if target.is_dir() and _check(target, locked) is None and _is_verified(target):
        return _engine(target, locked)
    shutil.rmtree(target, ignore_errors=True)
    _install(manifest, target, locked)
    return _engine(target, locked)
