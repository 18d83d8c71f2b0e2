# Keyed BLAKE2b (RFC 7693) for value digests: gateway/crypto/digest.py's
# KeyedDigest.values, one C loop over many values instead of a hashlib object
# per value. The differential test holds it to hashlib's output.

from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy

cdef uint64_t[8] _B2_IV = [
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
    0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
    0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL]

cdef uint8_t[192] _B2_SIGMA = [  # 12 rounds of 16
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
    7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
    9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
    2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
    12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
    13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
    6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
    10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3]

ctypedef struct B2State:
    uint64_t h[8]
    uint64_t t    # bytes compressed so far (values stay far below 2^64)


cdef inline uint64_t _rotr(uint64_t x, int n) noexcept nogil:
    return (x >> n) | (x << (64 - n))


cdef inline void _g(uint64_t* v, int a, int b, int c, int d, uint64_t x,
                    uint64_t y) noexcept nogil:
    v[a] = v[a] + v[b] + x
    v[d] = _rotr(v[d] ^ v[a], 32)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 24)
    v[a] = v[a] + v[b] + y
    v[d] = _rotr(v[d] ^ v[a], 16)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 63)


cdef void _b2_compress(B2State* s, const uint8_t* block, bint last) noexcept nogil:
    cdef uint64_t m[16]
    cdef uint64_t v[16]
    cdef int i, j
    cdef const uint8_t* p
    for i in range(16):
        p = block + 8 * i
        m[i] = 0
        for j in range(8):
            m[i] |= (<uint64_t>p[j]) << (8 * j)
    for i in range(8):
        v[i] = s.h[i]
        v[i + 8] = _B2_IV[i]
    v[12] ^= s.t
    if last:
        v[14] = ~v[14]
    for i in range(12):
        _g(v, 0, 4, 8, 12, m[_B2_SIGMA[16 * i + 0]], m[_B2_SIGMA[16 * i + 1]])
        _g(v, 1, 5, 9, 13, m[_B2_SIGMA[16 * i + 2]], m[_B2_SIGMA[16 * i + 3]])
        _g(v, 2, 6, 10, 14, m[_B2_SIGMA[16 * i + 4]], m[_B2_SIGMA[16 * i + 5]])
        _g(v, 3, 7, 11, 15, m[_B2_SIGMA[16 * i + 6]], m[_B2_SIGMA[16 * i + 7]])
        _g(v, 0, 5, 10, 15, m[_B2_SIGMA[16 * i + 8]], m[_B2_SIGMA[16 * i + 9]])
        _g(v, 1, 6, 11, 12, m[_B2_SIGMA[16 * i + 10]], m[_B2_SIGMA[16 * i + 11]])
        _g(v, 2, 7, 8, 13, m[_B2_SIGMA[16 * i + 12]], m[_B2_SIGMA[16 * i + 13]])
        _g(v, 3, 4, 9, 14, m[_B2_SIGMA[16 * i + 14]], m[_B2_SIGMA[16 * i + 15]])
    for i in range(8):
        s.h[i] ^= v[i] ^ v[i + 8]


cdef void _b2_finish(B2State* s, const uint8_t* data, Py_ssize_t n) noexcept nogil:
    """Compress `data` (at least one byte) as the end of the message."""
    cdef uint8_t block[128]
    while n > 128:
        s.t += 128
        _b2_compress(s, data, False)
        data += 128
        n -= 128
    memset(block, 0, 128)
    memcpy(block, data, n)
    s.t += <uint64_t>n
    _b2_compress(s, block, True)


cdef class KeyedBlake2b:
    """hashlib.blake2b(key=key, digest_size=size), keyed once: `values`
    digests "<kind>\\0<text>" for many texts, as hex."""

    cdef B2State keyed   # the state after the key block
    cdef int size

    def __cinit__(self, bytes key, int size):
        cdef uint8_t block[128]
        cdef int i
        if not 1 <= len(key) <= 64 or not 1 <= size <= 64:
            raise ValueError("key of 1 to 64 bytes, digest of 1 to 64 bytes")
        self.size = size
        for i in range(8):
            self.keyed.h[i] = _B2_IV[i]
        self.keyed.h[0] ^= 0x01010000ULL ^ (<uint64_t>len(key) << 8) ^ <uint64_t>size
        self.keyed.t = 128
        memset(block, 0, 128)
        memcpy(block, <const char*>key, len(key))
        _b2_compress(&self.keyed, block, False)  # a message always follows the key

    cdef uint8_t* _all(self, str kind, list texts, object normalize) except NULL:
        """The binary digests of `kind + "\\0" + normalize(text)` for each
        text (UTF-8), `size` bytes each, in a buffer the caller frees. A text
        of ASCII and CJK unified ideographs (U+4E00-U+9FFF: NFKC leaves both
        as they are) is normalized here: the separators space, '-' and '_'
        dropped, ASCII letters upper-cased (what digest.normalize_value does
        to it); `normalize` gets the others."""
        cdef bytes head = (kind + "\x00").encode()
        cdef Py_ssize_t nh = len(head), n, i, k, j = 0, cap = 0
        cdef B2State s
        cdef bytes raw
        cdef const uint8_t* r
        cdef uint8_t* buf = NULL
        cdef uint8_t* out = <uint8_t*>malloc(len(texts) * self.size + 1)
        cdef uint8_t c
        cdef bint simple
        cdef Py_UCS4 ch
        if out == NULL:
            raise MemoryError()
        try:
            for text in texts:
                simple = True
                for ch in <str>text:
                    if ch >= 0x80 and not (0x4e00 <= ch <= 0x9fff):
                        simple = False
                        break
                raw = (<str>(text if simple else normalize(text))).encode()
                n = len(raw)
                r = <const uint8_t*><const char*>raw
                if nh + n > cap:
                    free(buf)
                    cap = 2 * (nh + n)
                    buf = <uint8_t*>malloc(cap)
                    if buf == NULL:
                        raise MemoryError()
                memcpy(buf, <const char*>head, nh)
                k = nh
                for i in range(n):
                    c = r[i]
                    if simple:  # UTF-8 bytes of ideographs are all >= 0x80
                        if c == 0x20 or c == 0x2d or c == 0x5f:
                            continue
                        if 0x61 <= c <= 0x7a:
                            c -= 0x20
                    buf[k] = c
                    k += 1
                s = self.keyed
                _b2_finish(&s, buf, k)
                for i in range(self.size):
                    out[j * self.size + i] = <uint8_t>((s.h[i >> 3] >> (8 * (i & 7))) & 0xff)
                j += 1
        except BaseException:
            free(out)
            raise
        finally:
            free(buf)
        return out

    cdef str _hex(self, const uint8_t* d):
        cdef char hexa[129]
        cdef int i
        cdef const char* digits = b"0123456789abcdef"
        for i in range(self.size):
            hexa[2 * i] = digits[d[i] >> 4]
            hexa[2 * i + 1] = digits[d[i] & 15]
        return hexa[:2 * self.size].decode("ascii")

    def values(self, str kind, list texts, object normalize):
        """The digests of the texts (see `_all`), as hex, in order."""
        cdef uint8_t* d = self._all(kind, texts, normalize)
        cdef Py_ssize_t i
        cdef list out = []
        try:
            for i in range(len(texts)):
                out.append(self._hex(d + i * self.size))
            return out
        finally:
            free(d)

    def distinct(self, str kind, list texts, object normalize, Py_ssize_t most):
        """`sorted(set(values(...)))[:most]`: the distinct digests in the
        order of their hex (the order of their bytes), at most `most`."""
        return self._distinct(kind, texts, normalize, most)

    def distinct_many(self, list groups, object normalize, Py_ssize_t most):
        """`distinct` of each (kind, texts) pair, in one call."""
        return [self._distinct(kind, texts, normalize, most) for kind, texts in groups]

    cdef list _distinct(self, str kind, list texts, object normalize, Py_ssize_t most):
        cdef Py_ssize_t n = len(texts), i, w
        cdef uint8_t* d = self._all(kind, texts, normalize)
        cdef Py_ssize_t* order = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
        cdef list out = []
        try:
            if order == NULL:
                raise MemoryError()
            for i in range(n):
                order[i] = i
            _merge_sort(order, order + n, n, d, self.size)
            w = -1
            for i in range(n):
                if len(out) >= most:
                    break
                if w >= 0 and memcmp(d + order[i] * self.size, d + w * self.size,
                                     self.size) == 0:
                    continue
                w = order[i]
                out.append(self._hex(d + w * self.size))
            return out
        finally:
            free(order)
            free(d)


cdef void _merge_sort(Py_ssize_t* a, Py_ssize_t* tmp, Py_ssize_t n, const uint8_t* d,
                      int size) noexcept nogil:
    """Sort the indices a[:n] by the `size`-byte keys they point to in d."""
    cdef Py_ssize_t width = 1, lo, mid, hi, i, j, k
    while width < n:
        lo = 0
        while lo < n:
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:
                if memcmp(d + a[j] * size, d + a[i] * size, size) < 0:
                    tmp[k] = a[j]
                    j += 1
                else:
                    tmp[k] = a[i]
                    i += 1
                k += 1
            while i < mid:
                tmp[k] = a[i]
                i += 1
                k += 1
            while j < hi:
                tmp[k] = a[j]
                j += 1
                k += 1
            lo += 2 * width
        memcpy(a, tmp, n * sizeof(Py_ssize_t))
        width *= 2
