"""Is anyone speaking? A check that runs before Whisper, because Whisper invents text on silence.

On silence, hum or noise Whisper writes "Thank you." or "Thanks for watching!". So a recording only
reaches the model when two checks pass: it is loud enough somewhere (an energy gate, free), and the
Silero voice-activity model that ships inside faster-whisper finds enough speech in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interviewer.speech.audio import FRAME_SECONDS, SAMPLE_RATE, frame_levels_dbfs

# Frames quieter than this are silence whatever the VAD says: a muted or unplugged microphone sits near
# -90 dBFS, room tone near -60; quiet speech on a laptop microphone is -40 dBFS or louder.
SILENCE_DBFS = -50.0
# At least this much voiced audio counts as an answer: one short word is about 0.25 s.
MIN_SPEECH_SECONDS = 0.25
# Silero's speech probability above which a 32 ms window is voice (its documented default).
VAD_THRESHOLD = 0.5


@dataclass(frozen=True)
class VoiceActivity:
    """What the checks found: ``speech`` is the verdict, the rest says why."""

    speech: bool
    peak_dbfs: float
    """Loudest 30 ms frame."""
    speech_seconds: float
    """Voiced audio found by the VAD (0 when the energy gate already said silence)."""
    spans: tuple[tuple[float, float], ...] = ()
    """(start, end) seconds of each voiced stretch."""


def detect_voice(samples: np.ndarray) -> VoiceActivity:
    """Run the energy gate, then (if it passes) Silero VAD over 16 kHz mono samples."""
    peak = float(frame_levels_dbfs(samples).max()) if len(samples) else -120.0
    if peak < SILENCE_DBFS:
        return VoiceActivity(False, peak, 0.0)
    spans = speech_spans(samples)
    voiced = sum(end - start for start, end in spans)
    return VoiceActivity(voiced >= MIN_SPEECH_SECONDS, peak, round(voiced, 3), spans)


def speech_spans(samples: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Voiced stretches as (start, end) seconds, from the Silero VAD model bundled with faster-whisper."""
    # faster_whisper.vad loads onnxruntime and the 2 MB Silero model on first use (~0.1 s): only here.
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=VAD_THRESHOLD, min_speech_duration_ms=100, min_silence_duration_ms=300,
                         speech_pad_ms=30)
    stamps = get_speech_timestamps(np.ascontiguousarray(samples, dtype=np.float32), options, sampling_rate=SAMPLE_RATE)
    return tuple((s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps)


def quiet_cuts(samples: np.ndarray, max_seconds: float = 30.0, search_seconds: float = 5.0) -> list[int]:
    """Where to cut long audio into chunks of at most ``max_seconds``: sample indices, each at the quietest
    30 ms frame in the last ``search_seconds`` before the limit (a pause between words, where one exists).

    ``[0, c1, …, len(samples)]``: chunk ``i`` is ``samples[cuts[i]:cuts[i + 1]]``.
    """
    limit = int(max_seconds * SAMPLE_RATE)
    frame = int(FRAME_SECONDS * SAMPLE_RATE)
    cuts = [0]
    while len(samples) - cuts[-1] > limit:
        window_start = cuts[-1] + limit - int(search_seconds * SAMPLE_RATE)
        levels = frame_levels_dbfs(samples[window_start : cuts[-1] + limit])
        cuts.append(window_start + int(np.argmin(levels)) * frame + frame // 2)
    cuts.append(len(samples))
    return cuts
