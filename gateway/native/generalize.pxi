# The `generalize` operator's year, region and band for the values the core
# can read exactly as gateway/operators/generalizers.py does; anything else
# (epochs, other scripts, whitespace at the ends, explicit bands, a value
# without the expected shape) is declined (0) and goes to the Python operator.

from libc.math cimport floor, log10
from libc.stdlib cimport strtod

cdef enum GenMethod:
    G_YEAR = 1
    G_REGION = 2
    G_BAND = 3

cdef enum:
    C_NIAN = 0x5e74    # 年
    C_YUE = 0x6708     # 月
    C_RI = 0x65e5      # 日
    C_SHI = 0x5e02     # 市
    C_SHENG = 0x7701   # 省
    C_ZI = 0x81ea      # 自
    C_ZHI = 0x6cbb     # 治
    C_QU = 0x533a      # 区
    C_TE = 0x7279      # 特
    C_BIE = 0x522b     # 别
    C_XING = 0x884c    # 行
    C_ZHENG = 0x653f   # 政
    C_ZHOU = 0x5dde    # 州
    C_DI = 0x5730      # 地
    C_MENG = 0x76df    # 盟
    C_YUAN = 0x5143    # 元
    C_WAN = 0x4e07     # 万


cdef inline bint _space_like(uchar c) noexcept nogil:
    """Characters str.strip() would remove (or that make the reference differ)."""
    return c <= 0x20 or c == 0x7f or c == 0x85 or c == 0xa0 or c == 0x1680 \
        or (0x2000 <= c <= 0x200a) or c == 0x2028 or c == 0x2029 or c == 0x202f \
        or c == 0x205f or c == 0x3000


cdef inline bint _ends_clean(const uchar* v, Py_ssize_t n) noexcept nogil:
    """Not empty, nothing strip() removes at either end, no control character."""
    cdef Py_ssize_t i
    if n == 0 or _space_like(v[0]) or _space_like(v[n - 1]):
        return False
    for i in range(n):
        if v[i] < 0x20 or v[i] == 0x7f:
            return False
    return True


cdef inline bint _digits(const uchar* v, Py_ssize_t n, Py_ssize_t p, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    if p + k > n:
        return False
    for i in range(k):
        if not (0x30 <= v[p + i] <= 0x39):
            return False
    return True


cdef int gen_year(Out* o, const uchar* v, Py_ssize_t n) except -1:
    """1996-01-27 -> 1996-**-** (generalizers.year); 1 if written, 0 if declined."""
    cdef Py_ssize_t i, p, q1, q2, q3, q4, q5
    cdef int s1, ml, s2, dl, r, month, day
    cdef bint take1, take2
    if not _ends_clean(v, n):
        return 0
    for i in range(n):
        if v[i] > 0x7e and v[i] != C_NIAN and v[i] != C_YUE and v[i] != C_RI:
            return 0
    if _digits(v, n, 0, n) and (n == 9 or n == 10 or n == 12 or n == 13):
        return 0  # an epoch: the reference computes its year
    if not _digits(v, n, 0, 4):
        return 0
    p = 4
    # the regex's choices in the order it tries them (optional parts taken first,
    # {1,2} two digits first); the first full match decides
    for s1 in range(1, -1, -1):
        take1 = p < n and (v[p] == 0x2d or v[p] == 0x2f or v[p] == 0x2e or v[p] == C_NIAN)
        if s1 and not take1:
            continue
        q1 = p + s1
        for ml in range(2, 0, -1):
            if not _digits(v, n, q1, ml):
                continue
            q2 = q1 + ml
            for s2 in range(1, -1, -1):
                take2 = q2 < n and (v[q2] == 0x2d or v[q2] == 0x2f or v[q2] == 0x2e
                                    or v[q2] == C_YUE)
                if s2 and not take2:
                    continue
                q3 = q2 + s2
                for dl in range(2, 0, -1):
                    if not _digits(v, n, q3, dl):
                        continue
                    q4 = q3 + dl
                    for r in range(1, -1, -1):
                        if r and not (q4 < n and v[q4] == C_RI):
                            continue
                        q5 = q4 + r
                        if not (q5 == n or v[q5] == 0x54 or v[q5] == 0x20):
                            continue
                        month = <int>(v[q1] - 0x30) if ml == 1 else \
                            <int>(v[q1] - 0x30) * 10 + <int>(v[q1 + 1] - 0x30)
                        day = <int>(v[q3] - 0x30) if dl == 1 else \
                            <int>(v[q3] - 0x30) * 10 + <int>(v[q3 + 1] - 0x30)
                        if not (1 <= month <= 12 and 1 <= day <= 31):
                            return 0
                        out_chars(o, v, 4)
                        if s1:
                            out_put(o, v[p])
                        for i in range(ml):
                            out_put(o, 0x2a)
                        if s2:
                            out_put(o, v[q2])
                        for i in range(dl):
                            out_put(o, 0x2a)
                        if r:
                            out_put(o, C_RI)
                        return 1
    return 0


cdef Py_ssize_t _suffix_at(const uchar* v, Py_ssize_t n, Py_ssize_t k, bint province) noexcept nogil:
    """The length of a province (省|自治区|特别行政区) or city (市|自治州|地区|盟)
    suffix at k, or 0."""
    if k >= n:
        return 0
    if province:
        if v[k] == C_SHENG:
            return 1
        if k + 2 < n and v[k] == C_ZI and v[k + 1] == C_ZHI and v[k + 2] == C_QU:
            return 3
        if k + 4 < n and v[k] == C_TE and v[k + 1] == C_BIE and v[k + 2] == C_XING \
                and v[k + 3] == C_ZHENG and v[k + 4] == C_QU:
            return 5
        return 0
    if v[k] == C_SHI or v[k] == C_MENG:
        return 1
    if k + 2 < n and v[k] == C_ZI and v[k + 1] == C_ZHI and v[k + 2] == C_ZHOU:
        return 3
    if k + 1 < n and v[k] == C_DI and v[k + 1] == C_QU:
        return 2
    return 0


cdef Py_ssize_t _lazy(const uchar* v, Py_ssize_t n, Py_ssize_t start, int least, int most,
                      bint province) noexcept nogil:
    """`.{least,most}?SUFFIX` at start: the end of the match, or -1."""
    cdef Py_ssize_t k, m
    for k in range(start + least, start + most + 1):
        m = _suffix_at(v, n, k, province)
        if m:
            return k + m
    return -1


cdef int gen_region(Out* o, const uchar* v, Py_ssize_t n, bint province_only) except -1:
    """湖北省武汉市武昌区公安局 -> 湖北省武汉市*** (generalizers.region)."""
    cdef Py_ssize_t kept, pend, cend
    if not _ends_clean(v, n):
        return 0
    if n >= 2 and ((v[0] == 0x5317 and v[1] == 0x4eac) or (v[0] == 0x4e0a and v[1] == 0x6d77)
                   or (v[0] == 0x5929 and v[1] == 0x6d25)
                   or (v[0] == 0x91cd and v[1] == 0x5e86)):  # 北京 上海 天津 重庆
        kept = 3 if n > 2 and v[2] == C_SHI else 2
    else:
        pend = _lazy(v, n, 0, 2, 8, True)
        cend = _lazy(v, n, pend if pend >= 0 else 0, 1, 10, False)
        if pend < 0 and cend < 0:
            return 0
        kept = pend if pend >= 0 else 0
        if cend >= 0 and (not province_only or pend < 0):
            kept = cend
    out_chars(o, v, kept)
    if kept < n:
        out_put(o, 0x2a)
        out_put(o, 0x2a)
        out_put(o, 0x2a)
    return 1


cdef int _put_int(Out* o, long long x) except -1:
    cdef char buf[32]
    cdef int k = 0, i
    if x == 0:
        return out_put(o, 0x30)
    while x > 0:
        buf[k] = <char>(0x30 + x % 10)
        x //= 10
        k += 1
    for i in range(k - 1, -1, -1):
        out_put(o, <uchar>buf[i])
    return 0


cdef int gen_band(Out* o, const uchar* v, Py_ssize_t n) except -1:
    """28000 -> 20000-30000 (generalizers.band without explicit bands)."""
    cdef char num[64]
    cdef Py_ssize_t p = 0, k = 0, digits = 0
    cdef double number, width
    cdef long long low, w
    cdef bint wan = False
    if not _ends_clean(v, n):
        return 0
    if v[p] == 0xa5 or v[p] == 0xffe5 or v[p] == 0x24:
        p += 1
    while p < n and v[p] == 0x20:
        p += 1
    if p < n and v[p] == 0x2d:
        num[k] = b'-'
        k += 1
        p += 1
    if not (p < n and 0x30 <= v[p] <= 0x39):
        return 0
    while p < n and (0x30 <= v[p] <= 0x39 or v[p] == 0x2c):
        if v[p] != 0x2c:
            if k >= 40:
                return 0
            num[k] = <char>v[p]
            k += 1
            digits += 1
        p += 1
    if p + 1 < n and v[p] == 0x2e and 0x30 <= v[p + 1] <= 0x39:
        num[k] = b'.'
        k += 1
        p += 1
        while p < n and 0x30 <= v[p] <= 0x39:
            if k >= 60:
                return 0
            num[k] = <char>v[p]
            k += 1
            p += 1
    num[k] = 0
    while p < n and v[p] == 0x20:
        p += 1
    if p + 1 == n and v[p] == C_YUAN:
        p += 1
    elif p + 2 == n and v[p] == C_WAN and v[p + 1] == C_YUAN:
        wan = True
        p += 2
    elif p + 3 == n and ((v[p] == 0x43 and v[p + 1] == 0x4e and v[p + 2] == 0x59)
                         or (v[p] == 0x52 and v[p + 1] == 0x4d and v[p + 2] == 0x42)):
        p += 3
    if p != n or digits > 15:
        return 0
    number = strtod(num, NULL)
    if wan:
        number = number * 10000
    if number < 0:
        out_put(o, 0x3c)
        out_put(o, 0x30)
        return 1
    if number < 10:
        out_put(o, 0x30)
        out_put(o, 0x2d)
        out_put(o, 0x31)
        out_put(o, 0x30)
        return 1
    if number >= 1e15:
        return 0
    width = 1
    for k in range(<Py_ssize_t>floor(log10(number))):
        width *= 10
    w = <long long>width
    low = (<long long>floor(number / width)) * w
    _put_int(o, low)
    out_put(o, 0x2d)
    _put_int(o, low + w)
    return 1


cdef int gen_apply(Out* o, int method, bint province_only, const uchar* v,
                   Py_ssize_t n) except -1:
    """The generalized value into `o`: 1, or 0 (nothing written) when declined."""
    if method == G_YEAR:
        return gen_year(o, v, n)
    if method == G_REGION:
        return gen_region(o, v, n, province_only)
    if method == G_BAND:
        return gen_band(o, v, n)
    return 0
