"""The output folder of ``kg site``: refuse to clobber, write aside, swap in whole.

A site is written into a fresh folder beside ``--out`` and renamed into place only once it is
complete, so a failed export leaves whatever was there before, and never half a site. A
folder that holds other files than a previous site (``kg-site.json`` marks one) is refused
unless the caller forces it; a folder that holds the working directory never is replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import OutputFolderError, SiteError

__all__ = ["GENERATOR", "MANIFEST", "check_output", "is_site", "staged_folder"]

MANIFEST = "kg-site.json"
GENERATOR = "genvid-kg kg site"


def is_site(folder: Path) -> bool:
    """Whether ``folder`` holds a site that ``kg site`` wrote (its manifest says so)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == GENERATOR


def check_output(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that writing there would destroy something else than a site.

    Raises:
        OutputFolderError: ``out`` is a file; or a non-empty folder that is not a previous site
            (without ``force``); or the working directory, one of its parents or the home
            folder (always).
    """
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out}: is a file, not a folder. Choose a folder for the site.")
    resolved = out.resolve()
    here = Path.cwd().resolve()
    if resolved == here or resolved in here.parents or resolved == Path.home().resolve():
        raise OutputFolderError(
            f"{out}: holds the current folder (or is the home folder); kg site replaces its "
            "--out folder whole. Give a folder of its own, such as site/."
        )
    if not out.is_dir() or is_site(out) or force:
        return
    if any(out.iterdir()):
        raise OutputFolderError(
            f"{out}: is not empty and holds no previous site (no {MANIFEST}); kg site would "
            "replace everything in it. Choose an empty or new folder, or add --force to "
            "replace it."
        )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` to write the site into; moved to ``out`` on success.

    On any error the fresh folder is removed and ``out`` is left as it was. The old ``out``
    is moved aside, the new folder renamed into its place, then the old one deleted; if the
    second rename fails, the old folder is put back.

    Raises:
        SiteError: the folders cannot be created or renamed.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
        # mkdtemp makes a private folder; a site is for a web server to read.
        staging.chmod(0o777 & ~_umask())
    except OSError as error:
        raise SiteError(f"{out}: cannot create a folder beside it: {error.strerror}") from None
    try:
        yield staging
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    aside = None
    if out.exists():
        try:
            aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, aside / "site")
        except OSError as error:
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)
            message = f"{out}: cannot move the previous site aside: {error.strerror}"
            raise SiteError(message) from None
    try:
        os.replace(staging, out)
    except OSError as error:
        if aside is not None:
            try:
                os.replace(aside / "site", out)
            except OSError:
                raise SiteError(
                    f"{out}: cannot put the new site in place ({error.strerror}); the previous "
                    f"site is in {aside / 'site'}"
                ) from None
            shutil.rmtree(aside, ignore_errors=True)
        raise SiteError(f"{out}: cannot put the new site in place: {error.strerror}") from None
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
