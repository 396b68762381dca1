"""llama.cpp itself (PyPI llama-cpp-python, its bundled libggml-base / libllama) as a reference:
ggml's own quantisers through ggml_quantize_chunk, and llama.cpp's llama-quantize
(llama_model_quantize). Skips the calling test when llama_cpp is not installed."""
import ctypes
import pathlib

import numpy as np
import pytest

llama_cpp = pytest.importorskip("llama_cpp")

_LIB = pathlib.Path(llama_cpp.__file__).resolve().parent / "lib"
_base = ctypes.CDLL(str(_LIB / "libggml-base.so"))
_base.ggml_quantize_chunk.restype = ctypes.c_size_t
_base.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                      ctypes.c_void_p]
_base.ggml_row_size.restype = ctypes.c_size_t
_base.ggml_row_size.argtypes = [ctypes.c_int, ctypes.c_int64]

# llama.h's llama_ftype
LLAMA_FTYPE = {"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q4_K_M": 15,
               "Q6_K": 18, "BF16": 32}


def ggml_quantize(ggml_type, rows):
    """Rows (2-D float32) encoded by ggml's quantize_chunk (no importance matrix): bytes."""
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    nrows, n_per_row = rows.shape
    out = np.zeros(_base.ggml_row_size(int(ggml_type), n_per_row) * nrows, dtype=np.uint8)
    written = _base.ggml_quantize_chunk(int(ggml_type), rows.ctypes.data, out.ctypes.data, 0,
                                        nrows, n_per_row, None)
    assert written == out.size
    return out


def llama_quantize(src, dst, ftype, nthread=2):
    """llama.cpp's llama-quantize SRC DST FTYPE (no imatrix); raises on failure."""
    params = llama_cpp.llama_model_quantize_default_params()
    params.nthread = nthread
    params.ftype = LLAMA_FTYPE[ftype]
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(),
                                        ctypes.byref(params))
    assert rc == 0, f"llama_model_quantize {src} -> {ftype} failed ({rc})"
    return dst
