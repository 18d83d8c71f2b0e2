# The free-text patterns that start after a cue word (借款人张三, 住址：北京市...)
# or end before an honorific (王先生): lookbehinds of variable length,
# emulated by walking back from the match start.

cdef inline bint _blank(uchar c) noexcept nogil:
    return c == 0x20 or c == 9


cdef bint _cue_ends_at(const WordSet* cues, const Text* x, Py_ssize_t q) noexcept nogil:
    cdef Py_ssize_t k
    if q <= 0 or not bit(cues.last, x.t[q - 1]):
        return False
    for k in range(cues.n):
        if q - cues.w[k].n >= 0 and word_at(x, q - cues.w[k].n, &cues.w[k], cues.ci):
            return True
    return False


cdef bint cue_before(const Text* x, Py_ssize_t p, const WordSet* cues,
                     const WordSet* links) noexcept nogil:
    """(?<=CUE[:：]?[ \\t]*(?:LINK)?[ \\t]*) at p: some way to read the text
    before p backwards as blanks, an optional link word, blanks, an optional
    colon (the full-width one is folded) and a cue."""
    cdef Py_ssize_t i2 = p, i1, j, q, k
    cdef int take_link, take_colon
    while True:
        for take_link in range(2):
            i1 = i2
            if take_link:
                if i2 == 0 or not bit(links.last, x.t[i2 - 1]):
                    continue
                k = 0
                while k < links.n:
                    if i2 - links.w[k].n >= 0 and word_at(x, i2 - links.w[k].n, &links.w[k], False):
                        break
                    k += 1
                if k == links.n:
                    continue
                i1 = i2 - links.w[k].n
            j = i1
            while True:
                for take_colon in range(2):
                    q = j
                    if take_colon:
                        if j == 0 or x.t[j - 1] != 0x3a:
                            continue
                        q = j - 1
                    if _cue_ends_at(cues, x, q):
                        return True
                if j > 0 and _blank(x.t[j - 1]):
                    j -= 1
                else:
                    break
        if i2 > 0 and _blank(x.t[i2 - 1]):
            i2 -= 1
        else:
            return False


cdef void _mark_run(const Text* x, Py_ssize_t q, unsigned char* marks) noexcept nogil:
    """Mark q and every position after the [ \t]* run that starts at q."""
    marks[q] = 1
    while q < x.n and _blank(x.t[q]):
        q += 1
        marks[q] = 1


cdef void mark_cue_starts(const Text* x, const WordSet* cues, const WordSet* links,
                          unsigned char* marks) noexcept nogil:
    """marks[s] = 1 exactly where `cue_before(x, s, cues, links)` holds: after
    each cue, an optional colon, blanks, an optional link word, blanks."""
    cdef Py_ssize_t p, h, i, k, b, q, r, j
    cdef int colon
    memset(marks, 0, x.n + 1)
    for p in range(x.n):
        if not may_start(cues, x, p):
            continue
        h = head_of(cues, x.t[p])
        if h < 0:
            continue
        for i in range(cues.start[h], cues.start[h + 1]):  # every cue that starts here
            k = cues.order[i]
            if not word_at(x, p, &cues.w[k], cues.ci):
                continue
            b = p + cues.w[k].n
            for colon in range(2):
                q = b
                if colon:
                    if b >= x.n or x.t[b] != 0x3a:
                        continue
                    q = b + 1
                _mark_run(x, q, marks)
                r = q
                while True:  # a link word after any number of the blanks
                    for j in range(links.n):
                        if word_at(x, r, &links.w[j], False):
                            _mark_run(x, r + links.w[j].n, marks)
                    if r < x.n and _blank(x.t[r]):
                        r += 1
                    else:
                        break


cdef int _text_surnames(const NameTables* tb, const Text* x, Py_ssize_t s,
                        Py_ssize_t* lengths) noexcept nogil:
    """Lengths the free-text surname alternation takes at s, in its order
    (compound surnames first, then one character that is no function word)."""
    cdef int n = 0
    if wordset_at(&tb.compound, x, s) >= 0:
        lengths[n] = 2
        n += 1
    if s < x.n and bit(tb.text_single, x.t[s]):
        lengths[n] = 1
        n += 1
    return n


cdef inline bint _follows(const NameTables* tb, const Text* x, Py_ssize_t e) noexcept nogil:
    """(?=$|[^\\u4e00-\\u9fff]|FOLLOWERS)"""
    return e >= x.n or not is_han(x.t[e]) or wordset_at(&tb.followers, x, e) >= 0


cdef Py_ssize_t m_name_cue(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<=CUE)TEXT_SURNAME HAN{1,2}? FOLLOW (the repetition is lazy)"""
    cdef Py_ssize_t e
    cdef Py_ssize_t lengths[2]
    cdef int n = _text_surnames(tb, x, s, lengths), i, k
    if n == 0 or not cue_before(x, s, &tb.name_cues, &tb.name_links):
        return -1
    for i in range(n):
        for k in range(1, 3):
            if han_run(x, s + lengths[i], k) < k:
                break
            e = s + lengths[i] + k
            if _follows(tb, x, e):
                return e
    return -1


cdef Py_ssize_t m_name_honorific(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """TEXT_SURNAME HAN{1,2}?(?=先生|女士|小姐)"""
    cdef Py_ssize_t e
    cdef Py_ssize_t lengths[2]
    cdef int n = _text_surnames(tb, x, s, lengths), i, k
    for i in range(n):
        for k in range(1, 3):
            if han_run(x, s + lengths[i], k) < k:
                break
            e = s + lengths[i] + k
            if wordset_at(&tb.honorifics, x, e) >= 0:
                return e
    return -1


cdef inline bint _blocked_after(const NameTables* tb, const Text* x, Py_ssize_t p) noexcept nogil:
    """A blocked two-character word (总额, 姐妹) starts at p, a title's last character."""
    return wordset_at(&tb.display_blocked, x, p) >= 0


cdef Py_ssize_t m_name_display(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<=^|[^\\u4e00-\\u9fff]|LEFT)TEXT_SURNAME(?:TITLE(?!BLOCKED)|...): the
    surname alternation, then the titles in their order (longest first), the
    first whose last character does not go on as a blocked word."""
    cdef Py_ssize_t lengths[2]
    cdef Py_ssize_t k, e
    cdef int n = _text_surnames(tb, x, s, lengths), i
    if n == 0 or (s > 0 and is_han(x.t[s - 1]) and not _cue_ends_at(&tb.display_left, x, s)):
        return -1
    for i in range(n):
        k = wordset_next(&tb.display_titles, x, s + lengths[i], -1)
        while k >= 0:
            e = s + lengths[i] + tb.display_titles.w[k].n
            if not _blocked_after(tb, x, e - 1):
                return e
            k = wordset_next(&tb.display_titles, x, s + lengths[i], k)
    return -1


cdef Py_ssize_t m_name_verb(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<=^|[^\\u4e00-\\u9fff]|VERB_LEFT)TEXT_SURNAME HAN{1,2}?(?=VERBS)"""
    cdef Py_ssize_t e
    cdef Py_ssize_t lengths[2]
    cdef int n = _text_surnames(tb, x, s, lengths), i, k
    if n == 0 or (s > 0 and is_han(x.t[s - 1]) and not _cue_ends_at(&tb.verb_left, x, s)):
        return -1
    for i in range(n):
        for k in range(1, 3):
            if han_run(x, s + lengths[i], k) < k:
                break
            e = s + lengths[i] + k
            if wordset_at(&tb.verbs, x, e) >= 0:
                return e
    return -1


cdef bint _mobile_follows(const Text* x, Py_ssize_t p) noexcept nogil:
    """(?=[ \\t:(]{0,2}1[3-9][0-9]{9}(?![0-9])) at p."""
    cdef Py_ssize_t q = 0, i
    cdef uchar c
    while q < 2 and p + q < x.n:
        c = x.t[p + q]
        if c != 0x20 and c != 9 and c != 0x3a and c != 0x28:
            break
        q += 1
    p += q
    if p + 11 > x.n or x.t[p] != 0x31 or not (0x33 <= x.t[p + 1] <= 0x39):
        return False
    for i in range(2, 11):
        if not is_digit(x.t[p + i]):
            return False
    return p + 11 >= x.n or not is_digit(x.t[p + 11])


cdef Py_ssize_t m_name_phone(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<=^|[^\\u4e00-\\u9fff])TEXT_SURNAME HAN{1,2}?(?=MOBILE)"""
    cdef Py_ssize_t e
    cdef Py_ssize_t lengths[2]
    cdef int n = _text_surnames(tb, x, s, lengths), i, k
    if n == 0 or (s > 0 and is_han(x.t[s - 1])):
        return -1
    for i in range(n):
        for k in range(1, 3):
            if han_run(x, s + lengths[i], k) < k:
                break
            e = s + lengths[i] + k
            if _mobile_follows(x, e):
                return e
    return -1


cdef Py_ssize_t m_address_cue(const NameTables* tb, const Text* x, Py_ssize_t s) noexcept nogil:
    """(?<=CUE)BODY{1,40}CUE_END"""
    cdef Py_ssize_t b = 0, q, j
    if not _body(at(x, s)) or not cue_before(x, s, &tb.address_cues, &tb.address_links):
        return -1
    while b < 40 and _body(at(x, s + b)):
        b += 1
    while b >= 1:
        q = s + b
        j = wordset_at(&tb.cue_ends, x, q)
        if j >= 0:
            return q + tb.cue_ends.w[j].n
        b -= 1
    return -1
