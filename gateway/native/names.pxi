# People's names and postal addresses: whole values under hinted fields, and
# addresses that start at a province or major city. The cue-based free-text
# patterns are not here: a text holding a cue goes to the reference scanner.

ctypedef struct NameTables:
    unsigned char single[BITMAP_BYTES]   # single-character surnames
    unsigned char text_single[BITMAP_BYTES]  # ... that are no function words (free text)
    WordSet compound                     # compound surnames, in the pattern's order
    WordSet name_cues                    # 借款人, 联系人, name, ...
    WordSet name_links                   # 是 为 叫
    WordSet followers                    # what may follow a name after a cue
    WordSet honorifics                   # 先生 女士 小姐
    WordSet display_titles               # 姐 总 老师 ... (contact display names), longest first
    WordSet display_left                 # 联系 给 的 同事 ... (words before a display name)
    WordSet display_blocked              # 总额 姐妹 ... (a title's last character going on)
    WordSet verb_left                    # 今天 下午 ... (where a clause may start)
    WordSet verbs                        # 来电 表示 说 ... (what a name before them does)
    WordSet address_cues                 # 住址, 家住, address, ...
    WordSet address_links                # 是 为 在
    WordSet cue_ends                     # where an address after a cue may end
    WordSet not_names                    # placeholder words that are no name
    WordSet common_starts                # 明天 马上 ... (a name starting so is a sentence)
    WordSet places                       # provinces, cities, counties, districts (longest first)
    WordSet place_blocked                # 市场 县城 区域 ... (a place's last character going on)
    WordSet street_ends                  # where an address from a place may end
    WordSet markers                      # 省 市 区 ... (the validator's Chinese markers)
    WordSet english                      # road, street, ... (between \b)
    WordSet pinyin_surnames              # zhang, wang, ouyang, ... (gateway/detect/pinyin_names.py)
    WordSet organisation_ends            # 公司 银行 局 ... (prose_names.ORGANISATION_ENDS)
    WordSet clause_breaks                # ， 。 ; ... (one character each)


cdef inline Py_ssize_t line_end(const Text* x, Py_ssize_t p) noexcept nogil:
    while p < x.n and x.t[p] != 10:
        p += 1
    return p


cdef inline Py_ssize_t skip_blanks(const Text* x, Py_ssize_t p, Py_ssize_t end) noexcept nogil:
    """[ \\t]*"""
    while p < end and (x.t[p] == 0x20 or x.t[p] == 9):
        p += 1
    return p


cdef inline Py_ssize_t han_run(const Text* x, Py_ssize_t p, Py_ssize_t most) noexcept nogil:
    cdef Py_ssize_t h = 0
    while h < most and is_han(at(x, p + h)):
        h += 1
    return h


cdef bint _whole(const NameTables* tb, const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """The value is one of the placeholder words."""
    cdef Py_ssize_t k
    for k in range(tb.not_names.n):
        if tb.not_names.w[k].n == e - s and word_at(x, s, &tb.not_names.w[k], False):
            return True
    return False


cdef Py_ssize_t m_name_han(const NameTables* tb, const Text* x, Py_ssize_t ls,
                           Py_ssize_t le) noexcept nogil:
    """(?<=^[ \\t]*)SURNAME HAN{1,3}(?=[ \\t]*$) on the line [ls, le)."""
    cdef Py_ssize_t s = skip_blanks(x, ls, le), h, k
    cdef Py_ssize_t lengths[2]
    cdef int nlen = 0, i
    k = wordset_at(&tb.compound, x, s)
    if k >= 0:
        lengths[nlen] = tb.compound.w[k].n
        nlen += 1
    if s < le and bit(tb.single, x.t[s]):
        lengths[nlen] = 1
        nlen += 1
    for i in range(nlen):
        h = han_run(x, s + lengths[i], 4)
        if 1 <= h <= 3 and skip_blanks(x, s + lengths[i] + h, le) == le \
                and s + lengths[i] + h <= le:
            return s + lengths[i] + h
    return -1


cdef bint v_name_han(const NameTables* tb, const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """plausible_name for a value of Chinese characters."""
    if _whole(tb, x, s, e) or not (2 <= e - s <= 4):
        return False
    if wordset_at(&tb.common_starts, x, s) >= 0:
        return False
    return wordset_at(&tb.compound, x, s) >= 0 or bit(tb.single, x.t[s])


cdef inline bint _dot(uchar c) noexcept nogil:
    return c == 0xb7 or c == 0x2022


cdef Py_ssize_t m_name_dot(const Text* x, Py_ssize_t ls, Py_ssize_t le) noexcept nogil:
    """(?<=^[ \\t]*)HAN{1,8}[·•]HAN{1,10}(?:[·•]HAN{1,10})?(?=[ \\t]*$)"""
    cdef Py_ssize_t s = skip_blanks(x, ls, le), a, b, c, p, q
    a = han_run(x, s, 9)
    if not 1 <= a <= 8 or not _dot(at(x, s + a)):
        return -1
    p = s + a + 1
    b = han_run(x, p, 11)
    if not 1 <= b <= 10:
        return -1
    q = p + b
    if _dot(at(x, q)):
        c = han_run(x, q + 1, 11)
        if 1 <= c <= 10 and q + 1 + c <= le and skip_blanks(x, q + 1 + c, le) == le:
            return q + 1 + c
    if q <= le and skip_blanks(x, q, le) == le:
        return q
    return -1


cdef inline bint _latin_char(uchar c) noexcept nogil:
    """[A-Z'\\-] under IGNORECASE."""
    return is_alpha(c) or c == 0x27 or c == 0x2d


cdef Py_ssize_t m_name_latin(const Text* x, Py_ssize_t ls, Py_ssize_t le) noexcept nogil:
    """(?<=^[ \\t]*)W(?:[ .]{1,2}W){1,3}(?=[ \\t]*$), W = [A-Z][A-Z'\\-]{0,30}"""
    cdef Py_ssize_t s = skip_blanks(x, ls, le), p, r, m
    cdef Py_ssize_t ends[4]
    cdef int words = 0, j
    p = s
    while words < 4:
        if words > 0:
            m = 0
            while m < 3 and (at(x, p + m) == 0x20 or at(x, p + m) == 0x2e):
                m += 1
            if m == 0 or m == 3:
                break
            p += m
        if not is_alpha(at(x, p)):
            break
        r = 1
        while r <= 31 and _latin_char(at(x, p + r)):
            r += 1
        if r > 31:
            break
        p += r
        ends[words] = p
        words += 1
    j = words - 1
    while j >= 1:
        if ends[j] <= le and skip_blanks(x, ends[j], le) == le:
            return ends[j]
        j -= 1
    return -1


cdef bint v_name_latin(const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """plausible_name for a Latin value: every word is `[A-Z][a-z'\\-]*` or
    `[A-Z'\\-]+` (case-sensitive)."""
    cdef Py_ssize_t p = s, q, i
    cdef bint capital, all_upper
    cdef uchar c
    while p < e:
        if x.t[p] == 0x20 or x.t[p] == 0x2e:
            p += 1
            continue
        q = p
        while q < e and x.t[q] != 0x20 and x.t[q] != 0x2e:
            q += 1
        capital = 0x41 <= x.t[p] <= 0x5a
        all_upper = True
        for i in range(p, q):
            c = x.t[i]
            if not ((0x41 <= c <= 0x5a) or c == 0x27 or c == 0x2d):
                all_upper = False
            if i > p and not ((0x61 <= c <= 0x7a) or c == 0x27 or c == 0x2d):
                capital = False
        if not (capital or all_upper):
            return False
        p = q
    return True


cdef Py_ssize_t count_markers(const NameTables* tb, const Text* v) noexcept nogil:
    """len(_MARKERS.findall(value)): Chinese markers in order, then English
    words between \\b, non-overlapping, left to right."""
    cdef Py_ssize_t i = 0, k, count = 0, n
    cdef const Word* w
    while i < v.n:
        k = wordset_at(&tb.markers, v, i)
        if k >= 0:
            count += 1
            i += tb.markers.w[k].n
            continue
        if is_word(at(v, i - 1)) != is_word(at(v, i)) and bit(tb.english.first, v.t[i]):
            for k in range(tb.english.n):
                w = &tb.english.w[k]
                n = w.n
                if word_at(v, i, w, True) and is_word(at(v, i + n - 1)) != is_word(at(v, i + n)):
                    break
            else:
                k = -1
            if k >= 0:
                count += 1
                i += tb.english.w[k].n
                continue
        i += 1
    return count


cdef bint v_address(const NameTables* tb, const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    """plausible_address on the (already stripped) match."""
    cdef Text v
    cdef Py_ssize_t markers, i
    cdef bint ascii = True
    if not 4 <= e - s <= 200:
        return False
    v.o = x.o + s
    v.t = x.t + s
    v.n = e - s
    markers = count_markers(tb, &v)
    for i in range(s, e):
        if x.t[i] > 0x7f:
            ascii = False
            break
    return markers >= 2 or (markers == 1 and not ascii and e - s >= 6)


cdef Py_ssize_t m_address_value(const Text* x, Py_ssize_t ls, Py_ssize_t le) noexcept nogil:
    """(?<=^[ \\t]*)\\S[^\\n]{2,198}\\S(?=[ \\t]*$): the line without its blanks,
    4 to 200 characters, non-space at both ends."""
    cdef Py_ssize_t s = skip_blanks(x, ls, le), z = le
    if s >= le or is_space(x.t[s]):
        return -1
    while z > s and (x.t[z - 1] == 0x20 or x.t[z - 1] == 9):
        z -= 1
    if is_space(x.t[z - 1]) or not 4 <= z - s <= 200:
        return -1
    return z


cdef inline bint _body(uchar c) noexcept nogil:
    """[\\u4e00-\\u9fff0-9A-Za-z#\\-]"""
    return is_han(c) or is_alnum(c) or c == 0x23 or c == 0x2d


cdef Py_ssize_t m_address_place(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?:PLACES)(?!BLOCKED)BODY{1,40}STREET_END, the places tried in their
    order; a place whose last character goes on as a blocked word is skipped."""
    cdef Py_ssize_t k = -1, p, b, q, j
    while True:
        k = wordset_next(&tb.places, x, s, k)
        if k < 0:
            return -1
        p = s + tb.places.w[k].n
        if wordset_at(&tb.place_blocked, x, p - 1) >= 0:
            continue
        b = 0
        while b < 40 and _body(at(x, p + b)):
            b += 1
        while b >= 1:
            q = p + b
            j = wordset_at(&tb.street_ends, x, q)
            if j >= 0:
                return q + tb.street_ends.w[j].n
            b -= 1


cdef bint pinyin_pair(const NameTables* tb, const Text* x) noexcept nogil:
    """pinyin_names.find_pinyin_names may find something: a capitalised run
    of ASCII letters that is a pinyin surname (either case), one space from
    another run of letters starting with a capital (before it or after it)."""
    cdef Py_ssize_t i = 0, s, k
    cdef const Word* w
    while i < x.n:
        if not is_alpha(x.t[i]):
            i += 1
            continue
        s = i
        while i < x.n and is_alpha(x.t[i]):
            i += 1
        if not (0x41 <= x.t[s] <= 0x5a) or not bit(tb.pinyin_surnames.first, x.t[s]):
            continue
        if not ((i + 1 < x.n and x.t[i] == 0x20 and 0x41 <= x.t[i + 1] <= 0x5a)
                or (s >= 2 and x.t[s - 1] == 0x20 and is_alpha(x.t[s - 2]))):
            continue
        for k in range(tb.pinyin_surnames.n):
            w = &tb.pinyin_surnames.w[k]
            if w.n == i - s and word_at(x, s, w, True):
                return True
    return False


cdef inline bint py_space(uchar c) noexcept nogil:
    """Python's str.isspace for one character."""
    return ((0x09 <= c <= 0x0d) or (0x1c <= c <= 0x20) or c == 0x85 or c == 0xa0
            or c == 0x1680 or (0x2000 <= c <= 0x200a) or c == 0x2028 or c == 0x2029
            or c == 0x202f or c == 0x205f or c == 0x3000)


cdef bint organisation(const NameTables* tb, const Text* x) noexcept nogil:
    """prose_names.qualifies refuses the text as an organisation's name: it
    ends (trailing whitespace aside) with an organisation word (公司, 银行,
    局, ...) and holds no clause break between its first and last characters
    that are no whitespace. Compares the characters as sent."""
    cdef Py_ssize_t a = 0, b = x.n, k, i
    cdef const Word* w
    cdef bint ends = False
    while b > 0 and py_space(x.o[b - 1]):
        b -= 1
    for i in range(tb.organisation_ends.n):
        w = &tb.organisation_ends.w[i]
        if w.n <= b and memcmp(x.o + b - w.n, w.c, w.n * sizeof(uchar)) == 0:
            ends = True
            break
    if not ends:
        return False
    while a < b and py_space(x.o[a]):
        a += 1
    for k in range(a, b):
        for i in range(tb.clause_breaks.n):
            if x.o[k] == tb.clause_breaks.w[i].c[0]:
                return False
    return True
