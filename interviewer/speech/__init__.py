"""Spoken answers: record the microphone, transcribe offline with Whisper, measure delivery.

Modules: ``audio`` (the 16 kHz mono format, decoding any file), ``voice`` (is anyone speaking?),
``transcript`` (typed results), ``transcriber`` (the engine interface), ``faster`` and ``openai_engine``
(the engines), ``models`` (the packaged Whisper model), ``delivery`` (pace, fillers, pauses),
``devices`` and ``recorder`` (the microphone), ``wavwriter`` (crash-safe WAV files), ``live`` (transcribe
while recording). Importing this package loads none of the heavy libraries (faster-whisper, sounddevice).
"""
