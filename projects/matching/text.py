"""Text relevance: TF-IDF fitted on the listings, cosine similarity with proposals. Offline, deterministic.

Features come from ``lexicon.analyze`` (stemmed content words plus concept tokens). The vocabulary and the inverse
document frequencies are fitted once on the catalogue; a proposal's words that no listing uses carry no signal and
are dropped. Vectors are L2-normalised, so a dot product is the cosine.

The listings' matrix is kept dense (terms x listings, float32) when it is small enough, so that scoring a batch is
one sparse-times-dense product whose rows do not depend on which other proposals are in the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy import sparse

from projects.matching.lexicon import analyze_text

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# Above this many cells the listings' matrix stays sparse (about 200 MB of float32).
DENSE_LIMIT = 50_000_000

Float32Array = npt.NDArray[np.float32]


def _identity(features: Sequence[str]) -> Sequence[str]:
    return features


def _vectorizer() -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 -- slow import

    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32, min_df=1)


class TextIndex:
    def __init__(self, capability_texts: list[str]):
        features = [analyze_text(text)[0] for text in capability_texts]
        self.vectorizer: TfidfVectorizer | None = None
        self.listings: Float32Array | sparse.csr_matrix
        if not any(features):  # no listings, or no words in any: text relevance is zero everywhere
            self.vocabulary_size = 0
            self.listings = np.zeros((0, len(capability_texts)), dtype=np.float32)
            return
        self.vectorizer = _vectorizer()
        matrix = self.vectorizer.fit_transform(features).astype(np.float32)
        matrix.sort_indices()
        self.vocabulary_size = matrix.shape[1]
        transposed = matrix.T.tocsr()
        if transposed.shape[0] * transposed.shape[1] <= DENSE_LIMIT:
            self.listings = np.ascontiguousarray(transposed.toarray())
        else:
            self.listings = transposed

    def transform(self, features: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        if self.vectorizer is None or not features:
            # scipy-stubs 1.17 types an empty matrix made from a shape as float64 whatever its dtype (a stub gap).
            return sparse.csr_matrix((len(features), self.vocabulary_size), dtype=np.float32)  # type: ignore[arg-type]
        matrix: sparse.csr_matrix = self.vectorizer.transform(features).astype(np.float32).tocsr()
        matrix.sort_indices()
        return matrix

    def similarity(self, proposal_rows: sparse.csr_matrix) -> Float32Array:
        """Cosine similarity, (proposals x listings) float32."""
        result = proposal_rows @ self.listings
        if sparse.issparse(result):
            result = result.toarray()
        return np.asarray(result, dtype=np.float32)
