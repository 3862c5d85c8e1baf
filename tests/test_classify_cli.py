"""``digitpad classify`` on picture files made here, including inverted and broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from digitpad.__main__ import main


def picture(path: Path, digit: str, ink: str = "black", paper: str = "white",
            size: tuple[int, int] = (200, 160)) -> Path:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(paper))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(ink), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    if digit == "1":
        painter.drawLine(QPointF(100, 30), QPointF(104, 130))
    else:  # "0"
        painter.drawEllipse(QRectF(70, 25, 60, 110))
    painter.end()
    assert image.save(str(path))
    return path


@pytest.fixture
def pictures(tmp_path):
    return {
        "one_dark_on_light": picture(tmp_path / "one.png", "1"),
        "zero_light_on_dark": picture(tmp_path / "zero_inv.png", "0", ink="white", paper="black"),
        "zero_jpeg": picture(tmp_path / "zero.jpg", "0", size=(300, 300)),
        "one_bmp": picture(tmp_path / "one.bmp", "1", ink="white", paper="#202020"),
    }


def test_classify_prints_digit_and_confidence(pictures, capsys):
    assert main(["classify", *map(str, pictures.values())]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    expected = {"one.png": 1, "zero_inv.png": 0, "zero.jpg": 0, "one.bmp": 1}
    assert len(lines) == 4
    for line in lines:
        path, rest = line.split(": ")
        assert int(rest.split()[0]) == expected[Path(path).name], line
        assert rest.split()[1].startswith("(") and rest.endswith("%)")


def test_classify_json(pictures, capsys):
    assert main(["classify", "--json", str(pictures["zero_light_on_dark"])]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["path"] == str(pictures["zero_light_on_dark"])
    assert results[0]["digit"] == 0
    assert len(results[0]["probabilities"]) == 10
    assert sum(results[0]["probabilities"]) == pytest.approx(1.0, abs=1e-4)


def test_broken_and_missing_files_fail_but_others_are_classified(pictures, tmp_path, capsys):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    blank = tmp_path / "blank.png"
    image = QImage(50, 50, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    image.save(str(blank))
    code = main(["classify", str(broken), str(pictures["one_dark_on_light"]),
                 str(tmp_path / "missing.png"), str(blank)])
    captured = capsys.readouterr()
    assert code != 0
    assert "one.png: 1" in captured.out
    assert "broken.png: cannot read image" in captured.err
    assert "missing.png: no such file" in captured.err
    assert "blank.png: no digit found" in captured.err


def test_an_unusable_explicit_model_is_an_error(pictures, tmp_path, capsys):
    """Asked for a model it cannot use, classify says so and exits 2 (no silent fallback)."""
    bad_model = tmp_path / "bad.keras"
    bad_model.write_text("nope")
    code = main(["classify", "--model", str(bad_model), str(pictures["one_dark_on_light"])])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "bad.keras" in captured.err and captured.err.count("\n") == 1
    assert main(["classify", "--model", str(tmp_path / "nope.keras"),
                 str(pictures["one_dark_on_light"])]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_json_reports_failures_and_the_model_used(pictures, tmp_path, capsys):
    code = main(["classify", "--json", str(pictures["one_dark_on_light"]),
                 str(tmp_path / "missing.png"), str(tmp_path)])
    rows = json.loads(capsys.readouterr().out)
    assert code == 1 and len(rows) == 3
    assert rows[0]["digit"] == 1 and rows[0]["model"].endswith("model-convnet.keras")
    assert "no such file" in rows[1]["error"] and "is a directory" in rows[2]["error"]
    assert all("model" in row for row in rows)


def test_a_fifo_is_refused_at_once_and_the_next_file_is_read(pictures, tmp_path):
    """A named pipe would block a reader forever; classify refuses it and goes on."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "f.png"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "digitpad", "classify", str(fifo),
                           str(pictures["one_dark_on_light"])], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    assert "not a regular file" in proc.stderr and "one.png: 1" in proc.stdout


def test_huge_sparse_image_is_read_scaled_down(tmp_path, capsys):
    """An 8000x8000 picture (a small PNG) decodes at <= 2048 px, not into gigabytes."""
    import resource

    path = tmp_path / "big.png"
    picture(path, "1", size=(8000, 8000))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert main(["classify", str(path)]) in (0, 1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 600
    from digitpad._qt.imageio import read_grayscale

    grey = read_grayscale(path)
    assert max(grey.shape) == 2048 and grey.dtype.name == "float32"


def test_non_utf8_file_name_is_read_and_printed(pictures, tmp_path, capsys):
    import os

    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.png"))
    odd.write_bytes(pictures["one_dark_on_light"].read_bytes())
    assert main(["classify", str(odd)]) == 0
    out = capsys.readouterr().out
    assert "caf\\xe9.png: 1 (" in out  # the odd byte shown as \xe9, like ls -b


@pytest.mark.parametrize("case", ["pipe", "sigint"])
def test_closed_pipe_and_ctrl_c_end_quietly(pictures, tmp_path, case):
    import os
    import signal
    import subprocess
    import sys
    import time

    files = [str(pictures["one_dark_on_light"])] * 400
    if case == "pipe":
        cmd = f"{sys.executable} -m digitpad classify {' '.join(files)} | head -1"
        proc = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
        assert proc.stdout.count("\n") == 1 and "one.png: 1" in proc.stdout
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    else:
        # Unbuffered, so the first line arrives after the first file and the interrupt
        # lands while hundreds are left (block-buffered, the first line came with a full
        # buffer, and on a busy machine the rest could be read before the signal was sent).
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "digitpad", "classify", *files * 3],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not proc.stdout.readline():
            pass
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "Traceback" not in err


def test_a_shaded_photo_like_digit_is_read(tmp_path, capsys):
    """Paper lit in one corner and in shadow elsewhere, a dark 4 on it: the shadow is not
    ink, nor taken for the paper of light-on-dark ink (the 4 used to be read as a 7)."""
    from PySide6.QtGui import QBrush, QLinearGradient

    image = QImage(300, 300, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, 300, 300)
    gradient.setColorAt(0.0, QColor(240, 240, 240))  # lit corner
    gradient.setColorAt(0.5, QColor(90, 90, 90))
    gradient.setColorAt(1.0, QColor(60, 60, 60))  # most of the page in shadow
    painter.fillRect(0, 0, 300, 300, QBrush(gradient))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(20, 20, 25), 12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(120, 50), QPointF(80, 170))   # the 4's left stroke
    painter.drawLine(QPointF(80, 170), QPointF(210, 170))  # its bar
    painter.drawLine(QPointF(175, 60), QPointF(175, 250))  # its stem
    painter.end()
    path = tmp_path / "shaded4.png"
    assert image.save(str(path))
    assert main(["classify", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: 4 ")


def number_picture(path: Path, size: tuple[int, int] = (420, 160)) -> Path:
    """"107" in dark ink on light paper, the digits a normal gap apart."""
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("black"), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(70, 30), QPointF(72, 130))  # 1
    painter.drawEllipse(QRectF(120, 30, 60, 100))  # 0
    painter.drawPolyline([QPointF(230, 32), QPointF(300, 32), QPointF(255, 130)])  # 7
    painter.end()
    assert image.save(str(path))
    return path


def test_a_picture_of_a_number_prints_the_number(tmp_path, capsys):
    path = number_picture(tmp_path / "number.png")
    assert main(["classify", str(path)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{path}: 107 (1 "), line


def test_json_gives_each_digit_with_its_box(tmp_path, capsys):
    path = number_picture(tmp_path / "number.png")
    assert main(["classify", "--json", str(path)]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["number"] == "107"
    assert [d["digit"] for d in row["digits"]] == [1, 0, 7]
    assert "digit" not in row  # a number has no single digit
    lefts = [d["box"][0] for d in row["digits"]]
    assert lefts == sorted(lefts) and 60 <= lefts[0] <= 75 and 110 <= lefts[1] <= 125
    for digit in row["digits"]:
        assert len(digit["probabilities"]) == 10
        assert sum(digit["probabilities"]) == pytest.approx(1.0, abs=1e-4)


def test_single_reads_the_whole_picture_as_one_digit(tmp_path, pictures, capsys):
    path = number_picture(tmp_path / "number.png")
    assert main(["classify", "--json", "--single", str(path),
                 str(pictures["one_dark_on_light"])]) == 0
    number, one = json.loads(capsys.readouterr().out)
    assert len(number["digits"]) == 1 and len(number["number"]) == 1
    assert one["number"] == "1" and one["digit"] == 1 and one["digits"][0]["digit"] == 1


def test_a_photo_with_a_shadow_band_gradient_and_noise_is_read(tmp_path, capsys):
    """Dark ink photographed under a shadow band and falling light, with sensor noise and
    JPEG: read digit by digit, each in its own box (it was one box, read "4" or "75")."""
    import numpy as np
    from shapes import PEN
    from test_photo import lit_badly, strokes_714

    from digitpad.preprocess import render_strokes

    cover = render_strokes(strokes_714(), (200, 330), PEN)
    grey = lit_badly(cover, np.random.default_rng(5), noise=12.0).astype(np.uint8)
    image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0],
                   QImage.Format.Format_Grayscale8)
    path = tmp_path / "photo.jpg"
    assert image.save(str(path), "JPEG", 70)
    assert main(["classify", "--json", str(path)]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["number"] == "714"
    lefts = [d["box"][0] for d in row["digits"]]
    assert lefts == sorted(lefts) and lefts[1] > 110 and lefts[2] > 190


def test_a_model_with_a_non_utf8_name_is_named_like_the_paths(pictures, tmp_path, capsys,
                                                             book_model_path):
    """--json carried lone surrogates in "model" while "path" used \\xNN."""
    import os
    import shutil

    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/mod\xe8le.keras"))
    shutil.copy(book_model_path, odd)
    assert main(["classify", "--json", "--model", str(odd),
                 str(pictures["one_dark_on_light"])]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["model"].endswith("mod\\xe8le.keras")
    row["model"].encode("utf-8")  # no lone surrogates
