# Telephone numbers: the mobile and landline recognizers' regexes tried at
# one position (m_*) and their checks (v_*), as in numbers.pxi.


cdef Py_ssize_t _mobile_core(const Text* x, Py_ssize_t p) noexcept nogil:
    """1 SEP? [3-9] (?:SEP?[0-9]){9} NA"""
    cdef uchar c
    if at(x, p) != 0x31:
        return -1
    p += 1
    c = at(x, p)
    if is_sep(c) and 0x33 <= at(x, p + 1) <= 0x39:
        p += 2
    elif 0x33 <= c <= 0x39:
        p += 1
    else:
        return -1
    p = digit_steps(x, p, 9)
    return p if p >= 0 and number_after(x, p) else -1


cdef Py_ssize_t _mobile_after_86(const Text* x, Py_ssize_t p) noexcept nogil:
    """86 SEP? then the core; SEP? is greedy."""
    cdef Py_ssize_t e
    if at(x, p) != 0x38 or at(x, p + 1) != 0x36:
        return -1
    p += 2
    if is_sep(at(x, p)):
        e = _mobile_core(x, p + 1)
        if e >= 0:
            return e
    return _mobile_core(x, p)


cdef Py_ssize_t _mobile_after_dial(const Text* x, Py_ssize_t p) noexcept nogil:
    """(?:17951|12593) SEP? then the core; SEP? is greedy."""
    cdef Py_ssize_t e
    if at(x, p) != 0x31:
        return -1
    if not ((at(x, p + 1) == 0x37 and at(x, p + 2) == 0x39 and at(x, p + 3) == 0x35
             and at(x, p + 4) == 0x31)
            or (at(x, p + 1) == 0x32 and at(x, p + 2) == 0x35 and at(x, p + 3) == 0x39
                and at(x, p + 4) == 0x33)):
        return -1
    p += 5
    if is_sep(at(x, p)):
        e = _mobile_core(x, p + 1)
        if e >= 0:
            return e
    return _mobile_core(x, p)


cdef Py_ssize_t m_mobile(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB (?:(?:\\+|00)?86 SEP?|0|(?:17951|12593) SEP?)? 1 SEP? [3-9] (?:SEP?[0-9]){9} NA"""
    cdef Py_ssize_t e
    cdef uchar c = at(x, s)
    if not (c == 0x2b or is_digit(c)) or not number_before(x, s):
        return -1
    if c == 0x2b:
        return _mobile_after_86(x, s + 1)
    if c == 0x30 and at(x, s + 1) == 0x30:
        e = _mobile_after_86(x, s + 2)
        if e >= 0:
            return e
    e = _mobile_after_86(x, s)
    if e >= 0:
        return e
    if c == 0x30:
        e = _mobile_core(x, s + 1)
        if e >= 0:
            return e
    e = _mobile_after_dial(x, s)
    if e >= 0:
        return e
    return _mobile_core(x, s)


cdef bint _segment(const uchar* c) noexcept nogil:
    cdef int p = num(c, 3)
    return (130 <= p <= 139 or 145 <= p <= 149 or (150 <= p <= 159 and p != 154) or p == 162
            or 165 <= p <= 167 or 170 <= p <= 178 or 180 <= p <= 189
            or (190 <= p <= 199 and p != 194))


cdef bint v_mobile(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf)
    cdef const uchar* c = buf
    if n == 14 and c[0] == 0x2b and c[1] == 0x38 and c[2] == 0x36:
        c += 3
        n -= 3
    elif n == 15 and c[0] == 0x30 and c[1] == 0x30 and c[2] == 0x38 and c[3] == 0x36:
        c += 4
        n -= 4
    elif n == 13 and c[0] == 0x38 and c[1] == 0x36:
        c += 2
        n -= 2
    elif n == 12 and c[0] == 0x30:
        c += 1
        n -= 1
    elif n == 16 and c[0] == 0x31 and (
            (c[1] == 0x37 and c[2] == 0x39 and c[3] == 0x35 and c[4] == 0x31)
            or (c[1] == 0x32 and c[2] == 0x35 and c[3] == 0x39 and c[4] == 0x33)):
        c += 5
        n -= 5
    return n == 11 and all_digits(c, 11) and _segment(c)


cdef Py_ssize_t _area(const Text* x, Py_ssize_t p) noexcept nogil:
    """0(?:10|2[0-9]|[3-9][0-9]{2})"""
    cdef uchar c
    if at(x, p) != 0x30:
        return -1
    c = at(x, p + 1)
    if c == 0x31:
        return p + 3 if at(x, p + 2) == 0x30 else -1
    if c == 0x32:
        return p + 3 if is_digit(at(x, p + 2)) else -1
    if 0x33 <= c <= 0x39 and is_digit(at(x, p + 2)) and is_digit(at(x, p + 3)):
        return p + 4
    return -1


cdef Py_ssize_t _area_digits(const Text* x, Py_ssize_t p) noexcept nogil:
    """(?:10|2[0-9]|[3-9][0-9]{2}): an area code without its 0."""
    cdef uchar c = at(x, p)
    if c == 0x31:
        return p + 2 if at(x, p + 1) == 0x30 else -1
    if c == 0x32:
        return p + 2 if is_digit(at(x, p + 1)) else -1
    if 0x33 <= c <= 0x39 and is_digit(at(x, p + 1)) and is_digit(at(x, p + 2)):
        return p + 3
    return -1


cdef Py_ssize_t _intl(const Text* x, Py_ssize_t p) noexcept nogil:
    """(?:\\+|00)86 SEP?: the position after, or -1 (a separator is never the
    start of what follows, so taking it is the only way)."""
    if at(x, p) == 0x2b:
        p += 1
    elif at(x, p) == 0x30 and at(x, p + 1) == 0x30:
        p += 2
    else:
        return -1
    if at(x, p) != 0x38 or at(x, p + 1) != 0x36:
        return -1
    p += 2
    return p + 1 if is_sep(at(x, p)) else p


cdef Py_ssize_t _ext_digits(const Text* x, Py_ssize_t u) noexcept nogil:
    """[0-9]{1,5} greedy, then NA: the end or -1."""
    cdef int j = digits_at(x, u, 5)
    while j >= 1:
        if number_after(x, u + j):
            return u + j
        j -= 1
    return -1


cdef Py_ssize_t _landline_tail(const Text* x, Py_ssize_t p5) noexcept nogil:
    """(?:SEP?(?:转|ext\\.?)SEP?[0-9]{1,5}|-[0-9]{1,5})? NA"""
    cdef int sa, sb, nk, k
    cdef Py_ssize_t q, r, e
    cdef Py_ssize_t ends[2]
    for sa in range(1, -1, -1):
        if sa == 1 and not is_sep(at(x, p5)):
            continue
        q = p5 + sa
        nk = 0
        if at(x, q) == 0x8f6c:  # 转
            ends[0] = q + 1
            nk = 1
        elif lower(at(x, q)) == 0x65 and lower(at(x, q + 1)) == 0x78 \
                and lower(at(x, q + 2)) == 0x74:
            if at(x, q + 3) == 0x2e:
                ends[0] = q + 4
                ends[1] = q + 3
                nk = 2
            else:
                ends[0] = q + 3
                nk = 1
        for k in range(nk):
            r = ends[k]
            for sb in range(1, -1, -1):
                if sb == 1 and not is_sep(at(x, r)):
                    continue
                e = _ext_digits(x, r + sb)
                if e >= 0:
                    return e
    if at(x, p5) == 0x2d:
        e = _ext_digits(x, p5 + 1)
        if e >= 0:
            return e
    return p5 if number_after(x, p5) else -1


cdef Py_ssize_t m_landline(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB (?:\\(AREA\\)|AREA|INTL(?:\\(AREA_DIGITS\\)|AREA_DIGITS)) SEP?
    [2-9][0-9]{2,3} SEP? [0-9]{4} TAIL NA (AREA and INTL never both match)"""
    cdef Py_ssize_t p1, p2, p3, p4, e
    cdef int sep1, sep2, k
    cdef uchar c = at(x, s)
    if not (c == 0x28 or c == 0x30 or c == 0x2b) or not number_before(x, s):
        return -1
    if c == 0x28:
        p1 = _area(x, s + 1)
        if p1 < 0 or at(x, p1) != 0x29:
            return -1
        p1 += 1
    else:
        p1 = _area(x, s) if c == 0x30 else -1
        if p1 < 0:
            p1 = _intl(x, s)
            if p1 < 0:
                return -1
            if at(x, p1) == 0x28:
                p1 = _area_digits(x, p1 + 1)
                if p1 < 0 or at(x, p1) != 0x29:
                    return -1
                p1 += 1
            else:
                p1 = _area_digits(x, p1)
                if p1 < 0:
                    return -1
    for sep1 in range(1, -1, -1):
        if sep1 == 1 and not is_sep(at(x, p1)):
            continue
        p2 = p1 + sep1
        if not (0x32 <= at(x, p2) <= 0x39):
            continue
        for k in range(3, 1, -1):
            if digits_at(x, p2 + 1, k) < k:
                continue
            p3 = p2 + 1 + k
            for sep2 in range(1, -1, -1):
                if sep2 == 1 and not is_sep(at(x, p3)):
                    continue
                p4 = p3 + sep2
                if digits_at(x, p4, 4) < 4:
                    continue
                e = _landline_tail(x, p4 + 4)
                if e >= 0:
                    return e
    return -1


cdef bint v_landline(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """valid_landline: `(?:INTL\\(?AREA_DIGITS|\\(?AREA)\\)?SEP?(LOCAL)` matched at the start of the
    match (case-sensitive, no end anchor); the local number, without
    separators, is not one repeated digit."""
    cdef Text m
    cdef Py_ssize_t p, a, p2, p3, p4, i
    cdef int sep1, sep2, k
    cdef uchar first
    m.o = x.o + s
    m.t = x.t + s
    m.n = e - s
    p = _intl(&m, 0)
    if p >= 0:  # INTL \(? AREA_DIGITS
        a = _area_digits(&m, p + 1 if at(&m, p) == 0x28 else p)
    else:
        p = 1 if at(&m, 0) == 0x28 else 0
        a = _area(&m, p)
    if a < 0:
        return False
    if at(&m, a) == 0x29:
        a += 1
    for sep1 in range(1, -1, -1):
        if sep1 == 1 and not is_sep(at(&m, a)):
            continue
        p2 = a + sep1
        if not (0x32 <= at(&m, p2) <= 0x39):
            continue
        for k in range(3, 1, -1):
            if digits_at(&m, p2 + 1, k) < k:
                continue
            p3 = p2 + 1 + k
            for sep2 in range(1, -1, -1):
                if sep2 == 1 and not is_sep(at(&m, p3)):
                    continue
                p4 = p3 + sep2
                if digits_at(&m, p4, 4) < 4:
                    continue
                first = at(&m, p2)
                for i in range(p2, p4 + 4):
                    if is_digit(at(&m, i)) and at(&m, i) != first:
                        return True
                return False
    return False
