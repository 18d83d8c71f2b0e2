# Context words around a match, as presidio's LemmaContextAwareEnhancer
# collects them (gateway/detect/context.py): the tokens of the text, the
# keywords among the five before a match and the one it starts in.

ctypedef struct Tokens:
    Py_ssize_t* start
    Py_ssize_t* end
    Py_ssize_t n
    bint made

cdef enum:
    PREFIX_COUNT = 5
    SUFFIX_COUNT = 0

cdef int make_tokens(const Text* x, Tokens* tk) except -1:
    """[^\\W\\d_]+ | \\d+ | \\S over the folded text."""
    cdef Py_ssize_t i = 0, j, n = x.n
    cdef uchar c
    tk.start = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    tk.end = <Py_ssize_t*>malloc((n + 1) * sizeof(Py_ssize_t))
    if tk.start == NULL or tk.end == NULL:
        free(tk.start)
        free(tk.end)
        tk.start = tk.end = NULL
        raise MemoryError()
    tk.n = 0
    tk.made = True
    while i < n:
        c = x.t[i]
        j = i + 1
        if is_letter(c):
            while j < n and is_letter(x.t[j]):
                j += 1
        elif is_digit(c):
            while j < n and is_digit(x.t[j]):
                j += 1
        elif is_space(c):
            i += 1
            continue
        tk.start[tk.n] = i
        tk.end[tk.n] = j
        tk.n += 1
        i = j
    return 0


cdef inline void tokens_free(Tokens* tk) noexcept nogil:
    free(tk.start)
    free(tk.end)
    tk.start = tk.end = NULL
    tk.n = 0
    tk.made = False


cdef bint _token_is(const Text* x, Py_ssize_t a, Py_ssize_t b, const Word* w) noexcept nogil:
    cdef Py_ssize_t i
    if b - a != w.n:
        return False
    for i in range(w.n):
        if lower(x.t[a + i]) != w.c[i]:
            return False
    return True


cdef bint is_keyword(const Text* x, Py_ssize_t a, Py_ssize_t b, const WordSet* stop) noexcept nogil:
    cdef Py_ssize_t k
    cdef uchar c
    if b - a == 1:
        c = x.t[a]
        if not (is_alnum(c) or is_han(c)):
            return False  # punctuation (":" included)
    for k in range(stop.n):
        if _token_is(x, a, b, &stop.w[k]):
            return False
    return True


cdef bint _contains(const Text* x, Py_ssize_t a, Py_ssize_t b, const Word* w) noexcept nogil:
    """The lower-cased token x[a:b] contains the word w."""
    cdef Py_ssize_t i, k
    if w.n == 0:
        return True
    for i in range(a, b - w.n + 1):
        k = 0
        while k < w.n and lower(x.t[i + k]) == w.c[k]:
            k += 1
        if k == w.n:
            return True
    return False


cdef bint _any_word_in(const Text* x, Py_ssize_t a, Py_ssize_t b, const Word* words,
                       Py_ssize_t nwords) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(nwords):
        if _contains(x, a, b, &words[k]):
            return True
    return False


cdef bint context_before(const Text* x, const Tokens* tk, Py_ssize_t start, const Word* words,
                         Py_ssize_t nwords, const WordSet* stop) noexcept nogil:
    """Whether one of `words` is inside a keyword among the five before
    `start` or the one at it (presidio's rule)."""
    cdef Py_ssize_t lo = 0, hi = tk.n, mid, index, i
    cdef int remaining
    if tk.n == 0:
        # presidio's words are {""}: only an empty context word would count
        for i in range(nwords):
            if words[i].n == 0:
                return True
        return False
    while lo < hi:  # bisect_right(ends, start)
        mid = (lo + hi) // 2
        if tk.end[mid] <= start:
            lo = mid + 1
        else:
            hi = mid
    index = lo
    if index >= tk.n:
        return False  # cannot happen for a match: it starts inside a token
    remaining = PREFIX_COUNT + 1
    i = index
    while i >= 0 and remaining > 0:
        if is_keyword(x, tk.start[i], tk.end[i], stop):
            if _any_word_in(x, tk.start[i], tk.end[i], words, nwords):
                return True
            remaining -= 1
        i -= 1
    remaining = SUFFIX_COUNT + 1
    i = index
    while i < tk.n and remaining > 0:
        if is_keyword(x, tk.start[i], tk.end[i], stop):
            if _any_word_in(x, tk.start[i], tk.end[i], words, nwords):
                return True
            remaining -= 1
        i += 1
    return False


cdef inline double boost(double score) noexcept nogil:
    cdef double s = score + 0.35
    if s < 0.4:
        s = 0.4
    if s > 1.0:
        s = 1.0
    return s
