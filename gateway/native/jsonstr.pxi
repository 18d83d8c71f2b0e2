# JSON lexing over UTF-8 bytes: validation, strings (with their escapes),
# numbers and literals, and decoding a string token to characters or bytes.

cdef enum:
    TF_ESCAPED = 1         # the string has backslash escapes
    TF_SURROGATE = 2       # ... one of which is an unpaired surrogate


cdef int utf8_valid(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """Strict UTF-8, as Python's decoder: no overlongs, no encoded surrogates,
    nothing above U+10FFFF, nothing cut short."""
    cdef Py_ssize_t i = 0
    cdef unsigned char c, d
    cdef unsigned long long word
    while i < n:
        c = s[i]
        if c < 0x80:
            i += 1
            while i + 8 <= n:  # ASCII, eight bytes at a time
                memcpy(&word, s + i, 8)
                if word & 0x8080808080808080ULL:
                    break
                i += 8
            continue
        if 0xc2 <= c <= 0xdf:
            if i + 1 >= n or (s[i + 1] & 0xc0) != 0x80:
                return 0
            i += 2
        elif 0xe0 <= c <= 0xef:
            if i + 2 >= n or (s[i + 1] & 0xc0) != 0x80 or (s[i + 2] & 0xc0) != 0x80:
                return 0
            d = s[i + 1]
            if (c == 0xe0 and d < 0xa0) or (c == 0xed and d >= 0xa0):
                return 0
            i += 3
        elif 0xf0 <= c <= 0xf4:
            if i + 3 >= n or (s[i + 1] & 0xc0) != 0x80 or (s[i + 2] & 0xc0) != 0x80 \
                    or (s[i + 3] & 0xc0) != 0x80:
                return 0
            d = s[i + 1]
            if (c == 0xf0 and d < 0x90) or (c == 0xf4 and d >= 0x90):
                return 0
            i += 4
        else:
            return 0
    return 1


cdef inline int _hex4(const unsigned char* s, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """The value of four hex digits at i, or -1."""
    cdef int v = 0, k, d
    cdef unsigned char c
    if i + 4 > n:
        return -1
    for k in range(4):
        c = s[i + k]
        if 0x30 <= c <= 0x39:
            d = c - 0x30
        elif 0x61 <= c <= 0x66:
            d = c - 0x61 + 10
        elif 0x41 <= c <= 0x46:
            d = c - 0x41 + 10
        else:
            return -1
        v = v * 16 + d
    return v


# Bytes that end a run of plain string content: a quote, a backslash, a control character.
cdef unsigned char _STOP[256]
for _b in range(256):
    _STOP[_b] = 1 if _b < 0x20 or _b == 0x22 or _b == 0x5c else 0


cdef Py_ssize_t _string_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i,
                            int* flags) noexcept nogil:
    """From just after an opening quote: the index of the closing quote, or
    -1 (unterminated, a control character, a bad escape)."""
    cdef unsigned char c
    cdef int hi, lo
    flags[0] = 0
    while i < n:
        while i < n and not _STOP[s[i]]:
            i += 1
        if i >= n:
            break
        c = s[i]
        if c == 0x22:
            return i
        if c < 0x20:
            return -1
        if c != 0x5c:
            i += 1
            continue
        flags[0] |= TF_ESCAPED
        if i + 1 >= n:
            return -1
        c = s[i + 1]
        if c == 0x75:  # \uXXXX, maybe a surrogate pair
            hi = _hex4(s, n, i + 2)
            if hi < 0:
                return -1
            i += 6
            if 0xd800 <= hi <= 0xdbff:
                lo = -1
                if i + 1 < n and s[i] == 0x5c and s[i + 1] == 0x75:
                    lo = _hex4(s, n, i + 2)
                if 0xdc00 <= lo <= 0xdfff:
                    i += 6
                else:
                    flags[0] |= TF_SURROGATE
            elif 0xdc00 <= hi <= 0xdfff:
                flags[0] |= TF_SURROGATE
        elif c == 0x22 or c == 0x5c or c == 0x2f or c == 0x62 or c == 0x66 or c == 0x6e \
                or c == 0x72 or c == 0x74:
            i += 2
        else:
            return -1
    return -1


cdef inline Py_ssize_t _ws(const unsigned char* s, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    while i < n and (s[i] == 0x20 or s[i] == 9 or s[i] == 10 or s[i] == 13):
        i += 1
    return i


cdef Py_ssize_t _number_end(const unsigned char* s, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)? from i: its end or -1."""
    cdef Py_ssize_t j
    if i < n and s[i] == 0x2d:
        i += 1
    if i >= n or not (0x30 <= s[i] <= 0x39):
        return -1
    if s[i] == 0x30:
        i += 1
    else:
        while i < n and 0x30 <= s[i] <= 0x39:
            i += 1
    if i + 1 < n and s[i] == 0x2e and 0x30 <= s[i + 1] <= 0x39:
        i += 1
        while i < n and 0x30 <= s[i] <= 0x39:
            i += 1
    if i < n and (s[i] == 0x65 or s[i] == 0x45):
        j = i + 1
        if j < n and (s[j] == 0x2b or s[j] == 0x2d):
            j += 1
        if j < n and 0x30 <= s[j] <= 0x39:
            while j < n and 0x30 <= s[j] <= 0x39:
                j += 1
            i = j
    return i


cdef inline bint _literal(const unsigned char* s, Py_ssize_t n, Py_ssize_t i,
                          const char* word, Py_ssize_t length) noexcept nogil:
    cdef Py_ssize_t k
    if i + length > n:
        return False
    for k in range(length):
        if s[i + k] != <unsigned char>word[k]:
            return False
    return True


cdef Py_ssize_t decode_string(const unsigned char* s, Py_ssize_t start, Py_ssize_t end,
                              uchar* out) noexcept nogil:
    """The characters of a string token (already checked by _string_end) into
    `out`, which holds at least end - start characters; returns how many.
    Surrogate pairs are joined, lone surrogates kept as json.loads keeps them."""
    cdef Py_ssize_t i = start, k = 0
    cdef unsigned char c
    cdef int hi, lo
    while i < end:
        c = s[i]
        if c < 0x80:
            if c != 0x5c:
                out[k] = c
                i += 1
                k += 1
                while i < end and s[i] < 0x80 and s[i] != 0x5c:  # the common case
                    out[k] = s[i]
                    i += 1
                    k += 1
                continue
            else:
                c = s[i + 1]
                if c == 0x75:
                    hi = _hex4(s, end, i + 2)
                    i += 6
                    if 0xd800 <= hi <= 0xdbff and i + 1 < end and s[i] == 0x5c \
                            and s[i + 1] == 0x75:
                        lo = _hex4(s, end, i + 2)
                        if 0xdc00 <= lo <= 0xdfff:
                            hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            i += 6
                    out[k] = <uchar>hi
                else:
                    out[k] = (0x22 if c == 0x22 else 0x5c if c == 0x5c else 0x2f if c == 0x2f
                              else 8 if c == 0x62 else 12 if c == 0x66 else 10 if c == 0x6e
                              else 13 if c == 0x72 else 9)
                    i += 2
        elif c < 0xe0:
            out[k] = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f)
            i += 2
        elif c < 0xf0:
            out[k] = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f)
            i += 3
        else:
            out[k] = ((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12) | ((s[i + 2] & 0x3f) << 6) \
                | (s[i + 3] & 0x3f)
            i += 4
        k += 1
    return k


cdef Py_ssize_t decode_bytes(const unsigned char* s, Py_ssize_t start, Py_ssize_t end,
                             unsigned char* out) noexcept nogil:
    """A string token's characters as UTF-8 (a lone surrogate as its 3-byte
    form, as Python's surrogatepass writes it) into `out`, which holds at
    least end - start bytes (an escape is never shorter than its UTF-8)."""
    cdef Py_ssize_t i = start, k = 0
    cdef uchar c[64]
    cdef Py_ssize_t n, j
    cdef unsigned int u
    while i < end:
        if s[i] != 0x5c:
            out[k] = s[i]
            i += 1
            k += 1
            continue
        # one escape (or a surrogate pair): decode it alone
        j = i + 2
        if s[i + 1] == 0x75:
            j = i + 6
            if j + 1 < end and s[j] == 0x5c and s[j + 1] == 0x75:
                u = <unsigned int>_hex4(s, end, i + 2)
                if 0xd800 <= u <= 0xdbff and 0xdc00 <= <unsigned int>_hex4(s, end, j + 2) <= 0xdfff:
                    j += 6
        n = decode_string(s, i, j, c)
        i = j
        for j in range(n):
            u = c[j]
            if u < 0x80:
                out[k] = <unsigned char>u
                k += 1
            elif u < 0x800:
                out[k] = <unsigned char>(0xc0 | (u >> 6))
                out[k + 1] = <unsigned char>(0x80 | (u & 0x3f))
                k += 2
            elif u < 0x10000:
                out[k] = <unsigned char>(0xe0 | (u >> 12))
                out[k + 1] = <unsigned char>(0x80 | ((u >> 6) & 0x3f))
                out[k + 2] = <unsigned char>(0x80 | (u & 0x3f))
                k += 3
            else:
                out[k] = <unsigned char>(0xf0 | (u >> 18))
                out[k + 1] = <unsigned char>(0x80 | ((u >> 12) & 0x3f))
                out[k + 2] = <unsigned char>(0x80 | ((u >> 6) & 0x3f))
                out[k + 3] = <unsigned char>(0x80 | (u & 0x3f))
                k += 4
    return k
