"""The layer editor: design a picture network layer by layer and see what it costs before
you train it.

Inputs: the starting stack, and what a run would train on (:meth:`LayerEditor.edit`).
Output: :meth:`LayerEditor.layers` once accepted. Every edit re-checks the stack
(:func:`digitpad.layer_stack.problems`, in words), re-counts weights and multiply-adds, shows
the shapes from the 28×28 picture to the ten answers, and, in the background, times a few
training steps to say how long an epoch will take on this machine.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from digitpad.layer_stack import (
    ACTIVATIONS,
    MAX_FILTERS,
    MAX_KERNEL,
    MAX_STRIDE,
    MAX_UNITS,
    Layer,
    LayerStackError,
    Stack,
    format_layers,
    parse_layers,
    plan,
    problems,
)

from .background import Task

NEW_LAYERS = {"Dense": Layer("dense", 128), "Conv2D": Layer("conv", 32),
              "MaxPool": Layer("pool"), "Dropout": Layer("drop", rate=0.3),
              "BatchNorm": Layer("bn"), "Flatten": Layer("flatten"),
              "Global pool": Layer("gap")}
TIMING_DELAY_MS = 700  # wait for the edits to pause before timing the network


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


def _count(n: int) -> str:
    return f"{n / 1e6:.1f} M" if n >= 1_000_000 else f"{n / 1e3:.0f} k" if n >= 10_000 \
        else f"{n:,}"


def _time_epoch(layers: str, batch_size: int, data: str, augment: bool, optimizer: str, *,
                report: object, cancel: object) -> tuple[str, float, int]:
    """Background job: (the stack timed, seconds an epoch, training samples)."""
    from digitpad.epoch_timing import estimate_epoch
    from digitpad.training_data import expected_train_samples

    samples = expected_train_samples(data)
    estimate = estimate_epoch("custom", layers, batch_size, samples, optimizer, augment)
    return layers, estimate.seconds, samples


class LayerEditor(QDialog):
    """A dialog; :meth:`edit` fills it and opens it, ``accepted`` means :meth:`layers`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerEditor")
        self.setWindowTitle("Design the network")
        self.stack: Stack = ()
        self.run_settings: tuple[int, str, bool, str] = (128, "mnist", False, "rmsprop")
        self._timing: Task | None = None
        self._timed: str | None = None  # the stack the shown time is for
        self._editing_row = False

        self.list = QListWidget(objectName="layerList")
        self.list.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.list.setToolTip("The layers from the picture (top) to the answer (bottom);\n"
                             "drag to reorder. The output layer, Dense(10, softmax), is "
                             "always added.")
        add = QGridLayout()
        for i, name in enumerate(NEW_LAYERS):
            button = QPushButton(f"+ {name}", objectName=f"add{name.replace(' ', '')}")
            button.setToolTip(f"Add a {name} layer below the selected one")
            button.clicked.connect(lambda _=False, n=name: self.add_layer(NEW_LAYERS[n]))
            add.addWidget(button, i // 4, i % 4)
        self.remove_button = QPushButton("Remove", objectName="removeLayer")
        self.up_button = QPushButton("Move up", objectName="moveLayerUp")
        self.down_button = QPushButton("Move down", objectName="moveLayerDown")
        moves = QHBoxLayout()
        for button in (self.remove_button, self.up_button, self.down_button):
            moves.addWidget(button)

        self.size_spin = QSpinBox(objectName="layerSize", minimum=1, maximum=MAX_UNITS)
        self.kernel_spin = QSpinBox(objectName="layerKernel", minimum=1, maximum=MAX_KERNEL)
        self.stride_spin = QSpinBox(objectName="layerStride", minimum=1, maximum=MAX_STRIDE)
        self.stride_spin.setToolTip("2: the filter moves two pixels at a time (a quarter of "
                                    "the positions, and of the work)")
        self.activation_combo = QComboBox(objectName="layerActivation")
        self.activation_combo.addItems(list(ACTIVATIONS))
        self.rate_spin = QDoubleSpinBox(objectName="layerRate", minimum=0.0, maximum=0.95,
                                        singleStep=0.05, decimals=2)
        self.properties = QFormLayout()
        self.properties.addRow("Units / filters", self.size_spin)
        self.properties.addRow("Kernel", self.kernel_spin)
        self.properties.addRow("Stride", self.stride_spin)
        self.properties.addRow("Activation", self.activation_combo)
        self.properties.addRow("Dropout rate", self.rate_spin)

        self.text_edit = QLineEdit(objectName="layersText")
        self.text_edit.setToolTip("The same layers in words (train_model.py --layers takes "
                                  "them): dense128, conv32, conv32k5, conv32s2, pool, drop0.3, "
                                  "bn, flatten, gap; :tanh after a size changes the activation")

        left = QVBoxLayout()
        left.addWidget(QLabel("Layers, picture first:"))
        left.addWidget(self.list, 1)
        left.addLayout(add)
        left.addLayout(moves)
        left.addLayout(self.properties)
        left.addWidget(QLabel("In words:"))
        left.addWidget(self.text_edit)

        self.problems_label = QLabel(objectName="layerProblems", wordWrap=True)
        self.problems_label.setStyleSheet("color: #b00020;")
        self.totals_label = QLabel(objectName="layerTotals", wordWrap=True)
        self.flow_label = QLabel(objectName="layerFlow", wordWrap=True)
        self.flow_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timing_label = QLabel(objectName="layerTiming", wordWrap=True)
        self.table = QTableWidget(0, 4, objectName="layerTable")
        self.table.setHorizontalHeaderLabels(["Layer", "Output", "Weights", "Multiply-adds"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        right = QVBoxLayout()
        right.addWidget(self.problems_label)
        right.addWidget(self.flow_label)
        right.addWidget(self.table, 1)
        right.addWidget(self.totals_label)
        right.addWidget(self.timing_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this network")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        outer = QVBoxLayout(self)
        outer.addLayout(columns, 1)
        outer.addWidget(self.buttons)

        self._timer = QTimer(self, singleShot=True, interval=TIMING_DELAY_MS)
        self._timer.timeout.connect(self._start_timing)
        self.list.currentRowChanged.connect(self._show_properties)
        self.list.model().rowsMoved.connect(self._on_rows_dragged)
        self.remove_button.clicked.connect(self.remove_layer)
        self.up_button.clicked.connect(lambda: self.move_layer(-1))
        self.down_button.clicked.connect(lambda: self.move_layer(1))
        for spin in (self.size_spin, self.kernel_spin, self.stride_spin):
            spin.valueChanged.connect(self._on_property)
        self.rate_spin.valueChanged.connect(self._on_property)
        self.activation_combo.currentTextChanged.connect(self._on_property)
        self.text_edit.textEdited.connect(self._on_text)
        self.resize(860, 560)

    # ---- inputs ---------------------------------------------------------------------
    def edit(self, layers: str, batch_size: int, data: str, augment: bool,
             optimizer: str) -> None:
        """Start from ``layers`` for a run of these settings, and open (window-modal)."""
        self.run_settings = (batch_size, data, augment, optimizer)
        self._timed = None
        try:
            self.set_stack(parse_layers(layers))
        except LayerStackError:
            self.set_stack(())
        self.open()

    def layers(self) -> str:
        return format_layers(self.stack)

    # ---- editing --------------------------------------------------------------------
    def set_stack(self, stack: Stack, keep_text: bool = False) -> None:
        row = self.list.currentRow()
        self.stack = tuple(stack)
        self.list.blockSignals(True)
        self.list.clear()
        for layer in self.stack:
            self.list.addItem(layer.describe())
        self.list.blockSignals(False)
        self.list.setCurrentRow(min(max(row, 0), len(self.stack) - 1))
        self._show_properties(self.list.currentRow())
        if not keep_text:
            self.text_edit.setText(self.layers())
        self._update_summary()

    def add_layer(self, layer: Layer) -> None:
        at = self.list.currentRow() + 1 if self.stack else 0
        self.set_stack((*self.stack[:at], layer, *self.stack[at:]))
        self.list.setCurrentRow(at)

    @Slot()
    def remove_layer(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.stack):
            self.set_stack(self.stack[:row] + self.stack[row + 1:])

    def move_layer(self, step: int) -> None:
        row, target = self.list.currentRow(), self.list.currentRow() + step
        if 0 <= row < len(self.stack) and 0 <= target < len(self.stack):
            layers = list(self.stack)
            layers[row], layers[target] = layers[target], layers[row]
            self.set_stack(tuple(layers))
            self.list.setCurrentRow(target)

    @Slot()
    def _on_rows_dragged(self) -> None:
        by_text = {layer.describe(): layer for layer in self.stack}
        order = [by_text[self.list.item(i).text()] for i in range(self.list.count())]
        self.set_stack(tuple(order))

    @Slot(int)
    def _show_properties(self, row: int) -> None:
        layer = self.stack[row] if 0 <= row < len(self.stack) else None
        kind = layer.kind if layer else ""
        self._editing_row = True
        for widget, shown in ((self.size_spin, kind in ("dense", "conv")),
                              (self.kernel_spin, kind == "conv"),
                              (self.stride_spin, kind == "conv"),
                              (self.activation_combo, kind in ("dense", "conv")),
                              (self.rate_spin, kind == "drop")):
            self.properties.setRowVisible(widget, shown)
        if layer is not None:
            self.size_spin.setMaximum(MAX_FILTERS if kind == "conv" else MAX_UNITS)
            self.size_spin.setValue(max(layer.size, 1))
            self.kernel_spin.setValue(layer.kernel)
            self.stride_spin.setValue(layer.stride)
            self.activation_combo.setCurrentText(layer.activation)
            self.rate_spin.setValue(layer.rate)
        self._editing_row = False
        self.remove_button.setEnabled(layer is not None)
        self.up_button.setEnabled(layer is not None and row > 0)
        self.down_button.setEnabled(layer is not None and row < len(self.stack) - 1)

    @Slot()
    def _on_property(self) -> None:
        row = self.list.currentRow()
        if self._editing_row or not 0 <= row < len(self.stack):
            return
        layer = self.stack[row]
        if layer.kind in ("dense", "conv"):
            changed = replace(layer, size=self.size_spin.value(),
                              kernel=self.kernel_spin.value() if layer.kind == "conv" else 3,
                              stride=self.stride_spin.value() if layer.kind == "conv" else 1,
                              activation=self.activation_combo.currentText())
        elif layer.kind == "drop":
            changed = replace(layer, rate=round(self.rate_spin.value(), 2))
        else:
            return
        self.set_stack(self.stack[:row] + (changed,) + self.stack[row + 1:])

    @Slot(str)
    def _on_text(self, text: str) -> None:
        try:
            stack = parse_layers(text)
        except LayerStackError as exc:
            self._show_problems([str(exc)])
            return
        self.set_stack(stack, keep_text=True)

    # ---- what it costs --------------------------------------------------------------
    def _show_problems(self, found: list[str]) -> None:
        self.problems_label.setText("\n".join(found))
        self.problems_label.setVisible(bool(found))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not found)

    def _update_summary(self) -> None:
        found = problems(self.stack)
        self._show_problems(found)
        if found:
            self.table.setRowCount(0)
            self.flow_label.setText("")
            self.totals_label.setText("")
            self.timing_label.setText("")
            return
        rows = plan(self.stack)
        self.flow_label.setText(" → ".join(_shape(row.shape) for row in rows))
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for column, text in enumerate((row.name, _shape(row.shape),
                                           f"{row.weights:,}" if row.weights else "",
                                           _count(row.macs) if row.macs else "")):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                          Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, column, item)
        weights, macs = sum(r.weights for r in rows), sum(r.macs for r in rows)
        self.totals_label.setText(f"{weights:,} weights · {_count(macs)} multiply-adds to "
                                  "read one digit")
        if self.layers() != self._timed:
            self.timing_label.setText("Timing an epoch on this machine…")
            self._timer.start()

    @Slot()
    def _start_timing(self) -> None:
        if self._timing is not None or problems(self.stack):
            return  # a timing in flight: the next starts when it ends
        batch, data, augment, optimizer = self.run_settings
        task = self._timing = Task(_time_epoch, self.layers(), batch, data, augment, optimizer)
        task.returned.connect(self._on_timed)
        task.errored.connect(self._on_timing_failed)
        task.finished.connect(self._on_timing_ended)
        task.start()

    @Slot(object)
    def _on_timed(self, result: tuple[str, float, int]) -> None:
        layers, seconds, samples = result
        self._timed = layers
        if layers == self.layers():
            batch, _data, augment, _optimizer = self.run_settings
            how = "augmented, " if augment else ""
            self.timing_label.setText(
                f"≈ {seconds:.0f} s an epoch on this machine ({samples:,} digits, {how}"
                f"batch {batch}; measured on a few training steps)")

    @Slot(object)
    def _on_timing_failed(self, error: Exception) -> None:
        self.timing_label.setText(f"Could not time this network: {error}")
        self._timed = self.layers()

    @Slot()
    def _on_timing_ended(self) -> None:
        self._timing = None
        if self.layers() != self._timed and not problems(self.stack):
            self._timer.start()

    def join(self, timeout: float = 30.0) -> None:
        """Wait for a timing in flight (the app quitting: never end inside TensorFlow)."""
        self._timer.stop()
        if self._timing is not None:
            self._timing.wait(timeout)

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)
