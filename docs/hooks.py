"""mkdocs hook: add the generated reference pages (mcaudit/docsgen.py) to the build.

Listed under `hooks:` in mkdocs.yml and excluded from the site's files there. Nothing is written
into docs/: the pages exist only in the build, so they always describe the code being built.
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

from mcaudit.docsgen import PAGES


def on_files(files: Files, config: Any) -> Files:
    for name, render in PAGES.items():
        existing = files.get_file_from_path(name)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, name, content=render()))
    return files
