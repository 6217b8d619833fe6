"""Render page 1 of the example memo's Word draft to docs/example-draft.png for the README.

Needs LibreOffice and poppler (Debian: libreoffice-writer-nogui poppler-utils). Re-run after
changing the Word export:

    python tools/render_docs.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "example-draft.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(ROOT / "recordings" / "example-memo.m4a", work / "example-memo.m4a")
        command = [
            sys.executable,
            "-m",
            "voiceblog",
            "draft",
            "example-memo.m4a",
            "--format",
            "docx",
        ]
        written = subprocess.run(command, cwd=work, check=True, capture_output=True, text=True)
        docx_path = work / written.stdout.split()[0]
        env = {**os.environ, "HOME": folder}  # LibreOffice keeps its profile out of the user's
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, docx_path],
            check=True,
            capture_output=True,
            env=env,
        )
        pdf = work / docx_path.with_suffix(".pdf").name  # --outdir is the work folder
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                pdf,
                OUT.with_suffix(""),
            ],
            check=True,
        )
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
