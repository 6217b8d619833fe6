"""Markdown and Word exports read back with a YAML parser and python-docx."""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
import yaml

from voiceblog.clean import Paragraph
from voiceblog.errors import ExportError
from voiceblog.export import DraftInfo, ExportOptions, MarkdownWriter, export, slugify
from voiceblog.section import Draft, Section
from voiceblog.workspace import Workspace

DATA = Path(__file__).parent / "data"

INFO = DraftInfo(
    source="memo.m4a",
    recorded=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    duration=61.04,
    engine="faster-whisper",
    model="tiny.en",
    llm=None,
)


def make_draft(title: str) -> Draft:
    paragraph = Paragraph("Words the speaker said.", 0.0, 2.0)
    return Draft(title=title, sections=[Section("First", [paragraph]), Section("Second", [])])


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Why I walk to work", "why-i-walk-to-work"),
        ("../../etc/passwd", "etc-passwd"),
        ("Crème brûlée: a story 🍮", "creme-brulee-a-story"),
        ("🍮🍮", "memo"),
        ("a" * 200, "a" * 60),
        ("C:\\Windows\\x", "c-windows-x"),
    ],
)
def test_slugs_are_safe_file_names(title, slug):
    assert slugify(title) == slug


def test_exports_stay_inside_the_drafts_folder(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    ws = Workspace(workspace)
    paths = export(
        make_draft("../../../escape"), INFO, ExportOptions(drafts, "all"), ws.manifest, "hash"
    )
    assert [p.parent for p in paths] == [drafts, drafts]
    assert [p.name for p in paths] == ["2026-03-14-escape.md", "2026-03-14-escape.docx"]


def test_front_matter_survives_quotes_colons_and_emoji(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    title = 'Title: "quoted" — and it\'s 50% 🎙️ # not a comment'
    (md_path,) = export(
        make_draft(title), INFO, ExportOptions(drafts, "md"), Workspace(workspace).manifest, "h"
    )
    front = yaml.safe_load(md_path.read_text().split("---\n", 2)[1])
    assert front == {
        "title": title,
        "date": INFO.recorded.date(),
        "source": "memo.m4a",
        "duration": 61.0,
        "engine": "faster-whisper",
        "model": "tiny.en",
        "llm": None,
    }
    assert f"# {title}\n" in md_path.read_text()


def test_docx_has_real_styles_and_properties(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    (path,) = export(
        make_draft("A title"),
        INFO,
        ExportOptions(drafts, "docx"),
        Workspace(workspace).manifest,
        "h",
    )
    document = docx.Document(path)
    assert [(p.style.name, p.text) for p in document.paragraphs] == [
        ("Title", "A title"),
        ("Heading 1", "First"),
        ("Normal", "Words the speaker said."),
        ("Heading 1", "Second"),
    ]
    assert document.core_properties.title == "A title"
    assert document.core_properties.author == ""
    assert document.core_properties.created == INFO.recorded


def test_two_memos_with_the_same_title_get_distinct_files(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    manifest = Workspace(workspace).manifest
    first = export(make_draft("Same"), INFO, ExportOptions(drafts, "md"), manifest, "memo-one")
    second = export(make_draft("Same"), INFO, ExportOptions(drafts, "md"), manifest, "memo-two")
    again = export(make_draft("Same"), INFO, ExportOptions(drafts, "md"), manifest, "memo-one")
    assert [p.name for p in first + second + again] == [
        "2026-03-14-same.md",
        "2026-03-14-same-2.md",
        "2026-03-14-same.md",
    ]


def test_a_file_voiceblog_did_not_write_is_left_alone(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    mine = drafts / "2026-03-14-same.md"
    mine.write_text("my own notes")
    (path,) = export(
        make_draft("Same"), INFO, ExportOptions(drafts, "md"), Workspace(workspace).manifest, "h"
    )
    assert path.name == "2026-03-14-same-2.md"
    assert mine.read_text() == "my own notes"
    assert not list(Path(drafts).glob(".*.tmp"))


def test_the_date_is_when_the_memo_was_recorded(workspace):
    import av
    from helpers import run

    recorded = workspace / "phone.m4a"
    with av.open(str(DATA / "jfk.flac")) as source, av.open(str(recorded), "w") as target:
        target.metadata["creation_time"] = "2026-03-14T09:30:00.000000Z"  # as phones write it
        stream = target.add_stream("aac", rate=16_000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=16_000)
        for frame in source.decode(audio=0):
            for piece in resampler.resample(frame):
                target.mux(stream.encode(piece))
        target.mux(stream.encode(None))
    (md_path,) = (Path(p) for p in run("draft", recorded, "--format", "md").stdout.split())
    assert md_path.name.startswith("2026-03-14-")
    front = yaml.safe_load(md_path.read_text().split("---\n", 2)[1])
    assert front["date"] == datetime(2026, 3, 14, 9, 30, tzinfo=UTC).astimezone().date()


TRICKY_TITLE = 'Pricing: why "free" costs more 🎙️'


def markdown(flavour: str, timestamps: bool = False) -> tuple[dict | None, str]:
    draft = make_draft(TRICKY_TITLE)
    draft.tags, draft.summary = ["pricing", "saas"], "What free plans cost: a note."
    text = MarkdownWriter(flavour, timestamps).render(draft, INFO).decode()
    if not text.startswith("---\n"):
        return None, text
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_hugo_front_matter():
    front, body = markdown("hugo")
    assert front == {
        "title": TRICKY_TITLE,
        "date": "2026-03-14T09:30:00+00:00",
        "draft": True,
        "tags": ["pricing", "saas"],
        "description": "What free plans cost: a note.",
        "slug": "pricing-why-free-costs-more",
    }
    assert "# " + TRICKY_TITLE not in body  # Hugo's theme prints the title
    assert body.lstrip().startswith("## First")


def test_jekyll_front_matter():
    front, body = markdown("jekyll")
    assert front == {
        "layout": "post",
        "title": TRICKY_TITLE,
        "date": "2026-03-14 09:30:00 +0000",
        "published": False,
        "tags": ["pricing", "saas"],
        "excerpt": "What free plans cost: a note.",
    }
    assert not body.lstrip().startswith("# ")


def test_obsidian_front_matter():
    front, body = markdown("obsidian")
    assert front == {
        "aliases": [TRICKY_TITLE],
        "tags": ["pricing", "saas"],
        "created": "2026-03-14T09:30+00:00",
        "summary": "What free plans cost: a note.",
        "source": "memo.m4a",
    }
    assert body.lstrip().startswith(f"# {TRICKY_TITLE}\n")


def test_no_front_matter_and_timestamps():
    front, body = markdown("none", timestamps=True)
    assert front is None
    assert body.startswith(
        f"# {TRICKY_TITLE}\n\n## First\n\nWords the speaker said.\n\n<!-- 0:00–0:02 -->\n"
    )


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx_cleanly(workspace):
    drafts = workspace / "drafts"
    drafts.mkdir()
    draft = make_draft("Opened by LibreOffice")
    flagged = Paragraph("A paragraph the check flagged.", 2.0, 4.0, flag="it adds words")
    draft.sections[1].paragraphs.append(flagged)
    (path,) = export(draft, INFO, ExportOptions(drafts, "docx"), Workspace(workspace).manifest, "h")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(workspace), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(workspace)},  # a profile of its own, not the user's
    )
    pdf = workspace / path.with_suffix(".pdf").name
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        for expected in ("Opened by LibreOffice", "First", "Words the speaker said.", "flagged"):
            assert expected in text


def edited_draft(title: str, words: str) -> Draft:
    return Draft(title=title, sections=[Section(None, [Paragraph(words, 0.0, 2.0)])])


def immutable(path: Path) -> bool:
    """chattr +i on path (root, on a file system that has it), so that nothing can replace it."""
    if not shutil.which("chattr"):
        return False
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_a_folder_where_the_docx_goes_moves_the_set_to_the_next_name(workspace, caplog):
    drafts = workspace / "drafts"
    (drafts / "2026-03-14-same.docx").mkdir(parents=True)
    manifest = Workspace(workspace).manifest
    for _ in range(2):  # and again on the next run: it never fails the memo
        paths = export(make_draft("Same"), INFO, ExportOptions(drafts, "all"), manifest, "h")
        assert [p.name for p in paths] == ["2026-03-14-same-2.md", "2026-03-14-same-2.docx"]
    assert "2026-03-14-same.docx is not a file voiceblog can write" in caplog.text
    assert docx.Document(paths[1]).paragraphs[0].text == "Same"


def test_an_unwritable_docx_leaves_both_formats_as_they_were(workspace, caplog):
    drafts = workspace / "drafts"
    drafts.mkdir()
    manifest = Workspace(workspace).manifest
    md, word = export(
        edited_draft("Same", "First words."), INFO, ExportOptions(drafts, "all"), manifest, "h"
    )
    before = {p: p.read_bytes() for p in (md, word)}
    if not immutable(word):
        pytest.skip("chattr +i is not available here")
    try:
        again = export(
            edited_draft("Same", "Second words."), INFO, ExportOptions(drafts, "all"), manifest, "h"
        )
        assert {p: p.read_bytes() for p in (md, word)} == before
    finally:
        subprocess.run(["chattr", "-i", str(word)], check=True)
    assert [p.name for p in again] == ["2026-03-14-same-2.md", "2026-03-14-same-2.docx"]
    assert "Second words." in again[0].read_text()
    assert f"{word} is not a file voiceblog can write; the draft goes beside it" in caplog.text


def test_drafts_that_cannot_be_recorded_are_put_back(workspace):
    """A full disk under .voiceblog/ left an .md with no .docx and no manifest entry."""
    drafts = workspace / "drafts"
    drafts.mkdir()
    manifest = Workspace(workspace).manifest
    written = export(
        edited_draft("Same", "First words."), INFO, ExportOptions(drafts, "all"), manifest, "h"
    )
    before = {p: p.read_bytes() for p in written}
    records = manifest.path.read_bytes()
    if not immutable(manifest.path.parent):  # no new file can be made there: as if full
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(ExportError, match="manifest.json: cannot write it"):
            export(
                edited_draft("Same", "Second words."),
                INFO,
                ExportOptions(drafts, "md"),
                manifest,
                "h",
            )
    finally:
        subprocess.run(["chattr", "-i", str(manifest.path.parent)], check=True)
    assert {p: p.read_bytes() for p in written} == before and manifest.path.read_bytes() == records
    assert sorted(p.name for p in drafts.iterdir()) == sorted(p.name for p in before)
