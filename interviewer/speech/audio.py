"""Audio in the one format the speech code uses: 16 kHz mono float32 samples in [-1, 1].

``load_audio`` decodes any file FFmpeg reads (WAV, FLAC, MP3, Ogg…; any sample rate; stereo) with PyAV,
which faster-whisper already depends on, and mixes it down and resamples it to 16 kHz mono. Recordings
are written as 16-bit PCM WAV by ``wavwriter`` with the stdlib; no libsndfile is needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from interviewer.errors import InputError
from interviewer.textfile import check_input_file

SAMPLE_RATE = 16000  # Hz: what Whisper was trained on, and what the recorder captures
CHANNELS = 1  # mono: one voice, one microphone
SAMPLE_WIDTH = 2  # bytes per sample in recordings (16-bit PCM)
FRAME_SECONDS = 0.03  # loudness is measured over 30 ms frames (the usual VAD frame)
MAX_FILE_SECONDS = 2 * 60 * 60  # refuse to decode more than two hours (an answer is minutes)


def seconds(samples: np.ndarray) -> float:
    """Duration of 16 kHz samples in seconds."""
    return len(samples) / SAMPLE_RATE


def pcm16_to_float(data: bytes) -> np.ndarray:
    """16-bit little-endian PCM bytes -> float32 samples in [-1, 1)."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    """float samples (clipped to [-1, 1]) -> 16-bit little-endian PCM bytes."""
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return (clipped * 32767.0).round().astype("<i2").tobytes()


def load_audio(path: Path) -> np.ndarray:
    """The file's audio as 16 kHz mono float32, shape (n,).

    A missing, unreadable or corrupt file, or one with no audio stream, raises ``InputError`` naming it.
    """
    # A folder, a device or a pipe says so: decoding needs a file it can seek in.
    if check_input_file(path, "audio file", pipes=False).st_size == 0:
        raise InputError(f"{path}: empty file, not audio")
    # PyAV is FFmpeg's libraries (~60 ms to import): only here, never at module scope.
    import av

    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(f"{path}: no audio stream in the file")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > MAX_FILE_SECONDS * SAMPLE_RATE:
                    raise InputError(f"{path}: longer than {MAX_FILE_SECONDS // 3600} hours; cut it into answers first")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except InputError:
        raise
    except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
        reason = " ".join(str(getattr(exc, "strerror", None) or exc).split()) or type(exc).__name__
        raise InputError(f"{path}: not a readable audio file ({reason})") from None
    if not chunks:
        raise InputError(f"{path}: the file holds no audio samples")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def frame_levels_dbfs(samples: np.ndarray, frame_seconds: float = FRAME_SECONDS) -> np.ndarray:
    """Loudness of each frame in dBFS (0 = full scale, -inf clipped to -120): ``out[i]`` is frame ``i``'s RMS."""
    size = max(1, int(frame_seconds * SAMPLE_RATE))
    count = len(samples) // size
    if count == 0:
        return np.full(1, level_dbfs(samples))
    frames = np.asarray(samples[: count * size], dtype=np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.maximum(20 * np.log10(np.maximum(rms, 1e-6)), -120.0)


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level of a block of samples in dBFS (-120 for digital silence); what a level meter shows."""
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(20 * np.log10(max(rms, 1e-6)), -120.0)
