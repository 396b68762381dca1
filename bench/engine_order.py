"""The order in which the engine's trainer draws rows (core/src/train/batchplan.cpp), so that a
reference run can be given the same rows in the same steps: a Fisher-Yates shuffle from the end
driven by std::mt19937_64 seeded with seed * 1000003 + epoch, one unit per row when not packing.
"""

MASK = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64 (the C++ standard's parameters)."""

    def __init__(self, seed):
        self.mt = [seed & MASK]
        for i in range(1, 312):
            prev = self.mt[-1]
            self.mt.append((6364136223846793005 * (prev ^ (prev >> 62)) + i) & MASK)
        self.index = 312

    def _twist(self):
        mt = self.mt
        for i in range(312):
            x = (mt[i] & 0xFFFFFFFF80000000) | (mt[(i + 1) % 312] & 0x7FFFFFFF)
            xa = x >> 1
            if x & 1:
                xa ^= 0xB5026F5AA96619E9
            mt[i] = mt[(i + 156) % 312] ^ xa
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK


def engine_row_order(rows, seed, epoch=0):
    """Row indices in the order the engine trains them in `epoch` (no packing, no group by
    length)."""
    order = list(range(rows))
    gen = MT19937_64(seed * 1000003 + epoch)
    for i in range(rows, 1, -1):
        j = gen() % i
        order[i - 1], order[j] = order[j], order[i - 1]
    return order


def _check_generator():
    # The C++ standard ([rand.predef]): the 10000th output of a default-constructed
    # mt19937_64 (seed 5489) is 9981545732273789042.
    gen = MT19937_64(5489)
    for _ in range(9999):
        gen()
    assert gen() == 9981545732273789042


_check_generator()
