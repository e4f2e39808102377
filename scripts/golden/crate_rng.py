"""The crate's seeded generator (src/rng.rs), re-implemented for the golden
scripts: xoshiro256++ seeded with four SplitMix64 outputs, and Lemire's
unbiased bounded draw. `check_generator()` asserts the published reference
vectors, so a script that imports this knows the generator is right before it
derives a single bootstrap cell. Shared by part_a.py and part_b.py.
"""

M64 = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


class Xoshiro256pp:
    """xoshiro256++ seeded with four SplitMix64 outputs (src/rng.rs). Checked
    against the reference outputs of Vigna's C code as quoted by rand_xoshiro's
    tests: state (1, 2, 3, 4) gives 41943041, 58720359, 3588806011781223, ...;
    SplitMix64 from 1234567 gives 6457827717110365317, 3203168211198807973."""

    def __init__(self, seed):
        st, s = seed & M64, []
        for _ in range(4):
            st, z = splitmix64(st)
            s.append(z)
        self.s = s

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        x = (s0 + s3) & M64
        result = ((((x << 23) | (x >> 41)) & M64) + s0) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return result

    def below(self, n):
        """Lemire's unbiased integer in 0..n."""
        threshold = ((1 << 64) - n) % n
        while True:
            m = self.next_u64() * n
            if (m & M64) >= threshold:
                return m >> 64


def check_generator():
    """The reference vectors quoted in Xoshiro256pp's docstring."""
    r = Xoshiro256pp(0)
    r.s = [1, 2, 3, 4]
    assert [r.next_u64() for _ in range(3)] == [41943041, 58720359, 3588806011781223]
    st, z1 = splitmix64(1234567)
    assert (z1, splitmix64(st)[1]) == (6457827717110365317, 3203168211198807973)
