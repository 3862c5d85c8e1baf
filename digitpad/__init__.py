"""digitpad: draw a digit, watch a Keras network classify it live, retrain it live."""

import os as _os

__version__ = "0.1.0"

# TensorFlow's C++ start-up chatter (CPU feature notes, oneDNN hints) means nothing to a user.
# A level the user set is kept (the window quiets errors too unless they chose otherwise).
TF_LOG_LEVEL_SET_BY_USER = "TF_CPP_MIN_LOG_LEVEL" in _os.environ
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
