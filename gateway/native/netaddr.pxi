# E-mail addresses and IP addresses.

cdef inline bint is_local(uchar c) noexcept nogil:
    """[\\p{L}0-9!#$%&'*+/=?^_`{|}~.\\-]: e-mail local-part characters (letters
    of the known set: ASCII and CJK ideographs)."""
    return is_alnum(c) or is_han(c) or is_in(c, b"!#$%&'*+/=?^_`{|}~.-")


cdef inline bint _label_char(uchar c) noexcept nogil:
    """[\\p{L}0-9] for known characters."""
    return is_alnum(c) or is_han(c)


cdef Py_ssize_t _tld(const Text* x, Py_ssize_t u) noexcept nogil:
    """(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59}|\\p{Han}{2,10})(?![A-Za-z0-9-])
    at u: the end, or -1."""
    cdef Py_ssize_t a = 0
    while a <= 24 and is_alpha(at(x, u + a)):
        a += 1
    if 2 <= a <= 24 and not (is_alnum(at(x, u + a)) or at(x, u + a) == 0x2d):
        return u + a
    if lower(at(x, u)) == 0x78 and lower(at(x, u + 1)) == 0x6e and at(x, u + 2) == 0x2d \
            and at(x, u + 3) == 0x2d:
        a = 0
        while a <= 59 and (is_alnum(at(x, u + 4 + a)) or at(x, u + 4 + a) == 0x2d):
            a += 1
        if 1 <= a <= 59 and not (is_alnum(at(x, u + 4 + a)) or at(x, u + 4 + a) == 0x2d):
            return u + 4 + a
    a = 0
    while a < 10 and is_han(at(x, u + a)):
        a += 1
    if a >= 2 and not (is_alnum(at(x, u + a)) or at(x, u + a) == 0x2d):
        return u + a
    return -1


cdef Py_ssize_t m_email(const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<![LOCAL])LOCAL{1,64}@(?:LABEL\\.)+TLD (TLD: see _tld)"""
    cdef Py_ssize_t m = 0, q, r, u, e, found = -1
    if not is_local(at(x, s)) or is_local(at(x, s - 1)):
        return -1
    while m <= 64 and is_local(at(x, s + m)):
        m += 1
    if m > 64 or at(x, s + m) != 0x40:
        return -1
    q = s + m + 1
    # (?:LABEL\.)+ is greedy; the match ends after the last label group that
    # a valid top-level label follows. A label is a whole run of [\p{L}0-9-]
    # (a dot ends it): 1 to 63 characters, a letter or digit at both ends.
    while _label_char(at(x, q)):
        r = 1
        while r <= 63 and (_label_char(at(x, q + r)) or at(x, q + r) == 0x2d):
            r += 1
        if r > 63 or at(x, q + r) != 0x2e or not _label_char(at(x, q + r - 1)):
            break
        u = q + r + 1
        e = _tld(x, u)
        if e >= 0:
            found = e
        q = u
    return found


cdef bint v_email(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """valid_email: no leading, trailing or double dot in the local part (the
    pattern already shapes the domain's labels)."""
    cdef Py_ssize_t at_sign = e - 1, i
    while at_sign > s and x.t[at_sign] != 0x40:
        at_sign -= 1
    if at_sign <= s or x.t[s] == 0x2e or x.t[at_sign - 1] == 0x2e:
        return False
    for i in range(s, at_sign - 1):
        if x.t[i] == 0x2e and x.t[i + 1] == 0x2e:
            return False
    return True


cdef int _octet_lengths(const Text* x, Py_ssize_t p, int* out) noexcept nogil:
    """Lengths OCTET can take at p, in the order the regex tries them:
    25[0-5] | 2[0-4][0-9] | 1[0-9]{2} | [1-9]?[0-9]."""
    cdef int n = 0
    cdef uchar a = at(x, p), b = at(x, p + 1), c = at(x, p + 2)
    if (a == 0x32 and b == 0x35 and 0x30 <= c <= 0x35) \
            or (a == 0x32 and 0x30 <= b <= 0x34 and is_digit(c)) \
            or (a == 0x31 and is_digit(b) and is_digit(c)):
        out[n] = 3
        n += 1
    if 0x31 <= a <= 0x39 and is_digit(b):
        out[n] = 2
        n += 1
    if is_digit(a):
        out[n] = 1
        n += 1
    return n


cdef inline bint _v4_end(const Text* x, Py_ssize_t q, bint in_v6) noexcept nogil:
    cdef uchar c = at(x, q)
    if in_v6:  # (?![0-9A-F:])
        return not is_hex(c) and c != 0x3a
    return not is_digit(c) and not (c == 0x2e and is_digit(at(x, q + 1)))  # (?![0-9]|\.[0-9])


cdef Py_ssize_t _v4(const Text* x, Py_ssize_t p, int octet, bint in_v6) noexcept nogil:
    """OCTET(?:\\.OCTET){3} from octet `octet` on, with backtracking, then the
    lookahead: the first end that works, or -1."""
    cdef int lengths[3]
    cdef int count = _octet_lengths(x, p, lengths), i
    cdef Py_ssize_t q, r
    for i in range(count):
        q = p + lengths[i]
        if octet == 3:
            if _v4_end(x, q, in_v6):
                return q
        elif at(x, q) == 0x2e:
            r = _v4(x, q + 1, octet + 1, in_v6)
            if r >= 0:
                return r
    return -1


cdef Py_ssize_t m_ipv4(const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<![0-9.])V4(?![0-9]|\\.[0-9])"""
    cdef uchar p = at(x, s - 1)
    if not is_digit(at(x, s)) or is_digit(p) or p == 0x2e:
        return -1
    return _v4(x, s, 0, False)


cdef inline int _hex_run(const Text* x, Py_ssize_t p) noexcept nogil:
    cdef int h = 0
    while h < 5 and is_hex(at(x, p + h)):
        h += 1
    return h


cdef Py_ssize_t m_ipv6(const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<![0-9A-F:])(?:(?:H)?:){2,8}(?:V4|(?:H)?)(?![0-9A-F:]), H = [0-9A-F]{1,4}"""
    cdef Py_ssize_t groups[9]
    cdef Py_ssize_t p = s, q
    cdef int k = 0, j, h
    cdef uchar c = at(x, s - 1)
    if is_hex(c) or c == 0x3a or not (is_hex(at(x, s)) or at(x, s) == 0x3a):
        return -1
    while k < 8:
        h = _hex_run(x, p)
        if 1 <= h <= 4 and at(x, p + h) == 0x3a:
            p += h + 1
        elif h == 0 and at(x, p) == 0x3a:
            p += 1
        else:
            break
        k += 1
        groups[k] = p
    j = k
    while j >= 2:
        p = groups[j]
        q = _v4(x, p, 0, True)
        if q >= 0:
            return q
        h = _hex_run(x, p)
        if 1 <= h <= 4 and _v4_end(x, p + h, True):
            return p + h
        if _v4_end(x, p, True):
            return p
        j -= 1
    return -1


cdef bint _octets(const Text* x, Py_ssize_t s, Py_ssize_t e, int* out) noexcept nogil:
    """IPv4Address's parser on x[s:e]: four octets, no leading zeros, <= 255."""
    cdef int count = 0, value, length
    cdef Py_ssize_t i = s
    while True:
        value = 0
        length = 0
        while i < e and x.t[i] != 0x2e:
            if not is_digit(x.t[i]) or length == 3:
                return False
            value = value * 10 + <int>(x.t[i] - 0x30)
            length += 1
            i += 1
        if length == 0 or (length > 1 and x.t[i - length] == 0x30) or value > 255:
            return False
        if count == 4:
            return False
        out[count] = value
        count += 1
        if i == e:
            break
        i += 1  # the dot
    return count == 4


cdef bint _hextet(const Text* x, Py_ssize_t a, Py_ssize_t b, unsigned int* out) noexcept nogil:
    """_parse_hextet: one to four hex digits."""
    cdef unsigned int v = 0
    cdef Py_ssize_t p
    cdef uchar c
    if b <= a or b - a > 4:
        return False
    for p in range(a, b):
        c = x.t[p]
        if is_digit(c):
            v = v * 16 + <unsigned int>(c - 0x30)
        elif is_hex(c):
            v = v * 16 + <unsigned int>(lower(c) - 0x61 + 10)
        else:
            return False
    out[0] = v
    return True


cdef bint v_ip(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """valid_ip: ipaddress.ip_address accepts it (Python 3.11's parser), it is
    neither unspecified nor loopback, and an IPv6 address shows at least
    three groups."""
    cdef int octets[4]
    cdef Py_ssize_t starts[11]
    cdef Py_ssize_t ends[11]
    cdef unsigned int hextets[8]
    cdef unsigned int v = 0
    cdef int nparts = 0, total, i, skip = -1, hi, lo, nonempty = 0, k
    cdef Py_ssize_t p, a
    cdef bint has_dot = False, zero, one, is_v6 = False
    for p in range(s, e):
        if x.t[p] == 0x3a:
            is_v6 = True
    if not is_v6:
        if not _octets(x, s, e, octets):
            return False
        return not (octets[0] == 0 and octets[1] == 0 and octets[2] == 0 and octets[3] == 0) \
            and octets[0] != 127
    a = s
    for p in range(s, e + 1):  # ip_str.split(':')
        if p == e or x.t[p] == 0x3a:
            if nparts == 10:
                return False  # more than nine parts in any case
            starts[nparts] = a
            ends[nparts] = p
            if p > a:
                nonempty += 1
            nparts += 1
            a = p + 1
    if nparts < 3:
        return False
    for p in range(starts[nparts - 1], ends[nparts - 1]):
        if x.t[p] == 0x2e:
            has_dot = True
    if has_dot:  # an IPv4 suffix becomes two hextets
        if not _octets(x, starts[nparts - 1], ends[nparts - 1], octets):
            return False
        nparts -= 1
        total = nparts + 2
    else:
        total = nparts
    if total > 9:
        return False
    for i in range(1, total - 1):
        if i < nparts and starts[i] == ends[i]:
            if skip >= 0:
                return False
            skip = i
    if skip >= 0:
        hi = skip
        lo = total - skip - 1
        if starts[0] == ends[0]:
            hi -= 1
            if hi:
                return False
        if not has_dot and starts[nparts - 1] == ends[nparts - 1]:
            lo -= 1
            if lo:
                return False
        if 8 - (hi + lo) < 1:
            return False
    else:
        if total != 8:
            return False
        if starts[0] == ends[0] or (not has_dot and starts[nparts - 1] == ends[nparts - 1]):
            return False
        hi = total
        lo = 0
    for k in range(8):
        hextets[k] = 0
    for i in range(total):
        if not (i < hi or i >= total - lo):
            continue  # the parts the '::' stands for
        if i < nparts:
            if not _hextet(x, starts[i], ends[i], &v):
                return False
        elif i == nparts:
            v = <unsigned int>(octets[0] * 256 + octets[1])
        else:
            v = <unsigned int>(octets[2] * 256 + octets[3])
        if i < hi:
            hextets[i] = v
        else:
            hextets[8 - (total - i)] = v
    zero = True
    one = True
    for k in range(8):
        if hextets[k] != 0:
            zero = False
        if (k < 7 and hextets[k] != 0) or (k == 7 and hextets[k] != 1):
            one = False
    if zero or one:
        return False
    return nonempty >= 3
