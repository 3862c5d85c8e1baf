"""The model file format: a Keras ``.keras`` archive plus a ``digitpad.json`` record (what
made it: network, data, recipe, accuracies, date, library versions). Saved atomically,
loaded, its record and its numpy layers read.

Keras (and so TensorFlow) is imported only by :func:`load_model` and :func:`save_model`, so
reading a model's record or weights for inference never pays the ~5 s TensorFlow import.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import os
import platform
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import digitpad
from digitpad import jsonfile
from digitpad.networks import describe_architecture
from digitpad.numpy_net import NumpyLayer, UnsupportedLayer, layer_from_config

if TYPE_CHECKING:
    import keras

METADATA_NAME = "digitpad.json"


class ModelFileError(RuntimeError):
    """A model file is missing, truncated or not a Keras model; the message names the file."""


def versions() -> dict[str, str]:
    """Library versions recorded with a model, so a file says what made it."""
    out = {"digitpad": digitpad.__version__, "python": platform.python_version(),
           "numpy": np.__version__}
    with contextlib.suppress(Exception):
        import keras

        out["keras"] = keras.__version__
    with contextlib.suppress(Exception):
        import tensorflow as tf

        out["tensorflow"] = tf.__version__
    return out


def save_model(model: keras.Model, path: str | os.PathLike[str], metadata: dict[str, Any]) -> Path:
    """Write ``model`` plus a ``digitpad.json`` record to ``path`` atomically.

    The file is written next to its target and moved over it with ``os.replace``, so a crash
    or a full disk mid-write leaves the previous model intact.
    """
    path = Path(path)
    try:
        return _save_atomically(model, path, metadata)
    except ModelFileError:
        raise
    except (OSError, ValueError) as exc:  # ENOSPC, EACCES, EROFS, h5py's ValueErrors
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ModelFileError(f"could not save the model to {path}: {reason}") from exc


TEMP_PREFIX = "."  # temp files are ".<stem>-XXXXXXXX.keras" beside the target


def remove_stale_temp_files(folder: Path, older_than_s: float = 600.0,
                            suffix: str = ".keras") -> list[Path]:
    """Delete temp files that an interrupted save (kill -9, power loss) left in ``folder``
    (``.<stem>-XXXXXXXX<suffix>``, as :func:`digitpad.paths.atomic_file` and
    :func:`save_model` name them).

    Only ones older than ``older_than_s``: a save takes well under a second, so a younger
    one may belong to another digitpad saving right now.
    """
    import time

    removed = []
    if not folder.is_dir():
        return removed
    for tmp in folder.glob(f"{TEMP_PREFIX}*-*{suffix}"):
        if not tmp.is_file():
            continue
        try:
            if time.time() - tmp.stat().st_mtime > older_than_s:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def _save_atomically(model: keras.Model, path: Path, metadata: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "architecture": describe_architecture(model),
        "parameters": int(model.count_params()),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        **metadata,
    }
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.stem}-", suffix=".keras",
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a model file is an ordinary file
    try:
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(METADATA_NAME, json.dumps(record, indent=2, default=str))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _open_archive(path: Path) -> zipfile.ZipFile:
    if path.is_dir():
        raise ModelFileError(f"model file {path} is a directory, not a .keras file")
    if not path.is_file():
        if os.path.lexists(path):
            raise ModelFileError(f"model file {path} is not a regular file (a pipe or a "
                                 "device)")
        raise ModelFileError(f"model file {path} does not exist")
    try:
        archive = zipfile.ZipFile(path)
    except PermissionError:
        raise ModelFileError(f"model file {path} cannot be read: permission denied") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelFileError(
            f"model file {path} is damaged or not a Keras .keras file ({exc})"
        ) from exc
    if "config.json" not in archive.namelist():
        archive.close()
        raise ModelFileError(f"model file {path} is not a Keras model (no config.json inside)")
    # The sizes the archive declares bound what reading it can inflate (zipfile never reads
    # past them): a 2 MB file must not become 2 GiB of weights at every launch.
    unpacked = sum(info.file_size for info in archive.infolist())
    config = archive.getinfo("config.json").file_size
    if unpacked > MAX_MODEL_BYTES or config > MAX_CONFIG_BYTES:
        archive.close()
        raise ModelFileError(f"model file {path} would unpack to {unpacked >> 20} MB, more "
                             f"than a model digitpad reads ({MAX_MODEL_BYTES >> 20} MB, "
                             f"{MAX_CONFIG_BYTES >> 20} MB of config): not read")
    return archive


MAX_MODEL_BYTES = 512 << 20  # digitpad's networks are a few MB unpacked
MAX_CONFIG_BYTES = 16 << 20


MAX_METADATA_BYTES = 1 << 20  # a real record is ~1 KB; never inflate a bomb into memory


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The digitpad record stored in a model file ({} for a plain Keras file)."""
    with _open_archive(Path(path)) as archive:
        if METADATA_NAME not in archive.namelist():
            return {}
        if archive.getinfo(METADATA_NAME).file_size > MAX_METADATA_BYTES:
            raise ModelFileError(f"model file {path} has an oversized metadata record "
                                 f"(over {MAX_METADATA_BYTES // 1024} KB)")
        try:
            record = jsonfile.loads(archive.read(METADATA_NAME), f"model file {path}")
        except (ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ModelFileError(f"model file {path} has an unreadable metadata record") from exc
    if not isinstance(record, dict):
        raise ModelFileError(f"model file {path} has a metadata record that is not a JSON "
                             "object")
    return record


def load_model(path: str | os.PathLike[str]) -> keras.Model:
    """Load a ``.keras`` file; any failure becomes :class:`ModelFileError` naming the file."""
    path = Path(path)
    with _open_archive(path) as archive:
        bad = archive.testzip()
    if bad is not None:
        raise ModelFileError(f"model file {path} is damaged ({bad} fails its checksum)")
    import warnings

    import keras

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.models.load_model(path)
    except Exception as exc:  # Keras raises many types for a bad file
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ModelFileError(f"model file {path} could not be loaded: {first_line}") from exc


def _snake_case(name: str) -> str:
    """``Dense`` -> ``dense``, ``BatchNormalization`` -> ``batch_normalization`` (as Keras)."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)  # Keras's own to_snake_case
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def input_reshape(shape: Any) -> list[NumpyLayer]:
    """The numpy layer that turns the predictor's (N, 784) rows into a model's input shape
    (none for a flat 784 input or a pen path); any other shape that is not 28x28 pixels is
    unsupported."""
    from digitpad.pen_path import FEATURES, POINTS

    shape = tuple(int(d) for d in shape)
    if shape in ((784,), (POINTS, FEATURES)):  # pictures as rows, or the pen's path
        return []
    if int(np.prod(shape)) != 784:
        raise UnsupportedLayer(f"input shape {shape} is not a 28x28 image")
    return [NumpyLayer("Reshape", options={"shape": shape})]


def read_layers(path: str | os.PathLike[str]) -> list[NumpyLayer] | None:
    """The network as numpy layers, read with h5py only (no TensorFlow import).

    Returns None when the file holds an architecture the numpy path does not cover (the
    caller then loads it with Keras); raises :class:`ModelFileError` for a damaged file.
    """
    import h5py

    path = Path(path)
    with _open_archive(path) as archive:
        try:
            config = jsonfile.loads(archive.read("config.json"), f"model file {path}")
            weights_bytes = archive.read("model.weights.h5")
        except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ModelFileError(f"model file {path} is damaged ({exc})") from exc
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        return None
    layers: list[NumpyLayer] = []
    used_names: dict[str, int] = {}
    try:
        with h5py.File(io.BytesIO(weights_bytes), "r") as h5:
            for layer in config["config"]["layers"]:
                kind, cfg = layer["class_name"], layer["config"]
                if kind == "InputLayer":
                    shape = cfg.get("batch_shape") or cfg.get("batch_input_shape") or [None, 784]
                    try:
                        layers.extend(input_reshape(shape[1:]))
                    except UnsupportedLayer as exc:
                        raise ModelFileError(f"model file {path} cannot read digits: {exc}") \
                            from exc
                    continue
                # Keras stores weights under the snake-cased class name numbered per model
                # ("dense", "dense_1"), not under the layer's own name ("dense_7").
                base = _snake_case(kind)
                used_names[base] = used_names.get(base, -1) + 1
                store = base if not used_names[base] else f"{base}_{used_names[base]}"
                group = h5.get(f"layers/{store}/vars")
                weights = [] if group is None else [
                    np.asarray(group[str(i)]) for i in range(len(group))]
                try:
                    layers.append(layer_from_config(kind, cfg, weights))
                except UnsupportedLayer:
                    return None
    except (OSError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"model file {path} has damaged weights or config ({exc})") from exc
    return layers or None
