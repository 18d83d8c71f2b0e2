# Numeric identifiers: resident ID, bank and brand cards (telephone numbers
# are in phones.pxi).
# Each m_* function is one recognizer regex tried at one position, exactly as
# the `regex` module backtracks through it (the patterns are in
# gateway/detect/recognizers/); it returns the match end or -1. Each v_* is
# the recognizer's `check` on the match.

from libc.time cimport time, time_t, tm, localtime_r

cdef enum:
    COMPACT_MAX = 48


cdef Py_ssize_t compact(const Text* x, Py_ssize_t s, Py_ssize_t e, uchar* out) noexcept nogil:
    """The match without separators, upper-cased (base.compact); -1 if longer
    than any number a check accepts."""
    cdef Py_ssize_t i, k = 0
    cdef uchar c
    for i in range(s, e):
        c = x.t[i]
        if is_sep(c):
            continue
        if k == COMPACT_MAX:
            return -1
        out[k] = upper(c)
        k += 1
    return k


cdef inline bint all_digits(const uchar* c, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    if n == 0:
        return False
    for i in range(n):
        if not is_digit(c[i]):
            return False
    return True


cdef inline int num(const uchar* c, Py_ssize_t n) noexcept nogil:
    cdef int v = 0
    cdef Py_ssize_t i
    for i in range(n):
        v = v * 10 + <int>(c[i] - 0x30)
    return v


cdef int today() noexcept nogil:
    """Today's local date as yyyymmdd (date.today())."""
    cdef time_t now = time(NULL)
    cdef tm parts
    localtime_r(&now, &parts)
    return (parts.tm_year + 1900) * 10000 + (parts.tm_mon + 1) * 100 + parts.tm_mday


cdef bint real_date(int year, int month, int day) noexcept nogil:
    cdef int days
    if year < 1 or month < 1 or month > 12 or day < 1:
        return False
    if month == 2:
        days = 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    elif month == 4 or month == 6 or month == 9 or month == 11:
        days = 30
    else:
        days = 31
    if day > days:
        return False
    return 19000101 <= year * 10000 + month * 100 + day <= today()


cdef bint _province(const uchar* c) noexcept nogil:
    cdef int p = num(c, 2)
    return (11 <= p <= 15 or 21 <= p <= 23 or 31 <= p <= 37 or 41 <= p <= 46 or 50 <= p <= 54
            or 61 <= p <= 65 or p == 71 or p == 81 or p == 82 or p == 83)


cdef bint valid_resident_id(const uchar* c, Py_ssize_t n) noexcept nogil:
    cdef int i, total = 0, check, year, month, day
    cdef uchar expected
    if n == 18:
        if not all_digits(c, 17):
            return False
        if not (is_digit(c[17]) or c[17] == 0x58):
            return False
        # GB 11643 MOD 11-2: (1 - 2 * int(body, 13)) % 11, as python-stdnum
        for i in range(17):
            total = (total * 13 + <int>(c[i] - 0x30)) % 11
        check = (1 - 2 * total) % 11
        if check < 0:
            check += 11
        expected = 0x58 if check == 10 else <uchar>(0x30 + check)
        if c[17] != expected:
            return False
        year = num(c + 6, 4)
        month = num(c + 10, 2)
        day = num(c + 12, 2)
    elif n == 15 and all_digits(c, 15):
        year = 1900 + num(c + 6, 2)
        month = num(c + 8, 2)
        day = num(c + 10, 2)
    else:
        return False
    if not _province(c):
        return False
    # region xx0000 only for the residence permits of HK/Macau/Taiwan residents (81-83)
    if (c[2] == 0x30 and c[3] == 0x30 and c[4] == 0x30 and c[5] == 0x30
            and not (c[0] == 0x38 and 0x31 <= c[1] <= 0x33)):
        return False
    return real_date(year, month, day)


cdef Py_ssize_t m_id18(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB digits(17) SEP? [0-9X] NA"""
    cdef Py_ssize_t p, e
    cdef uchar c
    if not is_digit(at(x, s)) or not number_before(x, s):
        return -1
    p = digit_steps(x, s + 1, 16)
    if p < 0:
        return -1
    c = at(x, p)
    if is_sep(c):
        c = at(x, p + 1)
        if not (is_digit(c) or upper(c) == 0x58):
            return -1
        e = p + 2
    elif is_digit(c) or upper(c) == 0x58:
        e = p + 1
    else:
        return -1
    return e if number_after(x, e) else -1


cdef Py_ssize_t m_id15(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB digits(15) NA"""
    cdef Py_ssize_t e
    if not is_digit(at(x, s)) or not number_before(x, s):
        return -1
    e = digit_steps(x, s + 1, 14)
    return e if e >= 0 and number_after(x, e) else -1


cdef bint v_resident_id(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf)
    return n > 0 and valid_resident_id(buf, n)


cdef bint luhn(const uchar* c, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef int total = 0, d
    for i in range(n):
        d = <int>(c[n - 1 - i] - 0x30)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


cdef inline bint issuer_range(const uchar* c, Py_ssize_t n) noexcept nogil:
    """recognizers/bank_card.py: issuer_range (3-6, 9, Mastercard 2221-2720)."""
    cdef int four
    if c[0] == 0x33 or c[0] == 0x34 or c[0] == 0x35 or c[0] == 0x36 or c[0] == 0x39:
        return True
    if c[0] != 0x32 or n < 4:
        return False
    four = (c[0] - 48) * 1000 + (c[1] - 48) * 100 + (c[2] - 48) * 10 + (c[3] - 48)
    return 2221 <= four <= 2720


cdef inline bint valid_card_number(const uchar* c, Py_ssize_t n) noexcept nogil:
    return all_digits(c, n) and 13 <= n <= 19 and issuer_range(c, n) and luhn(c, n)


cdef Py_ssize_t _card_run(const Text* x, Py_ssize_t p, int least, int most) noexcept nogil:
    """(?:SEP?[0-9]){least,most} greedy, then NA: the end or -1."""
    cdef Py_ssize_t ends[20]
    cdef int k = 0
    cdef Py_ssize_t q
    while k < most:
        q = digit_step(x, p)
        if q < 0:
            break
        p = q
        ends[k] = p
        k += 1
    while k >= least and k > 0:
        if number_after(x, ends[k - 1]):
            return ends[k - 1]
        k -= 1
    return -1


cdef Py_ssize_t m_unionpay(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB 6 SEP? 2 (?:SEP?[0-9]){14,17} NA"""
    cdef Py_ssize_t p
    if at(x, s) != 0x36 or not number_before(x, s):
        return -1
    p = s + 1
    if is_sep(at(x, p)) and at(x, p + 1) == 0x32:
        p += 2
    elif at(x, p) == 0x32:
        p += 1
    else:
        return -1
    return _card_run(x, p, 14, 17)


cdef Py_ssize_t m_card_number(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB [0-9](?:SEP?[0-9]){15,18} NA"""
    if not is_digit(at(x, s)) or not number_before(x, s):
        return -1
    return _card_run(x, s + 1, 15, 18)


cdef bint v_bank_card(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf)
    return 16 <= n <= 19 and valid_card_number(buf, n)


cdef Py_ssize_t _second(const Text* x, Py_ssize_t s, const char* allowed) noexcept nogil:
    """SEP? [allowed] after the first digit at s: the position after, or -1."""
    if is_sep(at(x, s + 1)) and is_in(at(x, s + 2), allowed):
        return s + 3
    if is_in(at(x, s + 1), allowed):
        return s + 2
    return -1


cdef Py_ssize_t _exact(const Text* x, Py_ssize_t p, int count) noexcept nogil:
    """D{count} then NA."""
    p = digit_steps(x, p, count)
    return p if p >= 0 and number_after(x, p) else -1


cdef Py_ssize_t m_brand(const Text* x, Py_ssize_t s) noexcept nogil:
    """NB (?:Visa|Mastercard|2-series|Amex|JCB|Diners) NA, alternatives in order."""
    cdef Py_ssize_t p, p12, p15, p18, e
    cdef uchar c = at(x, s)
    if not (0x32 <= c <= 0x35) or not number_before(x, s):
        return -1
    if c == 0x34:  # 4 D{12} (?:D{3}(?:D{3})?)?
        p12 = digit_steps(x, s + 1, 12)
        if p12 < 0:
            return -1
        p15 = digit_steps(x, p12, 3)
        if p15 >= 0:
            p18 = digit_steps(x, p15, 3)
            if p18 >= 0 and number_after(x, p18):
                return p18
            if number_after(x, p15):
                return p15
        return p12 if number_after(x, p12) else -1
    if c == 0x35:  # 5 SEP? [1-5] D{14}
        p = _second(x, s, b"12345")
        return _exact(x, p, 14) if p >= 0 else -1
    if c == 0x32:  # 2 SEP? [2-7] D{14}
        p = _second(x, s, b"234567")
        return _exact(x, p, 14) if p >= 0 else -1
    # 3: Amex 3 SEP? [47] D{13}; JCB 3 SEP? 5 D{14}; Diners 3 SEP? (0 SEP? [0-5]|[689]) D{11,12}
    p = _second(x, s, b"47")
    if p >= 0:
        e = _exact(x, p, 13)
        if e >= 0:
            return e
    p = _second(x, s, b"5")
    if p >= 0:
        e = _exact(x, p, 14)
        if e >= 0:
            return e
    p = _second(x, s, b"0")
    if p >= 0:
        if is_sep(at(x, p)) and is_in(at(x, p + 1), b"012345"):
            p += 2
        elif is_in(at(x, p), b"012345"):
            p += 1
        else:
            p = -1
    if p < 0:
        p = _second(x, s, b"689")
    if p < 0:
        return -1
    return _card_run(x, p, 11, 12)


cdef bint v_brand(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef uchar buf[COMPACT_MAX]
    cdef Py_ssize_t n = compact(x, s, e, buf)
    if n <= 0 or not valid_card_number(buf, n):
        return False
    if buf[0] == 0x34:
        return n == 13 or n == 16 or n == 19
    if buf[0] == 0x33 and (buf[1] == 0x34 or buf[1] == 0x37):
        return n == 15
    if buf[0] == 0x33:
        return n == 14 or n == 16
    return n == 16
