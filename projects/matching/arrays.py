"""Named numpy arrays for one side of the matching (proposals or listings), and the array types the engine uses."""

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

# A named column of ``Arrays``: its dtype depends on the column (bool, int8, int16, int64 or float64, see
# ``catalogue``), so the engine's array functions take and return arrays of any dtype.
Array = npt.NDArray[Any]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.floating[Any]]
Transform = Literal["rows", "columns"]


class Arrays:
    """Named arrays describing one side (proposals or listings), all with the same first dimension.

    ``take`` is lazy: an array is gathered the first time it is read, so checking a few criteria on many gathered
    pairs only copies what those criteria use.
    """

    def __init__(
        self,
        size: int,
        arrays: Mapping[str, Array],
        index: IntArray | slice | None = None,
        transform: Transform | None = None,
    ):
        self.size = size
        self._arrays = arrays
        self._index = index
        self._transform = transform
        self._cache: dict[str, Array] = {}

    def __getattr__(self, name: str) -> Array:
        # Read through __dict__: an attribute missing while the object is being built must not recurse here.
        cache: dict[str, Array] | None = self.__dict__.get("_cache")
        if cache is None:
            raise AttributeError(name)
        if name in cache:
            return cache[name]
        try:
            array: Array = self.__dict__["_arrays"][name]
        except KeyError:
            raise AttributeError(name) from None
        if self._index is not None:
            array = array[self._index]
        if self._transform == "rows":
            array = array[:, None]
        elif self._transform == "columns":
            array = array[None]
        cache[name] = array
        return array

    def _materialised(self) -> dict[str, Array]:
        return {name: getattr(self, name) for name in self._arrays}

    def take(self, index: IntArray | slice) -> "Arrays":
        """Rows ``index`` (an integer array or a slice), as 1-D arrays for gathered pairs."""
        if self._transform:
            raise ValueError("take() reads rows of untransformed arrays")
        size = len(range(self.size)[index]) if isinstance(index, slice) else len(index)
        if self._index is not None:
            if isinstance(self._index, slice):
                index = np.arange(self._index.start or 0, self._index.stop, self._index.step or 1)[index]
            else:
                index = self._index[index]
        return Arrays(size, self._arrays, index)

    def as_rows(self) -> "Arrays":
        """Shaped (n, 1, ...) to broadcast against listings."""
        source = self._materialised() if self._transform else self._arrays
        return Arrays(self.size, source, None if self._transform else self._index, "rows")

    def as_columns(self) -> "Arrays":
        """Shaped (1, n, ...) to broadcast against proposals."""
        source = self._materialised() if self._transform else self._arrays
        return Arrays(self.size, source, None if self._transform else self._index, "columns")
