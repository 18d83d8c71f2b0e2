# Character classes over the folded text, and the fold itself.
#
# The native scanner handles a text only when every character is in a small
# known set whose regex classes, NFKC folding and case are understood here
# (ASCII, CJK ideographs, full-width ASCII, a few CJK punctuation marks).
# Anything else is handed to the reference scanner, which handles all of
# Unicode. Full-width ASCII and the ideographic space fold one to one, so
# offsets in the folded text are offsets in the original.

# A code point. (Cython's own Py_UCS4 converts to str in arithmetic.)
ctypedef unsigned int uchar

cdef extern from "Python.h":
    bint Py_UNICODE_ISDIGIT(unsigned int ch) nogil

cdef enum:
    FOLD_OK = 0
    FOLD_DEFER = 1

# Chinese numerals the reference folds in runs of seven or more (〇 is not in
# the known set, so a text holding it is deferred anyway), the financial forms
# 壹贰貳叁參肆伍陆陸柒捌玖 included.
cdef inline bint is_cn_numeral(uchar c) noexcept nogil:
    return (c == 0x96f6 or c == 0x5e7a or c == 0x4e00 or c == 0x4e8c or c == 0x4e24
            or c == 0x4e09 or c == 0x56db or c == 0x4e94 or c == 0x516d or c == 0x4e03
            or c == 0x516b or c == 0x4e5d
            or c == 0x58f9 or c == 0x8d30 or c == 0x8cb3 or c == 0x53c1 or c == 0x53c3
            or c == 0x8086 or c == 0x4f0d or c == 0x9646 or c == 0x9678 or c == 0x67d2
            or c == 0x634c or c == 0x7396)


cdef inline bint is_stable_punct(uchar c) noexcept nogil:
    """Punctuation outside ASCII that NFKC leaves alone and no regex class
    used by a recognizer contains (tested against `regex` and unicodedata)."""
    return (c == 0xb7 or c == 0xa5 or c == 0x2010 or (0x2012 <= c <= 0x2015)
            or c == 0x2018 or c == 0x2019 or c == 0x201c or c == 0x201d or c == 0x2022
            or c == 0x2212 or c == 0x3001 or c == 0x3002 or (0x300a <= c <= 0x3011))


cdef inline uchar fold_char(uchar c) noexcept nogil:
    """The folded form of a known character, or 0 for an unknown one."""
    if 0x20 <= c <= 0x7e or c == 9 or c == 10 or c == 13:
        return c
    if 0x4e00 <= c <= 0x9fff:
        return c
    if 0xff01 <= c <= 0xff5e:
        return c - 0xfee0
    if c == 0x3000:
        return 0x20
    if is_stable_punct(c):
        return c
    return 0


cdef bint needs_decoding(const uchar* t, Py_ssize_t n) noexcept nogil:
    """normalize.py's escape trigger and dotted digit groups on the folded text:
    `&#`, `&` + 2-8 letters + `;`, `%` + two hex digits, or digits in three to
    six dot-separated groups of three to eight (eleven or more digits, a group
    of four or more)."""
    cdef Py_ssize_t i, j, k
    cdef int groups, digits, longest, shortest, run
    for i in range(n):
        if t[i] == 0x26 and i + 1 < n:
            if t[i + 1] == 0x23:
                return True
            k = i + 1
            while k < n and k - i <= 8 and ((0x41 <= t[k] <= 0x5a) or (0x61 <= t[k] <= 0x7a)):
                k += 1
            if 3 <= k - i <= 9 and k < n and t[k] == 0x3b:
                return True
        elif t[i] == 0x25 and i + 2 < n:
            if ((0x30 <= t[i + 1] <= 0x39) or (0x41 <= t[i + 1] <= 0x46)
                    or (0x61 <= t[i + 1] <= 0x66)) and \
                    ((0x30 <= t[i + 2] <= 0x39) or (0x41 <= t[i + 2] <= 0x46)
                     or (0x61 <= t[i + 2] <= 0x66)):
                return True
        elif 0x30 <= t[i] <= 0x39 and (i == 0 or not (0x30 <= t[i - 1] <= 0x39
                                                        or t[i - 1] == 0x2e)):
            j = i
            groups = digits = longest = 0
            shortest = 1 << 30
            while True:
                run = 0
                while j < n and 0x30 <= t[j] <= 0x39:
                    run += 1
                    j += 1
                groups += 1
                digits += run
                longest = max(longest, run)
                shortest = min(shortest, run)
                if j + 1 < n and t[j] == 0x2e and 0x30 <= t[j + 1] <= 0x39:
                    j += 1
                else:
                    break
            if 3 <= groups <= 6 and digits >= 11 and longest >= 4 and shortest >= 3 \
                    and longest <= 8:
                return True
    return False


cdef inline int b64_digit(uchar c, int alphabet) noexcept nogil:
    """A base64 character's value; alphabet 1: `+/`, 2: `-_`, 0: not known yet."""
    if 0x41 <= c <= 0x5a:
        return c - 0x41
    if 0x61 <= c <= 0x7a:
        return c - 0x61 + 26
    if 0x30 <= c <= 0x39:
        return c - 0x30 + 52
    if alphabet != 2 and (c == 0x2b or c == 0x2f):
        return 62 if c == 0x2b else 63
    if alphabet != 1 and (c == 0x2d or c == 0x5f):
        return 62 if c == 0x2d else 63
    return -1


cdef bint maybe_base64_text(const uchar* t, Py_ssize_t n) noexcept nogil:
    """normalize.base64_text's test, loosened to what C can say cheaply: the
    whole text is base64 of one alphabet, eight characters or more, with a
    letter and correct padding, and decodes to valid UTF-8 without C0 controls
    (other than tab, newline, carriage return) or DEL. The reference then
    decides exactly (it also rejects C1 controls, surrogates, unassigned and
    private-use code points)."""
    cdef Py_ssize_t core = n, i
    cdef int alphabet = 0, v, bits = 0, need = 0, letter = 0
    cdef unsigned int acc = 0, byte, cp = 0, low = 0
    if n < 8:
        return False
    while core > 0 and t[core - 1] == 0x3d:
        core -= 1
    if n - core > 2 or core % 4 == 1 or (core != n and n % 4 != 0):
        return False
    for i in range(core):
        if alphabet == 0:
            if t[i] == 0x2b or t[i] == 0x2f:
                alphabet = 1
            elif t[i] == 0x2d or t[i] == 0x5f:
                alphabet = 2
        v = b64_digit(t[i], alphabet)
        if v < 0:
            return False
        if v < 52:
            letter = 1
        acc = ((acc << 6) | <unsigned int>v) & 0xffffff
        bits += 6
        if bits < 8:
            continue
        bits -= 8
        byte = (acc >> bits) & 0xff
        if need == 0:
            if byte < 0x80:
                if (byte < 0x20 and byte != 9 and byte != 10 and byte != 13) or byte == 0x7f:
                    return False
            elif 0xc2 <= byte <= 0xdf:
                need, cp, low = 1, byte & 0x1f, 0x80
            elif 0xe0 <= byte <= 0xef:
                need, cp, low = 2, byte & 0x0f, 0x800
            elif 0xf0 <= byte <= 0xf4:
                need, cp, low = 3, byte & 0x07, 0x10000
            else:
                return False
        else:
            if byte & 0xc0 != 0x80:
                return False
            cp = (cp << 6) | (byte & 0x3f)
            need -= 1
            if need == 0 and (cp < low or cp > 0x10ffff or 0xd800 <= cp <= 0xdfff):
                return False
    return letter == 1 and need == 0


cdef bint has_base64_token(const uchar* o, Py_ssize_t n) noexcept nogil:
    """normalize._B64_TOKEN's tokens, loosened: a run of twelve base64
    characters or more (either alphabet) with up to two `=` after it and no
    third, that maybe_base64_text accepts. Read on the text as sent, as the reference
    reads it."""
    cdef Py_ssize_t i = 0, s, e
    while i < n:
        if b64_digit(o[i], 0) < 0:
            i += 1
            continue
        s = i
        while i < n and b64_digit(o[i], 0) >= 0:
            i += 1
        e = i
        while e < n and e - i < 2 and o[e] == 0x3d:
            e += 1
        if i - s >= 12 and not (e < n and o[e] == 0x3d) and maybe_base64_text(o + s, e - s):
            return True
    return False


cdef int fold_text(const uchar* o, uchar* t, Py_ssize_t n) noexcept nogil:
    """Fold `o` into `t`; FOLD_DEFER if a character is not known, a run of
    seven Chinese numerals would be folded into digits by the reference, the
    text holds escapes or dotted digit groups the reference decodes, or the
    whole text, or a token inside it, may be base64 of text."""
    cdef Py_ssize_t i, run = 0
    cdef uchar c
    for i in range(n):
        c = fold_char(o[i])
        if c == 0:
            return FOLD_DEFER
        t[i] = c
        if is_cn_numeral(c):
            run += 1
            if run >= 7:
                return FOLD_DEFER
        else:
            run = 0
    if needs_decoding(t, n) or maybe_base64_text(t, n) or has_base64_token(o, n):
        return FOLD_DEFER
    return FOLD_OK


ctypedef struct Text:
    const uchar* o   # the characters as sent
    uchar* t         # folded
    Py_ssize_t n


cdef inline uchar at(const Text* x, Py_ssize_t i) noexcept nogil:
    if i < 0 or i >= x.n:
        return 0
    return x.t[i]


cdef inline bint is_digit(uchar c) noexcept nogil:
    return 0x30 <= c <= 0x39


cdef inline bint is_alpha(uchar c) noexcept nogil:
    return (0x41 <= c <= 0x5a) or (0x61 <= c <= 0x7a)


cdef inline bint is_alnum(uchar c) noexcept nogil:
    """[0-9A-Za-z] under IGNORECASE, for folded known characters."""
    return is_digit(c) or is_alpha(c)


cdef inline uchar upper(uchar c) noexcept nogil:
    if 0x61 <= c <= 0x7a:
        return c - 32
    return c


cdef inline uchar lower(uchar c) noexcept nogil:
    if 0x41 <= c <= 0x5a:
        return c + 32
    return c


cdef inline bint is_han(uchar c) noexcept nogil:
    return 0x4e00 <= c <= 0x9fff


cdef inline bint is_sep(uchar c) noexcept nogil:
    """SEP of the recognizers: space, underscore, hyphen, U+2010-2015, U+2212."""
    return c == 0x20 or c == 0x5f or c == 0x2d or (0x2010 <= c <= 0x2015) or c == 0x2212


cdef inline bint is_space(uchar c) noexcept nogil:
    """\\s for folded known characters (\\v, \\f and the like are not known)."""
    return c == 0x20 or c == 9 or c == 10 or c == 13


cdef inline bint is_word(uchar c) noexcept nogil:
    """\\w for folded known characters."""
    return is_alnum(c) or c == 0x5f or is_han(c)


cdef inline bint is_letter(uchar c) noexcept nogil:
    """[^\\W\\d_]: letters, for folded known characters."""
    return is_alpha(c) or is_han(c)


cdef inline bint is_hex(uchar c) noexcept nogil:
    return is_digit(c) or (0x41 <= c <= 0x46) or (0x61 <= c <= 0x66)


cdef inline bint number_before(const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<![0-9])(?<![0-9A-Za-z]-)(?:(?<![0-9][A-Za-z]*)
    |(?<![0-9A-Za-z]{4})(?<![0-9A-Za-z]-[0-9A-Za-z]*)): no digit touches the
    number, and the letters-and-digits run before it holds no digit unless it
    is shorter than four characters and not a group of a hyphenated token."""
    cdef uchar p = at(x, s - 1)
    cdef Py_ssize_t q = s - 1
    cdef bint digit = False
    if is_digit(p) or (p == 0x2d and is_alnum(at(x, s - 2))):
        return False
    while is_alnum(at(x, q)):
        digit = digit or is_digit(at(x, q))
        q -= 1
    return not digit or (s - 1 - q < 4 and not (at(x, q) == 0x2d and is_alnum(at(x, q - 1))))


cdef inline bint number_after(const Text* x, Py_ssize_t e) noexcept nogil:
    """(?![0-9])(?!-[0-9A-Za-z])(?:(?![A-Za-z]*[0-9])
    |(?![0-9A-Za-z]{4})(?![0-9A-Za-z]*-[0-9A-Za-z]))"""
    cdef uchar c = at(x, e)
    cdef Py_ssize_t q = e
    cdef bint digit = False
    if is_digit(c) or (c == 0x2d and is_alnum(at(x, e + 1))):
        return False
    while is_alnum(at(x, q)):
        digit = digit or is_digit(at(x, q))
        q += 1
    return not digit or (q - e < 4 and not (at(x, q) == 0x2d and is_alnum(at(x, q + 1))))


cdef inline Py_ssize_t digit_step(const Text* x, Py_ssize_t p) noexcept nogil:
    """(?:SEP?[0-9]) at p: the position after it, or -1."""
    cdef uchar c = at(x, p)
    if is_digit(c):
        return p + 1
    if is_sep(c) and is_digit(at(x, p + 1)):
        return p + 2
    return -1


cdef inline Py_ssize_t digit_steps(const Text* x, Py_ssize_t p, int count) noexcept nogil:
    """`count` digit steps from p, or -1."""
    cdef int i
    for i in range(count):
        p = digit_step(x, p)
        if p < 0:
            return -1
    return p


cdef inline int digits_at(const Text* x, Py_ssize_t p, int most) noexcept nogil:
    """How many plain digits start at p (at most `most`)."""
    cdef int k = 0
    while k < most and is_digit(at(x, p + k)):
        k += 1
    return k


cdef inline bint is_in(uchar c, const char* chars) noexcept nogil:
    cdef int i = 0
    while chars[i] != 0:
        if <uchar>chars[i] == c:
            return True
        i += 1
    return False
