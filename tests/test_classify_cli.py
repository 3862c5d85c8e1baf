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
    assert "missing.png: cannot read image" in captured.err
    assert "blank.png: no digit found" in captured.err


def test_classify_with_broken_model_falls_back(pictures, tmp_path, capsys):
    bad_model = tmp_path / "bad.keras"
    bad_model.write_text("nope")
    code = main(["classify", "--model", str(bad_model), str(pictures["one_dark_on_light"])])
    captured = capsys.readouterr()
    assert code == 0 and "one.png: 1" in captured.out
    assert "bad.keras" in captured.err and "bundled" in captured.err
