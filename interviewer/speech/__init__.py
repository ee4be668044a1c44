"""Spoken answers: record the microphone, transcribe offline with Whisper, measure delivery; speak the questions.

Modules: ``audio`` (the 16 kHz mono format, decoding any file), ``voice`` (is anyone speaking?),
``transcript`` (typed results, with what was dropped as invented), ``hallucination`` (the checks that drop
it), ``engine`` (the interface every engine implements), ``faster`` and ``openai_engine`` (the engines,
which import the interface, never the registry), ``registry`` (engine name -> loader, each engine imported
and warmed when loaded), ``transcriber`` (the voice check, chunking at pauses, invented-text checks and
cancel every transcription goes through), ``models`` (the packaged Whisper model), ``delivery`` (pace,
fillers, pauses), ``devices`` and ``recorder`` (the microphone), ``wavwriter`` (crash-safe WAV files),
``live`` (transcribe while recording), ``tts`` (the interviewer's voice, Piper) and ``playback`` (playing it
through PortAudio). Importing this package loads none of the heavy libraries (faster-whisper, sounddevice,
piper).
"""
