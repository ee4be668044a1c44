"""A WAV file that is valid on disk while it is still being written.

The stdlib ``wave`` writer fills in the sizes in the header only when it is closed, so a crash leaves a
file that many players refuse. This writer patches the RIFF and data sizes and flushes to disk on every
``sync()`` (the recorder calls it about twice a second), so after a crash the file plays and holds all
but the last moments of the answer.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from interviewer.speech.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH

HEADER_BYTES = 44  # canonical PCM header: RIFF chunk, "fmt " chunk (16 bytes), "data" chunk header


def wav_header(data_bytes: int, sample_rate: int = SAMPLE_RATE, channels: int = CHANNELS,
               sample_width: int = SAMPLE_WIDTH) -> bytes:
    """The 44-byte header of a PCM WAV file holding ``data_bytes`` bytes of samples."""
    block_align = channels * sample_width
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block_align,
                                    block_align, 8 * sample_width)
            + b"data" + struct.pack("<I", data_bytes))


class WavWriter:
    """16-bit PCM WAV written incrementally: ``write(pcm)`` appends, ``sync()`` makes the file complete on disk.

    ``exclusive`` refuses to replace an existing file (``FileExistsError``).
    """

    def __init__(self, path: Path, *, sample_rate: int = SAMPLE_RATE, channels: int = CHANNELS,
                 exclusive: bool = False) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.data_bytes = 0
        self._file: BinaryIO | None = path.open("xb" if exclusive else "wb")
        self._file.write(wav_header(0, sample_rate, channels))
        self._synced = 0

    @property
    def seconds(self) -> float:
        return self.data_bytes / (self.sample_rate * self.channels * SAMPLE_WIDTH)

    def write(self, pcm: bytes) -> None:
        if self._file is None:
            raise ValueError(f"{self.path}: already closed")
        self._file.write(pcm)
        self.data_bytes += len(pcm)

    def sync(self) -> None:
        """Patch the sizes in the header and push everything to disk."""
        if self._file is None or self._synced == self.data_bytes:
            return
        handle = self._file
        handle.seek(4)
        handle.write(struct.pack("<I", 36 + self.data_bytes))
        handle.seek(40)
        handle.write(struct.pack("<I", self.data_bytes))
        handle.seek(0, os.SEEK_END)
        handle.flush()
        os.fsync(handle.fileno())
        self._synced = self.data_bytes

    def close(self) -> None:
        if self._file is None:
            return
        try:
            self.sync()
        finally:
            self._file.close()
            self._file = None

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
