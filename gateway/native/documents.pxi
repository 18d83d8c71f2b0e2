# Document numbers with letters: USCC, passports, travel permits, plates.

cdef inline bint _uscc_char(uchar c) noexcept nogil:
    """[0-9A-HJ-NPQRTUWXY] under IGNORECASE."""
    c = upper(c)
    return is_digit(c) or (0x41 <= c <= 0x48) or (0x4a <= c <= 0x4e) or c == 0x50 \
        or c == 0x51 or c == 0x52 or c == 0x54 or c == 0x55 or c == 0x57 or c == 0x58 \
        or c == 0x59


cdef inline bint _uscc_letter(uchar c) noexcept nogil:
    return _uscc_char(c) and not is_digit(c)


cdef Py_ssize_t _uscc_head(const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<![0-9A-Za-z])[0-9]{2}SEP?[0-9]{6}SEP?: the position after, or -1."""
    if not is_digit(at(x, s)) or is_alnum(at(x, s - 1)) or digits_at(x, s, 2) < 2:
        return -1
    s += 2
    if is_sep(at(x, s)):
        s += 1
    if digits_at(x, s, 6) < 6:
        return -1
    s += 6
    if is_sep(at(x, s)):
        s += 1
    return s


cdef Py_ssize_t m_uscc(const Text* x, Py_ssize_t s) noexcept nogil:
    """HEAD (?=[0-9]{0,9}[A-HJ-NPQRTUWXY])C{10}(?![0-9A-Za-z])"""
    cdef int m, i
    cdef Py_ssize_t p = _uscc_head(x, s)
    if p < 0:
        return -1
    m = digits_at(x, p, 10)
    if m > 9 or not _uscc_letter(at(x, p + m)):
        return -1
    for i in range(10):
        if not _uscc_char(at(x, p + i)):
            return -1
    return p + 10 if not is_alnum(at(x, p + 10)) else -1


cdef Py_ssize_t m_uscc_digits(const Text* x, Py_ssize_t s) noexcept nogil:
    """HEAD [0-9]{10}(?![0-9A-Za-z])"""
    cdef Py_ssize_t p = _uscc_head(x, s)
    if p < 0 or digits_at(x, p, 10) < 10:
        return -1
    return p + 10 if not is_alnum(at(x, p + 10)) else -1


cdef const char* _USCC_ALPHABET = b"0123456789ABCDEFGHJKLMNPQRTUWXY"
cdef const char* _ORG_ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


cdef int _index(uchar c, const char* alphabet) noexcept nogil:
    cdef int i = 0
    while alphabet[i] != 0:
        if <uchar>alphabet[i] == c:
            return i
        i += 1
    return -1


cdef bint valid_org_code(const uchar* c) noexcept nogil:
    """GB 11714: eight characters and a MOD 11 check (uscc.valid_org_code)."""
    cdef int weights[8]
    cdef int i, v, total = 0, check
    cdef uchar expected
    weights[:] = [3, 7, 9, 10, 5, 8, 4, 2]
    for i in range(8):
        v = _index(c[i], _ORG_ALPHABET)
        if v < 0:
            return False
        total += v * weights[i]
    check = 11 - total % 11
    if check == 10:
        expected = 0x58
    elif check == 11:
        expected = 0x30
    else:
        expected = <uchar>(0x30 + check)
    return c[8] == expected


cdef bint valid_uscc(const uchar* c, Py_ssize_t n) noexcept nogil:
    """python-stdnum's uscc.is_valid and the embedded organization code."""
    cdef int weights[17]
    cdef int i, v, total = 0
    if n != 18 or not all_digits(c, 8):
        return False
    for i in range(8, 18):
        if _index(c[i], _USCC_ALPHABET) < 0:
            return False
    weights[:] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    for i in range(17):
        total += _index(c[i], _USCC_ALPHABET) * weights[i]
    v = (31 - total) % 31
    if v < 0:
        v += 31
    if c[17] != <uchar>_USCC_ALPHABET[v]:
        return False
    return valid_org_code(c + 8)


cdef bint v_uscc(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf)
    return n == 18 and valid_uscc(buf, n)


cdef inline bint _doc_letter(uchar c) noexcept nogil:
    """[A-HJ-NP-Z] under IGNORECASE."""
    c = upper(c)
    return 0x41 <= c <= 0x5a and c != 0x49 and c != 0x4f


cdef inline Py_ssize_t _digits_then_end(const Text* x, Py_ssize_t p, int count) noexcept nogil:
    """[0-9]{count} then (?![0-9A-Za-z])."""
    if digits_at(x, p, count) < count or is_alnum(at(x, p + count)):
        return -1
    return p + count


cdef Py_ssize_t m_passport(const Text* x, Py_ssize_t s) noexcept nogil:
    """NAB (?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[DSP]E?[0-9]{7,8}) NAA"""
    cdef uchar c = upper(at(x, s))
    cdef Py_ssize_t e, p
    cdef int k, skip
    if is_alnum(at(x, s - 1)):
        return -1
    if c == 0x45 or c == 0x47:
        e = _digits_then_end(x, s + 1, 8)
        if e >= 0:
            return e
    if c == 0x45 and _doc_letter(at(x, s + 1)):
        e = _digits_then_end(x, s + 2, 7)
        if e >= 0:
            return e
    if c == 0x44 or c == 0x53 or c == 0x50:
        for skip in range(1, -1, -1):  # E? is greedy
            if skip == 1 and upper(at(x, s + 1)) != 0x45:
                continue
            p = s + 1 + skip
            for k in range(8, 6, -1):
                e = _digits_then_end(x, p, k)
                if e >= 0:
                    return e
    return -1


cdef Py_ssize_t m_hk_macau(const Text* x, Py_ssize_t s) noexcept nogil:
    """NAB (?:C[0-9A-HJ-NP-Z][0-9]{7}|W[0-9]{8}) NAA"""
    cdef uchar c = upper(at(x, s))
    cdef uchar d
    if is_alnum(at(x, s - 1)):
        return -1
    if c == 0x43:
        d = at(x, s + 1)
        if is_digit(d) or _doc_letter(d):
            return _digits_then_end(x, s + 2, 7)
        return -1
    if c == 0x57:
        return _digits_then_end(x, s + 1, 8)
    return -1


cdef Py_ssize_t m_home_return(const Text* x, Py_ssize_t s) noexcept nogil:
    """NAB [HM][0-9]{8}(?:[0-9]{2})? NAA"""
    cdef uchar c = upper(at(x, s))
    cdef Py_ssize_t e
    if (c != 0x48 and c != 0x4d) or is_alnum(at(x, s - 1)):
        return -1
    e = _digits_then_end(x, s + 1, 10)
    if e >= 0:
        return e
    return _digits_then_end(x, s + 1, 8)


cdef Py_ssize_t m_taiwan_l(const Text* x, Py_ssize_t s) noexcept nogil:
    """NAB L[0-9]{8} NAA"""
    if upper(at(x, s)) != 0x4c or is_alnum(at(x, s - 1)):
        return -1
    return _digits_then_end(x, s + 1, 8)


cdef Py_ssize_t m_taiwan_8(const Text* x, Py_ssize_t s) noexcept nogil:
    """NAB [0-9]{8} NAA"""
    if not is_digit(at(x, s)) or is_alnum(at(x, s - 1)):
        return -1
    return _digits_then_end(x, s, 8)


cdef bint v_document(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """plausible_document_number: seven or more digits, not one repeated."""
    cdef Py_ssize_t i, count = 0
    cdef uchar first = 0
    cdef bint varied = False
    for i in range(s, e):
        if is_digit(x.t[i]):
            if count == 0:
                first = x.t[i]
            elif x.t[i] != first:
                varied = True
            count += 1
    return count >= 7 and varied


cdef inline bint _plate_tail(uchar c) noexcept nogil:
    """[A-HJ-NP-Z0-9] under IGNORECASE."""
    return is_digit(c) or _doc_letter(c)


cdef Py_ssize_t m_plate(const unsigned char* provinces, const Text* x,
                        Py_ssize_t s) noexcept nogil:
    """[PROVINCES][A-HJ-NP-Z][·•]?TAIL{5,6}(?![0-9A-Za-z]) (no lookbehind)"""
    cdef Py_ssize_t p, e
    cdef int m, k, dot
    if not bit(provinces, at(x, s)) or not _doc_letter(at(x, s + 1)):
        return -1
    for dot in range(1, -1, -1):
        p = s + 2
        if dot == 1:
            if at(x, p) != 0xb7 and at(x, p) != 0x2022:
                continue
            p += 1
        m = 0
        while m < 6 and _plate_tail(at(x, p + m)):
            m += 1
        for k in range(6, 4, -1):
            if m >= k and not is_alnum(at(x, p + k)):
                return p + k
    return -1


cdef bint v_plate(const unsigned char* provinces, const Text* x, Py_ssize_t s,
                  Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef uchar plate[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf), i, k = 0, letters = 0
    cdef const uchar* tail
    if n < 0:
        return False
    for i in range(n):
        if buf[i] != 0xb7 and buf[i] != 0x2022:
            plate[k] = buf[i]
            k += 1
    if (k != 7 and k != 8) or not bit(provinces, plate[0]):
        return False
    tail = plate + 2
    for i in range(k - 2):
        if is_alpha(tail[i]):
            letters += 1
    if k - 2 == 5:
        return letters <= 2
    if tail[0] == 0x44 or tail[0] == 0x46:
        return all_digits(tail + 1, 5) or (is_alpha(tail[1]) and all_digits(tail + 2, 4))
    return (tail[5] == 0x44 or tail[5] == 0x46) and all_digits(tail, 5)
