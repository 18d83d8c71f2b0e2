# Words and sets of words: context words, stopwords, cues, places, markers.

ctypedef struct Word:
    uchar* c
    Py_ssize_t n

cdef enum:
    BITMAP_BYTES = 0xa000 // 8   # folded known characters are all below U+A000
    PAIR_BYTES = 1 << 13         # a 16-bit hash of the words' first two characters

ctypedef struct WordSet:
    Word* w
    Py_ssize_t n
    bint ci                             # ASCII letters match either case (words are lower case)
    unsigned char first[BITMAP_BYTES]   # the words' first characters (both cases when `ci`)
    unsigned char last[BITMAP_BYTES]    # ... and their last characters
    unsigned char single[BITMAP_BYTES]  # the one-character words (folded)
    unsigned char pairs[PAIR_BYTES]     # the longer words' first two characters (folded, hashed)
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


cdef inline unsigned int pair_hash(uchar a, uchar b) noexcept nogil:
    return (((<unsigned int>a * 0x01000193u) ^ <unsigned int>b) * 0x9E3779B1u) >> 16


cdef inline bint may_start(const WordSet* ws, const Text* x, Py_ssize_t p) noexcept nogil:
    """False when no word of the set can start at p: its first character
    starts none, or it is not a one-character word and no word begins with
    the two characters at p (a hash: may say True wrongly, never False)."""
    cdef uchar a, b
    cdef unsigned int h
    if p < 0 or p >= x.n or not bit(ws.first, x.t[p]):
        return False
    a = lower(x.t[p]) if ws.ci else x.t[p]
    if bit(ws.single, a):
        return True
    if p + 1 >= x.n:
        return False
    b = lower(x.t[p + 1]) if ws.ci else x.t[p + 1]
    h = pair_hash(a, b)
    return (ws.pairs[h >> 3] >> (h & 7)) & 1


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
    if not may_start(ws, x, p):
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
