"""Speech to text: a recording in, a Transcript out (imports as voiceblog.transcription).

run.py             transcribe(): the engine chosen and run, its transcript cached by the audio
options.py         TranscribeOptions: engine, model, decoding; which of them key the cache
transcript.py      Transcript, Segment, Word: what every later stage reads
formats.py         a transcript as txt, json, srt or vtt (`voiceblog transcribe`)
local_engines.py   faster-whisper and openai-whisper on this machine
batched_pipeline.py faster-whisper's BatchedInferencePipeline, subclassed: cue timings, fallback
engine_output.py   the engines' segments and words as our Segment and Word
api_engine.py      a provider's Whisper through litellm (--engine api)
vad.py             Silero VAD: the windows of speech, the pauses, word edges snapped into them
whisper_weights.py the Whisper weights each engine loads, offline when a package carries them
devices.py         where Whisper runs: CPU or CUDA GPU
corrections.py     the transcript as the person corrected it (`transcribe --edit`)

Nothing here imports a later stage: which windows need word timings is told by the caller.
"""
