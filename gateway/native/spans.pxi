# Scored spans and presidio's rules over them: duplicates, overlaps, order.

from libc.stdlib cimport malloc, calloc, realloc, free, qsort
from libc.string cimport memcpy, memmove

ctypedef struct Span:
    int entity        # index into the engine's entity table, sorted by name
    int rec           # recognizer index (engine order)
    Py_ssize_t start
    Py_ssize_t end
    double score

ctypedef struct Spans:
    Span* v
    Py_ssize_t n
    Py_ssize_t cap


cdef int spans_push(Spans* s, int entity, int rec, Py_ssize_t start, Py_ssize_t end,
                    double score) except -1:
    cdef Span* grown
    cdef Py_ssize_t cap
    if s.n == s.cap:
        cap = 16 if s.cap == 0 else s.cap * 2
        grown = <Span*>realloc(s.v, cap * sizeof(Span))
        if grown == NULL:
            raise MemoryError()
        s.v = grown
        s.cap = cap
    s.v[s.n].entity = entity
    s.v[s.n].rec = rec
    s.v[s.n].start = start
    s.v[s.n].end = end
    s.v[s.n].score = score
    s.n += 1
    return 0


cdef inline void spans_free(Spans* s) noexcept nogil:
    free(s.v)
    s.v = NULL
    s.n = 0
    s.cap = 0


cdef int _dup_order(const void* a, const void* b) noexcept nogil:
    """(entity, start, -length, -score), as remove_duplicates sorts."""
    cdef const Span* x = <const Span*>a
    cdef const Span* y = <const Span*>b
    if x.entity != y.entity:
        return -1 if x.entity < y.entity else 1
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if (x.end - x.start) != (y.end - y.start):
        return -1 if (x.end - x.start) > (y.end - y.start) else 1
    if x.score != y.score:
        return -1 if x.score > y.score else 1
    return 0


cdef int _final_order(const void* a, const void* b) noexcept nogil:
    """(start, -end, entity name): the order findings are reported in."""
    cdef const Span* x = <const Span*>a
    cdef const Span* y = <const Span*>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end > y.end else 1
    if x.entity != y.entity:
        return -1 if x.entity < y.entity else 1
    return 0


ctypedef int (*Order)(const void* a, const void* b) noexcept nogil


cdef void sort_spans(Span* v, Py_ssize_t n, Order order) noexcept nogil:
    """Insertion sort for the few spans of one text, qsort beyond."""
    cdef Py_ssize_t i, j
    cdef Span x
    if n > 24:
        qsort(v, n, sizeof(Span), order)
        return
    for i in range(1, n):
        x = v[i]
        j = i
        while j > 0 and order(&v[j - 1], &x) > 0:
            v[j] = v[j - 1]
            j -= 1
        v[j] = x


cdef int remove_duplicates(Spans* s) except -1:
    """presidio's EntityRecognizer.remove_duplicates, in place: exact repeats
    and spans inside another of the same entity with an equal or higher score
    go. The survivors keep the sorted order."""
    cdef Py_ssize_t i, j, kept = 0, nact = 0, keep_act
    cdef Span* v = s.v
    cdef Span x
    cdef Py_ssize_t small[32]
    cdef Py_ssize_t* act = small
    cdef bint drop
    if s.n < 2:
        return 0
    if s.n > 32:
        act = <Py_ssize_t*>malloc(s.n * sizeof(Py_ssize_t))
        if act == NULL:
            raise MemoryError()
    sort_spans(v, s.n, _dup_order)
    # v[0:kept] are the survivors; act[0:nact] index those of the current
    # entity whose end still reaches the current start (starts only grow).
    for i in range(s.n):
        x = v[i]
        if x.score == 0:
            continue
        if kept and v[kept - 1].entity != x.entity:
            nact = 0
        keep_act = 0
        drop = False
        for j in range(nact):
            if v[act[j]].end >= x.start:
                act[keep_act] = act[j]
                keep_act += 1
                if x.start >= v[act[j]].start and x.end <= v[act[j]].end \
                        and x.score <= v[act[j]].score:
                    drop = True
        nact = keep_act
        if not drop:
            v[kept] = x
            act[nact] = kept
            nact += 1
            kept += 1
    s.n = kept
    if act != small:
        free(act)
    return 0


cdef void sort_final(Spans* s) noexcept nogil:
    if s.n > 1:
        sort_spans(s.v, s.n, _final_order)


cdef int _overlap_order(const void* a, const void* b) noexcept nogil:
    """(-length, -score, start), stable on the final order (kept in `rec`)."""
    cdef const Span* x = <const Span*>a
    cdef const Span* y = <const Span*>b
    if (x.end - x.start) != (y.end - y.start):
        return -1 if (x.end - x.start) > (y.end - y.start) else 1
    if x.score != y.score:
        return -1 if x.score > y.score else 1
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    return -1 if x.rec < y.rec else (1 if x.rec > y.rec else 0)


cdef int resolve_overlaps(const Spans* found, Spans* chosen, Spans* order) except -1:
    """The engine's resolve_overlaps: widest first, then highest score, then
    leftmost; `chosen` ends sorted by start. `found` is in the final order;
    `order` is scratch space."""
    cdef Py_ssize_t i, lo, hi, mid
    cdef Span f
    order.n = 0
    for i in range(found.n):
        # `rec` carries the position in the final order: Python's sort is stable
        spans_push(order, found.v[i].entity, <int>i, found.v[i].start, found.v[i].end,
                   found.v[i].score)
    if order.n > 1:
        sort_spans(order.v, order.n, _overlap_order)
    chosen.n = 0
    for i in range(order.n):
        f = order.v[i]
        lo = 0
        hi = chosen.n
        while lo < hi:  # bisect_left on starts
            mid = (lo + hi) // 2
            if chosen.v[mid].start < f.start:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0 and chosen.v[lo - 1].end > f.start:
            continue
        if lo < chosen.n and chosen.v[lo].start < f.end:
            continue
        spans_push(chosen, f.entity, f.rec, f.start, f.end, f.score)
        if lo < chosen.n - 1:
            memmove(&chosen.v[lo + 1], &chosen.v[lo], (chosen.n - 1 - lo) * sizeof(Span))
            chosen.v[lo] = f
    return 0
