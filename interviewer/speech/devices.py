"""Audio devices: importing PortAudio safely, listing the inputs (microphones; ``playback`` lists the outputs with
the same ``query_devices``), choosing one by name or index (``match_device``).

``sounddevice`` cannot even be imported without the PortAudio library (``OSError``); every failure here
becomes one ``AudioDeviceError`` line that says what to do, and typed answers keep working.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from interviewer.errors import InputError

TYPED_FALLBACK = "meanwhile you can type your answers (`interviewer practice`) or transcribe a file (`interviewer transcribe FILE`)"
NO_PORTAUDIO = ("recording needs the PortAudio library, which is not installed: run `sudo apt-get install libportaudio2`; "
                + TYPED_FALLBACK)
NO_INPUT = ("no microphone found (PortAudio lists no input device): plug one in or check that the sound server "
            "(PulseAudio/PipeWire) is running, then see `interviewer devices`; " + TYPED_FALLBACK)


class AudioDeviceError(InputError):
    """No PortAudio, no input device, an unknown device: the message says what to do instead."""


@dataclass(frozen=True)
class AudioDevice:
    """A PortAudio device as the input or the output list shows it (``channels``: of that direction)."""

    index: int
    name: str
    host_api: str
    channels: int
    default_sample_rate: float
    is_default: bool


def sounddevice_module() -> ModuleType:
    """The ``sounddevice`` module, or ``AudioDeviceError`` when PortAudio is missing."""
    try:
        # sounddevice loads libportaudio through ctypes on import (~60 ms): only where recording is needed.
        import sounddevice
    except OSError:
        raise AudioDeviceError(NO_PORTAUDIO) from None
    except ImportError:
        raise AudioDeviceError("recording needs the sounddevice package: run `pip install sounddevice`; "
                               + TYPED_FALLBACK) from None
    return sounddevice


def refresh() -> None:
    """Re-initialise PortAudio so it sees devices that appeared since it started (e.g. a new sound server).

    PortAudio reads the device list once, when ``sounddevice`` is imported.
    """
    sd = sounddevice_module()
    sd._terminate()
    sd._initialize()


def query_devices(sd: ModuleType, kind: str) -> list[AudioDevice]:
    """Every device with at least one ``kind`` ("input" or "output") channel, in PortAudio's order, PortAudio's
    default for ``kind`` marked (else the first host API's). Raises ``sd.PortAudioError``."""
    devices = sd.query_devices()
    apis = sd.query_hostapis()
    default = sd.default.device[0 if kind == "input" else 1]
    if default is None or default < 0:
        default = next((api[f"default_{kind}_device"] for api in apis if api[f"default_{kind}_device"] >= 0), -1)
    return [
        AudioDevice(int(d["index"]), str(d["name"]), str(apis[d["hostapi"]]["name"]), int(d[f"max_{kind}_channels"]),
                    float(d["default_samplerate"]), int(d["index"]) == default)
        for d in devices
        if d[f"max_{kind}_channels"] > 0
    ]


def list_input_devices() -> list[AudioDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = sounddevice_module()
    try:
        return query_devices(sd, "input")
    except sd.PortAudioError as exc:
        raise AudioDeviceError(f"cannot list audio devices ({exc}); " + TYPED_FALLBACK) from None


def resolve_input_device(spec: str | int | None) -> AudioDevice:
    """The input device for a setting: None (the default input), an index, or a name (exact, else a unique part).

    No input at all, or a name or index that matches none, raises ``AudioDeviceError`` listing the inputs.
    """
    return match_input_device(list_input_devices(), spec)


def match_input_device(inputs: list[AudioDevice], spec: str | int | None) -> AudioDevice:
    """The device of ``inputs`` a setting names (see ``resolve_input_device``)."""
    if not inputs:
        raise AudioDeviceError(NO_INPUT)
    return match_device(inputs, spec, "input")


def match_device(devices: list[AudioDevice], spec: str | int | None, kind: str) -> AudioDevice:
    """The device of ``devices`` (not empty; ``kind``: "input" or "output", for the messages) that a setting
    names: None or blank (the default), an index, or a name (exact, else a unique part of one); else
    ``AudioDeviceError`` listing the devices."""
    listing = "; ".join(f"{d.index}: {d.name}" for d in devices)
    if spec is None or str(spec).strip() == "":
        return next((d for d in devices if d.is_default), devices[0])
    text = str(spec).strip()
    if text.isdigit():
        match = [d for d in devices if d.index == int(text)]
        if not match:
            raise AudioDeviceError(f"device {text}: no {kind} device with that index; {kind}s are {listing}")
        return match[0]
    exact = [d for d in devices if d.name.lower() == text.lower()]
    if exact:
        return exact[0]
    partial = [d for d in devices if text.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AudioDeviceError(f"device {text!r}: matches several {kind}s ({', '.join(d.name for d in partial)}); "
                               "give the full name or the index")
    raise AudioDeviceError(f"device {text!r}: no {kind} device with that name; {kind}s are {listing}")
