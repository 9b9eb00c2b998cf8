"""What an executed notebook shows, read back: every glued value and table (``results.json``) and every glued
figure (as PNG files)."""
from __future__ import annotations

import ast
import base64
from pathlib import Path

from ..report import META_KEY


def notebook_results(path: Path) -> dict:
    """Every value a chapter glued (name -> value) and every table it showed (name -> records)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    results: dict = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {})
            if "scrapbook" in meta:
                name = meta["scrapbook"].get("name")
                prefix = meta["scrapbook"].get("mime_prefix", "")
                data = out.get("data", {})
                text = data.get(prefix + "text/plain")
                if name and text is not None and prefix + "image/png" not in data:
                    try:
                        results[name] = ast.literal_eval(text)
                    except (ValueError, SyntaxError, MemoryError, RecursionError):
                        results[name] = text
            if META_KEY in meta and "table" in meta[META_KEY]:
                results[meta[META_KEY]["table"]] = meta[META_KEY]["records"]
    return results


def export_figures(nb_path: Path, folder: Path) -> list[str]:
    """Write every glued figure of an executed notebook as ``folder/NAME.png``; returns their paths relative
    to ``folder``'s parent."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for cell in nbformat.read(str(nb_path), as_version=4).cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            png = out.get("data", {}).get(scrap.get("mime_prefix", "") + "image/png")
            name = scrap.get("name")
            if png and name:
                (folder / f"{name}.png").write_bytes(base64.b64decode(png))
                names.append(f"{folder.name}/{name}.png")
    return names


def export_files(nb_path: Path, folder: Path) -> list[str]:
    """Write every file a chapter attached for download (:func:`evalpatterns.report.download`) as
    ``folder/NAME``; returns the names."""
    import nbformat

    names = []
    for cell in nbformat.read(str(nb_path), as_version=4).cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get(META_KEY, {})
            if "file" in meta and "text" in meta:
                name = Path(str(meta["file"])).name
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(meta["text"])
                names.append(name)
    return names
