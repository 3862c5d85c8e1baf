"""Every subcommand behaves like a good Unix tool: exit codes as documented, no traceback on
Ctrl+C or a closed pipe, options checked, messages that say what is actually done."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO

from digitpad.__main__ import main


@pytest.mark.parametrize("epochs", ["0", "-3", "two"])
def test_finetune_epochs_must_be_at_least_one(tmp_path, capsys, epochs):
    with pytest.raises(SystemExit) as exited:
        main(["finetune", str(tmp_path / "s.npz"), "--out", str(tmp_path / "m.keras"),
              "--epochs", epochs])
    assert exited.value.code == 2
    assert "--epochs" in capsys.readouterr().err
    assert not (tmp_path / "m.keras").exists()  # no untuned copy saved


@pytest.mark.parametrize("command", [["evaluate", "--data", "pen"],
                                     ["finetune", "x.npz", "--out", "y.keras"]])
def test_ctrl_c_ends_a_subcommand_with_130_and_one_line(command, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("digitpad.training_data.load_test_set", interrupted)
    monkeypatch.setattr("digitpad.samples.read_export", interrupted)
    assert main(command) == 130
    err = capsys.readouterr().err
    assert err.strip() == "interrupted" and "Traceback" not in err


def test_a_closed_pipe_ends_evaluate_quietly(tmp_path):
    done = subprocess.run(f"{sys.executable} -m digitpad evaluate --data pen --json | head -1",
                          shell=True, capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "DIGITPAD_DATA_DIR": str(tmp_path)})
    assert done.stdout.strip() == "{"
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


def test_an_unusable_model_given_says_so_and_uses_no_other(tmp_path, capsys):
    fifo = tmp_path / "pipe.keras"
    os.mkfifo(fifo)
    assert main(["evaluate", "--model", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err and "bundled model instead" not in err
    assert main(["evaluate", "--model", str(tmp_path / "none.keras")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "bundled model instead" not in err


def test_classify_says_which_model_it_used(tmp_path, capsys):
    import numpy as np
    from PySide6.QtGui import QImage

    image = np.full((60, 60), 255, np.uint8)
    image[10:50, 28:33] = 0  # a "1"
    path = tmp_path / "one.png"
    QImage(image.data, 60, 60, 60, QImage.Format.Format_Grayscale8).save(str(path))
    assert main(["classify", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{path}: 1 ")
    assert captured.err.startswith("model: ") and "model-convnet.keras" in captured.err
