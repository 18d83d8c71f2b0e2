# Columns decided by their values (gateway/protect/columns.py): while a body
# is walked, the string values inside lists are counted per path node, with
# those shaped like a Chinese name; a path that may be a column of names is
# shown to the host, which hands the body to the Python path when the path's
# field names say nothing. The test here is looser than columns.py's (it is
# implied by it), so the core never keeps a body the Python path would read
# differently.

cdef int name_shape(const NameTables* tb, Doc* d, Py_ssize_t tok, uchar* scratch) noexcept:
    """columns.name_shaped: two to four CJK ideographs from a surname on
    (0: no; else the number of characters)."""
    cdef Tok* t = &d.toks.v[tok]
    cdef Py_ssize_t raw = t.end - t.start, n, k
    cdef Text x
    if raw < 6 or raw > 24 or (not t.flags & TF_ESCAPED and (raw > 12 or raw % 3)):
        return 0
    n = decode_string(d.s, t.start, t.end, scratch)
    if n < 2 or n > 4:
        return 0
    for k in range(n):
        if not is_han(scratch[k]):
            return 0
    x.o = x.t = scratch
    x.n = n
    if wordset_at(&tb.compound, &x, 0) >= 0 or bit(tb.single, scratch[0]):
        return <int>n
    return 0


cdef int count_columns(Paths* paths, const NameTables* tb, object host, bint index_sensitive,
                       Doc* docs, Py_ssize_t ndocs, bint lines, uchar* scratch) except -1:
    """Count string values inside lists per path node, the name-shaped ones
    and those of three characters; a path with five or more, four in five
    name-shaped and 8 in 25 of three characters (what columns.py's test
    implies), is shown to the host (`names_column`, which raises to hand the
    body to the Python path). Without nodes per path (a plan with rules on
    list positions, or a full table), four name-shaped values anywhere are
    shown as None."""
    cdef Py_ssize_t total = 0, di, i, cap = 16, h, loose = 0
    cdef Doc* d
    cdef Tok* t
    cdef int node, shape
    cdef int* keys = NULL
    cdef int* tot = NULL
    cdef int* nam = NULL
    cdef int* three = NULL
    cdef unsigned char* under = NULL
    for di in range(ndocs):
        total += docs[di].toks.n
    while cap < 2 * total:
        cap <<= 1
    try:
        keys = <int*>malloc(cap * sizeof(int))
        tot = <int*>calloc(cap, sizeof(int))
        nam = <int*>calloc(cap, sizeof(int))
        three = <int*>calloc(cap, sizeof(int))
        if keys == NULL or tot == NULL or nam == NULL or three == NULL:
            raise MemoryError()
        memset(keys, 0xff, cap * sizeof(int))  # -1: empty
        for di in range(ndocs):
            d = &docs[di]
            free(under)
            under = <unsigned char*>malloc(d.toks.n + 1)
            if under == NULL:
                raise MemoryError()
            for i in range(d.toks.n):
                t = &d.toks.v[i]
                under[i] = lines or (t.parent >= 0 and (d.toks.v[t.parent].kind == T_ARR
                                                       or under[t.parent]))
                if t.kind != T_STR or not under[i]:
                    continue
                shape = name_shape(tb, d, i, scratch)
                node = d.node[i]
                if node < 0 or index_sensitive:
                    loose += shape != 0
                    continue
                h = (<Py_ssize_t>node * 2654435761) & (cap - 1)
                while keys[h] != -1 and keys[h] != node:
                    h = (h + 1) & (cap - 1)
                keys[h] = node
                tot[h] += 1
                nam[h] += shape != 0
                three[h] += shape == 3
        if loose >= 4:
            host.names_column(None)
        for h in range(cap):
            if keys[h] != -1 and tot[h] >= 5 and 5 * nam[h] >= 4 * tot[h] \
                    and 25 * three[h] >= 8 * tot[h]:
                host.names_column(node_path(paths, keys[h]))
    finally:
        free(keys)
        free(tot)
        free(nam)
        free(three)
        free(under)
    return 0


cdef bint may_name_columns(const Doc* d, Py_ssize_t i) noexcept nogil:
    """The value at token i may be a table's column names (codecs/tables.py):
    a non-empty array of strings, numbers (the codec reads them as text) and
    objects only. Anything else under a header key (`"headers": [["Host",
    "..."]]`, a count, a string) makes no table there, and the body stays on
    the native path."""
    cdef Py_ssize_t j = i + 1, end
    cdef int kind
    if d.toks.v[i].kind != T_ARR:
        return False
    end = d.toks.v[i].end
    if j >= end:
        return False
    while j < end:
        kind = d.toks.v[j].kind
        if kind == T_OBJ:
            j = d.toks.v[j].end
        elif kind == T_STR or kind == T_NUM:
            j += 1
        else:
            return False
    return True
