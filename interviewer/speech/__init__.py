"""Spoken answers: record the microphone, transcribe offline with Whisper, measure delivery.

Modules: ``audio`` (the 16 kHz mono format, decoding any file), ``voice`` (is anyone speaking?),
``transcript`` (typed results), ``engine`` (the interface every engine implements), ``faster`` and
``openai_engine`` (the engines, which import the interface, never the registry), ``registry`` (engine name ->
loader, each engine imported when loaded), ``transcriber`` (the voice check and cancel every transcription
goes through), ``models`` (the packaged Whisper model), ``delivery`` (pace, fillers, pauses),
``devices`` and ``recorder`` (the microphone), ``wavwriter`` (crash-safe WAV files), ``live`` (transcribe
while recording). Importing this package loads none of the heavy libraries (faster-whisper, sounddevice).
"""
