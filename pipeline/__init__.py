"""voiceblog: turn dictated voice memos into editable, sectioned blog drafts."""

__version__ = "0.1.0"
