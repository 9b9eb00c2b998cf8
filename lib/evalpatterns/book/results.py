"""What an executed notebook shows, read back: every glued value and table (``results.json``) and every glued
figure (as PNG and SVG files, whichever it was glued as)."""
from __future__ import annotations

import ast
import base64
from pathlib import Path

from ..report import META_KEY

#: a figure's file extension -> its MIME type in a glued output
IMAGES = {"png": "image/png", "svg": "image/svg+xml"}


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
                if name and text is not None and not any(prefix + m in data for m in IMAGES.values()):
                    try:
                        results[name] = ast.literal_eval(text)
                    except (ValueError, SyntaxError, MemoryError, RecursionError):
                        results[name] = text
            if META_KEY in meta and "table" in meta[META_KEY]:
                results[meta[META_KEY]["table"]] = meta[META_KEY]["records"]
    return results


def export_figures(nb_path: Path, folder: Path) -> list[str]:
    """Write every glued figure of an executed notebook as ``folder/NAME.png`` and/or ``folder/NAME.svg``, as it
    was glued (``--figure-format``); returns their paths relative to ``folder``'s parent."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for cell in nbformat.read(str(nb_path), as_version=4).cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            name = scrap.get("name")
            for ext, mime in IMAGES.items():
                image = out.get("data", {}).get(scrap.get("mime_prefix", "") + mime)
                if image and name:
                    text = "".join(image) if isinstance(image, list) else image
                    target = folder / f"{name}.{ext}"
                    if ext == "png":
                        target.write_bytes(base64.b64decode(text))
                    else:
                        target.write_text(text, encoding="utf-8")
                    names.append(f"{folder.name}/{name}.{ext}")
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
