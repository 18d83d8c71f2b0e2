# The `mask` operator on the characters as sent (gateway/operators/mask.py).

ctypedef struct Out:
    uchar* v
    Py_ssize_t n
    Py_ssize_t cap

cdef enum MaskMode:
    MASK_TEXT, MASK_ADDRESS, MASK_EMAIL, MASK_IP


cdef int out_reserve(Out* o, Py_ssize_t more) except -1:
    cdef uchar* grown
    cdef Py_ssize_t cap
    if o.n + more <= o.cap:
        return 0
    cap = o.cap * 2 if o.cap else 64
    while cap < o.n + more:
        cap *= 2
    grown = <uchar*>realloc(o.v, cap * sizeof(uchar))
    if grown == NULL:
        raise MemoryError()
    o.v = grown
    o.cap = cap
    return 0


cdef inline int out_put(Out* o, uchar c) except -1:
    if o.n == o.cap:
        out_reserve(o, 1)
    o.v[o.n] = c
    o.n += 1
    return 0


cdef int out_chars(Out* o, const uchar* c, Py_ssize_t n) except -1:
    out_reserve(o, n)
    memcpy(o.v + o.n, c, n * sizeof(uchar))
    o.n += n
    return 0


# mask._SEPARATORS below U+0080: " -_.@/:+()"
cdef unsigned long long _SEP_LO = ((1ULL << 0x20) | (1ULL << 0x28) | (1ULL << 0x29)
                                   | (1ULL << 0x2b) | (1ULL << 0x2d) | (1ULL << 0x2e)
                                   | (1ULL << 0x2f) | (1ULL << 0x3a))


cdef inline bint mask_sep(uchar c) noexcept nogil:
    """mask._SEPARATORS: stay in place, do not count."""
    if c < 0x40:
        return (_SEP_LO >> c) & 1
    if c < 0x80:
        return c == 0x40 or c == 0x5f
    return c == 0xb7 or (0x2010 <= c <= 0x2015) or c == 0x2212 or c == 0x3000


cdef int mask_text(Out* o, const uchar* v, Py_ssize_t n, Py_ssize_t first, Py_ssize_t last,
                   uchar ch) except -1:
    cdef Py_ssize_t i, count = 0, seen = 0
    cdef bint keep_any
    for i in range(n):
        if not mask_sep(v[i]):
            count += 1
    keep_any = first + last < count
    out_reserve(o, n)
    for i in range(n):
        if mask_sep(v[i]):
            o.v[o.n] = v[i]
        else:
            o.v[o.n] = v[i] if keep_any and (seen < first or seen >= count - last) else ch
            seen += 1
        o.n += 1
    return 0


cdef int mask_email(Out* o, const uchar* v, Py_ssize_t n, uchar ch) except -1:
    cdef Py_ssize_t at = n - 1
    while at >= 0 and v[at] != 0x40:
        at -= 1
    if at < 0:
        return mask_text(o, v, n, 1, 0, ch)
    mask_text(o, v, at, 1, 0, ch)
    return out_chars(o, v + at, n - at)


cdef int mask_ip(Out* o, const uchar* v, Py_ssize_t n, uchar ch) except -1:
    cdef Py_ssize_t i, parts = 0, start = 0
    cdef uchar sep = 0x3a
    for i in range(n):
        if v[i] == 0x2e:
            sep = 0x2e
            break
    for i in range(n + 1):
        if i == n or v[i] == sep:
            if parts:
                out_put(o, sep)
            if parts < 2:
                out_chars(o, v + start, i - start)
            elif sep == 0x2e or i > start:
                out_put(o, ch)
            parts += 1
            start = i + 1
    return 0


cdef int mask_address(Out* o, const uchar* v, Py_ssize_t n, uchar ch) except -1:
    """Keep up to the district (区/县/旗 in the first 20 characters), mask the rest."""
    cdef Py_ssize_t cut = 0, i, j, first
    cdef uchar ends[3]
    ends[0] = 0x533a
    ends[1] = 0x53bf
    ends[2] = 0x65d7
    for j in range(3):
        first = -1
        for i in range(n if n < 20 else 20):
            if v[i] == ends[j]:
                first = i
                break
        if first >= 0 and first + 1 > cut:
            cut = first + 1
    if cut == 0:
        cut = min(3, n // 3)
    out_chars(o, v, cut)
    out_reserve(o, n - cut)
    for i in range(cut, n):
        o.v[o.n] = v[i] if mask_sep(v[i]) else ch
        o.n += 1
    return 0


cdef Py_ssize_t digit_count(const uchar* v, Py_ssize_t n) noexcept nogil:
    """sum(c.isdigit() for c in value)"""
    cdef Py_ssize_t i, k = 0
    cdef uchar c
    for i in range(n):
        c = v[i]
        if c < 0x80:
            k += is_digit(c)
        elif 0xff10 <= c <= 0xff19 or Py_UNICODE_ISDIGIT(c):
            k += 1
    return k
