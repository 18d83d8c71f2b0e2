# A parsed JSON document on the hot path, and writing it back out with its
# replaced leaves (the output escapes as Python's json.dumps(ensure_ascii=False)).


ctypedef struct Doc:
    const unsigned char* s
    Py_ssize_t n
    Toks toks
    int* node        # per token: its path node (values only)
    Py_ssize_t* pos  # per token: its list position (array members only)
    Py_ssize_t* rep  # per token: start of its replacement in the arena, or -1
    Py_ssize_t* rep_n
    Py_ssize_t number  # an NDJSON line's number: the first part of its paths
    bint changed

ctypedef struct Bytes:
    char* v
    Py_ssize_t n
    Py_ssize_t cap


cdef int bytes_reserve(Bytes* b, Py_ssize_t more) except -1:
    cdef char* grown
    cdef Py_ssize_t cap
    if b.n + more <= b.cap:
        return 0
    cap = b.cap * 2 if b.cap else 1024
    while cap < b.n + more:
        cap *= 2
    grown = <char*>realloc(b.v, cap)
    if grown == NULL:
        raise MemoryError()
    b.v = grown
    b.cap = cap
    return 0


cdef inline int bytes_add(Bytes* b, const char* c, Py_ssize_t n) except -1:
    bytes_reserve(b, n)
    memcpy(b.v + b.n, c, n)
    b.n += n
    return 0


cdef int put_escaped(Bytes* b, const uchar* c, Py_ssize_t n) except -1:
    """A JSON string's characters as json.dumps(ensure_ascii=False) writes
    them. 1 if one is an unpaired surrogate (no UTF-8 for it)."""
    cdef Py_ssize_t i
    cdef uchar u
    cdef const char* hexd = b"0123456789abcdef"
    bytes_reserve(b, 4 * n + 2)
    for i in range(n):
        u = c[i]
        if u < 0x80:
            if u == 0x22 or u == 0x5c:
                b.v[b.n] = 0x5c
                b.v[b.n + 1] = <char>u
                b.n += 2
            elif u >= 0x20:
                b.v[b.n] = <char>u
                b.n += 1
            elif u == 10 or u == 13 or u == 9 or u == 8 or u == 12:
                b.v[b.n] = 0x5c
                b.v[b.n + 1] = (0x6e if u == 10 else 0x72 if u == 13 else 0x74 if u == 9
                                else 0x62 if u == 8 else 0x66)
                b.n += 2
            else:
                bytes_reserve(b, 6 + 4 * (n - i))
                memcpy(b.v + b.n, b"\\u00", 4)
                b.v[b.n + 4] = hexd[u >> 4]
                b.v[b.n + 5] = hexd[u & 15]
                b.n += 6
        elif u < 0x800:
            b.v[b.n] = <char>(0xc0 | (u >> 6))
            b.v[b.n + 1] = <char>(0x80 | (u & 0x3f))
            b.n += 2
        elif u < 0x10000:
            if 0xd800 <= u <= 0xdfff:
                return 1
            b.v[b.n] = <char>(0xe0 | (u >> 12))
            b.v[b.n + 1] = <char>(0x80 | ((u >> 6) & 0x3f))
            b.v[b.n + 2] = <char>(0x80 | (u & 0x3f))
            b.n += 3
        else:
            b.v[b.n] = <char>(0xf0 | (u >> 18))
            b.v[b.n + 1] = <char>(0x80 | ((u >> 12) & 0x3f))
            b.v[b.n + 2] = <char>(0x80 | ((u >> 6) & 0x3f))
            b.v[b.n + 3] = <char>(0x80 | (u & 0x3f))
            b.n += 4
    return 0


cdef int write_doc(Doc* d, const uchar* arena, Bytes* b, uchar* scratch,
                   bint share_gil) except -1:
    """The document, compact, with its replaced leaves; 1 on an unpaired
    surrogate."""
    cdef Py_ssize_t i, top = -1, k
    cdef Py_ssize_t stack[MAX_DEPTH + 2]
    cdef Py_ssize_t count[MAX_DEPTH + 2]
    cdef Tok* t
    cdef const unsigned char* s = d.s
    b.n = 0
    bytes_reserve(b, d.n + d.n // 4 + 64)
    for i in range(d.toks.n):
        if share_gil and (i & YIELD_TOKENS) == YIELD_TOKENS:
            let_others_run()
        t = &d.toks.v[i]
        while top >= 0 and d.toks.v[stack[top]].end == i:
            bytes_add(b, b"}" if d.toks.v[stack[top]].kind == T_OBJ else b"]", 1)
            top -= 1
        if top >= 0 and t.kind != T_KEY and d.toks.v[stack[top]].kind == T_ARR:
            if count[top]:
                bytes_add(b, b",", 1)
            count[top] += 1
        if t.kind == T_KEY:
            if count[top]:
                bytes_add(b, b",", 1)
            count[top] += 1
        if t.kind == T_OBJ or t.kind == T_ARR:
            bytes_add(b, b"{" if t.kind == T_OBJ else b"[", 1)
            top += 1
            stack[top] = i
            count[top] = 0
            continue
        if t.kind == T_TRUE or t.kind == T_FALSE or t.kind == T_NULL:
            bytes_add(b, <const char*>s + t.start, t.end - t.start)
            continue
        if d.rep[i] >= 0:
            bytes_add(b, b"\"", 1)
            if put_escaped(b, arena + d.rep[i], d.rep_n[i]):
                return 1
            bytes_add(b, b"\"", 1)
        elif t.kind == T_NUM:
            bytes_add(b, <const char*>s + t.start, t.end - t.start)
        else:
            bytes_add(b, b"\"", 1)
            if t.flags & TF_SURROGATE:
                return 1
            if t.flags & TF_ESCAPED:
                k = decode_string(s, t.start, t.end, scratch)
                put_escaped(b, scratch, k)
            else:
                bytes_add(b, <const char*>s + t.start, t.end - t.start)
            bytes_add(b, b"\"", 1)
        if t.kind == T_KEY:
            bytes_add(b, b":", 1)
    while top >= 0:
        bytes_add(b, b"}" if d.toks.v[stack[top]].kind == T_OBJ else b"]", 1)
        top -= 1
    return 0
