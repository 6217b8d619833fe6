"""Screenshot the review page of the example memo's draft into docs/review-page.png.

    python tools/render_review.py

Drafts recordings/example-memo.m4a offline with --review in a scratch workspace, opens the page
in headless Chromium, plays from the third paragraph and captures the window.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from browser import chromium  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        (workspace / "recordings").mkdir()
        shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace / "recordings")
        command = [sys.executable, "-m", "voiceblog", "draft", "recordings/example-memo.m4a"]
        done = subprocess.run(
            [*command, "--review", "--format", "md"], cwd=workspace, capture_output=True, text=True
        )
        page = workspace / next(p for p in done.stdout.split() if p.endswith(".review.html"))
        with chromium(900, 1300) as driver:
            driver.get(page.as_uri())
            driver.find_elements("css selector", "article.para")[2].click()
            time.sleep(1.5)
            out = ROOT / "docs" / "review-page.png"
            driver.save_screenshot(str(out))
    print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()
