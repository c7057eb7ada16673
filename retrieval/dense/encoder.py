"""Load any sentence-transformers model from a local path and embed texts (normalised float32)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


class EncoderError(Exception):
    """The model path is missing or is not a sentence-transformers model."""


class Encoder:
    """A sentence-transformers model on disk, loaded on first use (torch is imported lazily)."""

    def __init__(self, path: Path) -> None:
        """Remember the model path; nothing is loaded until ``encode`` is called.

        Raises:
            EncoderError: the path does not hold a sentence-transformers model.
        """
        if not (path / "modules.json").exists() and not (path / "config_sentence_transformers.json").exists():
            raise EncoderError(f"{path} 不是 sentence-transformers 模型目录（缺少 modules.json）")
        self.path = path
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import torch
                    from sentence_transformers import SentenceTransformer

                    torch.set_num_threads(1)
                    self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def encode(self, texts: list[str], batch_size: int = 256) -> npt.NDArray[np.float32]:
        """Embed ``texts``.

        Args:
            texts: any texts.
            batch_size: texts per forward pass.

        Returns:
            A (len(texts), dim) float32 array of unit-length rows.
        """
        model = self._load()
        vectors = model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> npt.NDArray[np.float32]:
        """Embed one text (a question) without ``encode``'s batching and progress machinery.

        Returns:
            A (dim,) float32 unit vector, the same as ``encode([text])[0]``.
        """
        import torch

        model = self._load()
        with torch.inference_mode():
            output = model(model.preprocess([text]))
            vector = torch.nn.functional.normalize(output["sentence_embedding"], p=2, dim=1)
        return np.ascontiguousarray(vector[0].cpu().numpy(), dtype=np.float32)

    @property
    def dim(self) -> int:
        """Return the embedding dimension."""
        model = self._load()
        return int(model.get_sentence_embedding_dimension())
