# Keyed BLAKE2b (RFC 7693) for value digests: gateway/crypto/digest.py's
# KeyedDigest.values, one C loop over many values instead of a hashlib object
# per value. The differential test holds it to hashlib's output.

from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy

cdef extern from *:
    """
    /* RFC 7693's compression function F, its 12 rounds unrolled so that the
       message schedule is constant and the state stays in registers. */
    #include <stdint.h>
    #include <string.h>
    static const uint64_t pgw_b2_iv[8] = {
        0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
        0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
        0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
    static const uint8_t pgw_b2_sigma[12][16] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};
    #define PGW_ROTR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
    #define PGW_G(r, i, a, b, c, d) do { \\
        a = a + b + m[pgw_b2_sigma[r][2 * i]]; d = PGW_ROTR(d ^ a, 32); \\
        c = c + d; b = PGW_ROTR(b ^ c, 24); \\
        a = a + b + m[pgw_b2_sigma[r][2 * i + 1]]; d = PGW_ROTR(d ^ a, 16); \\
        c = c + d; b = PGW_ROTR(b ^ c, 63); } while (0)
    #define PGW_ROUND(r) do { \\
        PGW_G(r, 0, v0, v4, v8, v12); PGW_G(r, 1, v1, v5, v9, v13); \\
        PGW_G(r, 2, v2, v6, v10, v14); PGW_G(r, 3, v3, v7, v11, v15); \\
        PGW_G(r, 4, v0, v5, v10, v15); PGW_G(r, 5, v1, v6, v11, v12); \\
        PGW_G(r, 6, v2, v7, v8, v13); PGW_G(r, 7, v3, v4, v9, v14); } while (0)

    static void pgw_b2_compress(uint64_t *h, uint64_t t, const uint8_t *block, int last) {
        uint64_t m[16];
        int i;
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(m, block, 128);
    #else
        for (i = 0; i < 16; i++) {
            const uint8_t *p = block + 8 * i;
            m[i] = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16
                 | (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40
                 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
        }
    #endif
        uint64_t v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3];
        uint64_t v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        uint64_t v8 = pgw_b2_iv[0], v9 = pgw_b2_iv[1], v10 = pgw_b2_iv[2], v11 = pgw_b2_iv[3];
        uint64_t v12 = pgw_b2_iv[4] ^ t, v13 = pgw_b2_iv[5];
        uint64_t v14 = last ? ~pgw_b2_iv[6] : pgw_b2_iv[6], v15 = pgw_b2_iv[7];
        (void)i;
        PGW_ROUND(0); PGW_ROUND(1); PGW_ROUND(2); PGW_ROUND(3);
        PGW_ROUND(4); PGW_ROUND(5); PGW_ROUND(6); PGW_ROUND(7);
        PGW_ROUND(8); PGW_ROUND(9); PGW_ROUND(10); PGW_ROUND(11);
        h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11;
        h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15;
    }
    """
    const uint64_t* pgw_b2_iv
    void pgw_b2_compress(uint64_t* h, uint64_t t, const uint8_t* block, int last) nogil

cdef enum:
    _B2_STACK = 512  # bytes of a message built on the stack (longer ones: malloc)

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object) nogil
    const char* PyUnicode_AsUTF8AndSize(object, Py_ssize_t*) except NULL


ctypedef struct B2State:
    uint64_t h[8]
    uint64_t t    # bytes compressed so far (values stay far below 2^64)


cdef inline void _b2_compress(B2State* s, const uint8_t* block, bint last) noexcept nogil:
    pgw_b2_compress(s.h, s.t, block, last)


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
            self.keyed.h[i] = pgw_b2_iv[i]
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
        cdef Py_ssize_t nk, nh, n, i, k, j = 0, cap = _B2_STACK
        cdef const char* head = PyUnicode_AsUTF8AndSize(kind, &nk)
        cdef B2State s
        cdef str text
        cdef const uint8_t* r
        cdef uint8_t stack[_B2_STACK]
        cdef uint8_t* buf = stack
        cdef uint8_t* out = <uint8_t*>malloc(len(texts) * self.size + 1)
        cdef uint8_t c
        cdef bint simple
        cdef Py_UCS4 ch
        if out == NULL:
            raise MemoryError()
        nh = nk + 1  # the kind, then a zero byte
        try:
            for item in texts:
                text = <str>item
                simple = PyUnicode_IS_ASCII(text)
                if not simple:
                    simple = True
                    for ch in text:
                        if ch >= 0x80 and not (0x4e00 <= ch <= 0x9fff):
                            simple = False
                            break
                    if not simple:
                        text = <str>normalize(text)
                # UTF-8 of the text, held by the str (no copy for ASCII)
                r = <const uint8_t*>PyUnicode_AsUTF8AndSize(text, &n)
                if nh + n > cap:
                    if buf != stack:
                        free(buf)
                    cap = 2 * (nh + n)
                    buf = <uint8_t*>malloc(cap)
                    if buf == NULL:
                        raise MemoryError()
                memcpy(buf, head, nk)
                buf[nk] = 0
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
            if buf != stack:
                free(buf)
        return out

    cdef str text_hex(self, const char* kind, Py_ssize_t nk, const char* text,
                      Py_ssize_t n):
        """The digest of `kind + "\\0" + text`, the bytes as they are (no
        normalization: KeyedDigest.of), as hex."""
        cdef uint8_t stack[_B2_STACK]
        cdef uint8_t* buf = stack
        cdef uint8_t d[64]
        cdef B2State s = self.keyed
        cdef int i
        if nk + 1 + n > _B2_STACK:
            buf = <uint8_t*>malloc(nk + 1 + n)
            if buf == NULL:
                raise MemoryError()
        memcpy(buf, kind, nk)
        buf[nk] = 0
        memcpy(buf + nk + 1, text, n)
        _b2_finish(&s, buf, nk + 1 + n)
        if buf != stack:
            free(buf)
        for i in range(self.size):
            d[i] = <uint8_t>((s.h[i >> 3] >> (8 * (i & 7))) & 0xff)
        return self._hex(d)

    cdef str _hex(self, const uint8_t* d):
        cdef char hexa[129]
        hex_into(hexa, d, self.size)
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
        cdef Py_ssize_t n = len(texts), i, found
        cdef uint8_t* d = self._all(kind, texts, normalize)
        cdef Py_ssize_t* order = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
        try:
            if order == NULL:
                raise MemoryError()
            found = _distinct_order(d, n, self.size, most, order)
            return [self._hex(d + order[i] * self.size) for i in range(found)]
        finally:
            free(order)
            free(d)


cdef inline void hex_into(char* out, const uint8_t* d, int size) noexcept nogil:
    """`size` bytes as 2 * size lower-case hex digits."""
    cdef int i
    cdef const char* digits = b"0123456789abcdef"
    for i in range(size):
        out[2 * i] = digits[d[i] >> 4]
        out[2 * i + 1] = digits[d[i] & 15]


cdef Py_ssize_t _distinct_order(const uint8_t* d, Py_ssize_t n, int size, Py_ssize_t most,
                                Py_ssize_t* order) noexcept nogil:
    """Fill `order` (2n+1 slots) with the indices of the distinct `size`-byte
    digests in d, in byte order, at most `most`; returns how many."""
    cdef Py_ssize_t i, found = 0
    for i in range(n):
        order[i] = i
    _merge_sort(order, order + n, n, d, size)
    for i in range(n):
        if found >= most:
            break
        if found and memcmp(d + order[i] * size, d + order[found - 1] * size, size) == 0:
            continue
        order[found] = order[i]
        found += 1
    return found


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
