# Words and sets of words: context words, stopwords, cues, places, markers.

ctypedef struct Word:
    uchar* c
    Py_ssize_t n

cdef enum:
    BITMAP_BYTES = 0xa000 // 8   # folded known characters are all below U+A000

ctypedef struct WordSet:
    Word* w
    Py_ssize_t n
    bint ci                             # ASCII letters match either case (words are lower case)
    unsigned char first[BITMAP_BYTES]   # the words' first characters (both cases when `ci`)
    unsigned char last[BITMAP_BYTES]    # ... and their last characters
    uchar* heads                        # the distinct first characters, sorted ...
    int* start                          # ... where each one's words begin in `order`
    int* order                          # word indices by first character, in set order within
    Py_ssize_t nheads
    int bucket[257]                     # heads by (first character & 255): a small hash
    int* slots                          # head indices, grouped by bucket


cdef inline bint bit(const unsigned char* bitmap, uchar c) noexcept nogil:
    return c < 0xa000 and (bitmap[c >> 3] >> (c & 7)) & 1


cdef inline void set_bit(unsigned char* bitmap, uchar c) noexcept nogil:
    if c < 0xa000:
        bitmap[c >> 3] |= <unsigned char>(1 << (c & 7))


cdef inline bint word_at(const Text* x, Py_ssize_t p, const Word* w, bint ci) noexcept nogil:
    cdef Py_ssize_t i
    if p < 0 or p + w.n > x.n:
        return False
    for i in range(w.n):
        if (lower(x.t[p + i]) if ci else x.t[p + i]) != w.c[i]:
            return False
    return True


cdef inline Py_ssize_t head_of(const WordSet* ws, uchar c) noexcept nogil:
    """The group of words starting with c (folded as the set compares), or -1."""
    cdef int i, b
    if ws.ci:
        c = lower(c)
    b = c & 255
    for i in range(ws.bucket[b], ws.bucket[b + 1]):
        if ws.heads[ws.slots[i]] == c:
            return ws.slots[i]
    return -1


cdef inline Py_ssize_t wordset_next(const WordSet* ws, const Text* x, Py_ssize_t p,
                                    Py_ssize_t after) noexcept nogil:
    """The first word of the set after the word `after` (in set order; -1 for
    from the start) that starts at p, or -1."""
    cdef Py_ssize_t h, k
    if p < 0 or p >= x.n or not bit(ws.first, x.t[p]):
        return -1
    h = head_of(ws, x.t[p])
    if h < 0:
        return -1
    for k in range(ws.start[h], ws.start[h + 1]):
        if ws.order[k] > after and word_at(x, p, &ws.w[ws.order[k]], ws.ci):
            return ws.order[k]
    return -1


cdef inline Py_ssize_t wordset_at(const WordSet* ws, const Text* x, Py_ssize_t p) noexcept nogil:
    """The first word of the set (in its order) that starts at p, or -1."""
    return wordset_next(ws, x, p, -1)


cdef bint wordset_in(const WordSet* ws, const Text* x) noexcept nogil:
    cdef Py_ssize_t p
    for p in range(x.n):
        if bit(ws.first, x.t[p]) and wordset_at(ws, x, p) >= 0:
            return True
    return False
