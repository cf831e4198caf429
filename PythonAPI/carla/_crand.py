"""The C library's ``srand``/``rand`` as CARLA's client uses them for walkers (glibc's TYPE_3 generator).

CARLA's navigation draws every random number of the walker AI with ``rand() / RAND_MAX`` as a float and
``world.set_pedestrians_seed(seed)`` calls ``srand(seed)``; the same seed gives the same draws here.
As the C library's, the generator is one per process (``LIBC_RANDOM``): a seed outlives a map change.
"""

import numpy as np

RAND_MAX = 2147483647
_DEGREE, _SEPARATION = 31, 3
_DISCARD = 310


class CRandom:
    """glibc ``random_r`` with a degree-31 additive feedback table; ``CRandom(1)`` is ``rand()`` unseeded."""

    def __init__(self, seed=1):
        self.seed(seed)

    def seed(self, seed):
        seed = int(seed) & 0xFFFFFFFF
        if seed == 0:
            seed = 1
        table = [0] * _DEGREE
        table[0] = seed if seed < 0x80000000 else seed - 0x100000000   # glibc keeps the seed as int32
        for i in range(1, _DEGREE):
            # 16807 * table[i-1] % 2147483647 with Schrage's method, as glibc computes it in 32-bit ints.
            hi, lo = divmod(table[i - 1], 127773) if table[i - 1] >= 0 else (
                -((-table[i - 1]) // 127773), -((-table[i - 1]) % 127773))
            word = 16807 * lo - 2836 * hi
            if word < 0:
                word += 2147483647
            table[i] = word
        self._table = [v & 0xFFFFFFFF for v in table]
        self._front, self._rear = _SEPARATION, 0
        for _ in range(_DISCARD):
            self._next()

    def _next(self):
        table = self._table
        value = (table[self._front] + table[self._rear]) & 0xFFFFFFFF
        table[self._front] = value
        self._front = (self._front + 1) % _DEGREE
        self._rear = (self._rear + 1) % _DEGREE
        return value >> 1

    def rand(self):
        """The next ``rand()``: an int in [0, RAND_MAX]."""
        return self._next()

    def frand(self):
        """CARLA's ``frand()``: ``(float)rand() / (float)RAND_MAX`` in single precision, as a numpy float32."""
        return np.float32(self._next()) / np.float32(RAND_MAX)

    def frands(self, count):
        """The next ``count`` frand() values as a float32 array."""
        draws = np.array([self._next() for _ in range(count)], dtype=np.float32)
        return draws / np.float32(RAND_MAX)


LIBC_RANDOM = CRandom(1)
