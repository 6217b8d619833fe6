"""The project's errors. Every message is one line a user can act on; cli.py shows it as is."""


class VoiceblogError(Exception):
    """Base class: anything voiceblog expects to go wrong with a user's input or setup."""


class AudioError(VoiceblogError):
    """A recording that cannot be read or decoded."""


class NoSpeechError(VoiceblogError):
    """A recording that decoded fine but holds no speech to draft from."""


class ModelError(VoiceblogError):
    """A Whisper model that cannot be found or loaded."""


class TranscriptionError(VoiceblogError):
    """A transcription API (--engine api) that failed, refused, or answered no transcript."""


class LLMError(VoiceblogError):
    """The LLM could not be reached or refused the request."""


class LLMOutputError(LLMError):
    """The LLM answered, but not with what was asked for."""


class PromptError(VoiceblogError):
    """A prompt template that is missing or uses unknown variables."""


class ExportError(VoiceblogError):
    """A draft that cannot be written where it should go."""


class ConfigError(VoiceblogError):
    """An unreadable or invalid voiceblog.toml."""


def describe(error: Exception) -> str:
    """One line for the user: voiceblog's own message, or what the OS refused and where
    ("drafts/x.md: No space left on device"), never a traceback. Anything else is a bug in
    voiceblog: named as one (the traceback is logged with -v). No secret is in it, and no
    character that would act on a terminal (it is shown, and stored in the batch records)."""
    from voiceblog.redact import shown

    return shown(_one_line(error))


def _one_line(error: Exception) -> str:
    if isinstance(error, VoiceblogError):
        return str(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    import logging

    logging.getLogger("voiceblog").debug("unexpected error", exc_info=error)
    return f"unexpected error (a bug in voiceblog; -v shows where): {type(error).__name__}: {error}"
