# The JSON hot path: parse, walk, field rules, detection, operators, encode,
# with the reference engine's order of work (all field rules first, then the
# findings of each leaf from its end backwards), so counts, reveals, blocks
# and callbacks happen as in gateway/protect/engine.py.

cdef extern from "Python.h":
    object PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)

from libc.string cimport memcmp

cdef extern from "unistd.h":
    int usleep(unsigned int usec) nogil

cdef enum:
    YIELD_BYTES = 64 * 1024     # the GIL is let go this often, so the event loop keeps running
    YIELD_TOKENS = 8191         # ... and every 8192 tokens in the passes over all of them
    YIELD_MICROSECONDS = 50
    NOGIL_PARSE = 64 * 1024     # bodies this large are parsed without the GIL


cdef inline void let_others_run() noexcept:
    """Release the GIL for a moment: a thread inspecting a large body must not
    hold up the event loop (or other threads) for its whole length. A bare
    release and retake hands the GIL to nobody: the waiting thread is woken,
    finds it taken again and, having been woken, never asks for a switch. So
    the release lasts long enough for a waiting thread to take it."""
    with nogil:
        usleep(YIELD_MICROSECONDS)


cdef enum Stage:
    STAGE_ALL = 0, STAGE_PARSE = 1, STAGE_WALK = 2, STAGE_SCAN = 3, STAGE_DETECT = 4,
    STAGE_APPLY = 5


class JsonRefused(Exception):
    """The body cannot be inspected: `code` is the reference path's error code,
    `detail` the constant's name or the byte offset of a syntax error."""

    def __init__(self, code, detail=None):
        super().__init__(code)
        self.code = code
        self.detail = detail


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


cdef class JsonPlan:
    """One rule plan (route, method, direction, role) on the JSON hot path.
    `host` is the Python side (gateway/native/plan.py): decisions for new
    paths, operators the core does not run, leaves it hands back, findings of
    policy recognizers, and blocks."""

    cdef Engine engine
    cdef object host
    cdef Paths paths
    cdef bint index_sensitive
    cdef bint custom
    cdef tuple rkeys         # record keys, UTF-8
    cdef readonly tuple ops
    cdef readonly tuple entity_names

    def __init__(self, Engine engine, host, tuple ops, bint index_sensitive, bint custom,
                 tuple record_keys, int max_paths=MAX_CHUNKS * CHUNK):
        """`max_paths`: distinct key paths whose decisions are kept; leaves at
        further paths are decided each time (65,536 at most)."""
        paths_init(&self.paths, max_paths)
        self.engine = engine
        self.host = host
        self.ops = ops
        self.index_sensitive = index_sensitive
        self.custom = custom
        self.entity_names = engine.entities
        self.rkeys = tuple(k.encode() for k in record_keys)

    def __dealloc__(self):
        if self.paths.buckets != NULL:
            paths_free(&self.paths)

    @property
    def paths_known(self):
        return self.paths.count

    cdef tuple _decision(self, Doc* docs, Py_ssize_t di, Py_ssize_t tok, bint lines):
        """(Decision, pattern path) for a leaf's path: the node's, resolved on
        first use."""
        cdef int id = docs[di].node[tok]
        cdef Node* node
        cdef tuple answer
        if id < 0:  # not cached: decide on the concrete path each time
            return <tuple?>self.host.decide(self._path(docs, di, tok, lines))
        node = node_at(&self.paths, id)
        if node.answer == NULL:
            answer = <tuple?>self.host.decide(node_path(&self.paths, id))
            if len(answer) != 2 or not isinstance(answer[0], Decision):
                raise TypeError("decide() returns (Decision, pattern)")
            node = node_at(&self.paths, id)
            if node.answer == NULL:  # another thread may have answered meanwhile
                Py_XINCREF(<PyObject*>answer)
                node.answer = <PyObject*>answer
        return <tuple>node.answer

    cdef object _path(self, Doc* docs, Py_ssize_t di, Py_ssize_t tok, bint lines):
        """The leaf's concrete path, list positions as they are."""
        cdef list parts = []
        cdef Doc* d = &docs[di]
        cdef Py_ssize_t i = tok, parent, k
        cdef uchar* buf
        while True:
            parent = d.toks.v[i].parent
            if parent < 0:
                break
            if d.toks.v[parent].kind == T_ARR:
                parts.append(d.pos[i])
            else:
                parts.append(self._key(d, i - 1))
            i = parent
        if lines:
            parts.append(d.number)
        parts.reverse()
        return tuple(parts)

    cdef object _key(self, Doc* d, Py_ssize_t tok):
        """A key token as str."""
        cdef Tok* t = &d.toks.v[tok]
        cdef unsigned char* buf
        cdef Py_ssize_t n
        if not t.flags & TF_ESCAPED:
            return utf8_str(d.s + t.start, t.end - t.start)
        buf = <unsigned char*>malloc(t.end - t.start + 1)
        if buf == NULL:
            raise MemoryError()
        try:
            n = decode_bytes(d.s, t.start, t.end, buf)
            return utf8_str(buf, n)
        finally:
            free(buf)

    cdef object _text(self, Doc* d, Py_ssize_t tok, uchar* scratch):
        cdef Tok* t = &d.toks.v[tok]
        cdef Py_ssize_t k
        if t.kind == T_NUM:
            return (<bytes>d.s[t.start:t.end]).decode("ascii")
        k = decode_string(d.s, t.start, t.end, scratch)
        return chars_str(scratch, k)

    cdef object _records(self, Doc* docs, Py_ssize_t di, Py_ssize_t tok, bint lines,
                         uchar* scratch):
        """{(record key, object path): value} for the objects around the leaf
        (Records, gateway/operators/site.py), or None without record keys."""
        cdef Doc* d = &docs[di]
        cdef Py_ssize_t c = d.toks.v[tok].parent, i, k
        cdef dict entries
        if not self.rkeys:
            return None
        entries = {}
        while c >= 0:
            if d.toks.v[c].kind == T_OBJ:
                i = c + 1
                while i < d.toks.v[c].end:
                    if d.toks.v[i + 1].kind == T_STR or d.toks.v[i + 1].kind == T_NUM:
                        key = self._key(d, i)
                        if key.encode("utf-8", "surrogatepass") in self.rkeys:
                            entries[(key, self._path(docs, di, c, lines))] = \
                                self._text(d, i + 1, scratch)
                    i += 1
                    k = d.toks.v[i].kind
                    i = d.toks.v[i].end if k == T_OBJ or k == T_ARR else i + 1
            c = d.toks.v[c].parent
        return entries

    cdef int _walk(self, Doc* docs, Py_ssize_t di, bint lines, unsigned char* scratch,
                   bint share_gil) except -1:
        """Path nodes and list positions of every value of one document."""
        cdef Doc* d = &docs[di]
        cdef Py_ssize_t i, parent, k
        cdef int root, node
        cdef Tok* t
        cdef const unsigned char* key
        cdef Py_ssize_t* counter = <Py_ssize_t*>malloc((d.toks.n + 1) * sizeof(Py_ssize_t))
        if counter == NULL:
            raise MemoryError()
        root = 0
        if lines:
            root = child(&self.paths, 0, d.number if self.index_sensitive else ANY_INDEX, NULL, 0)
        for i in range(d.toks.n):
            if share_gil and (i & YIELD_TOKENS) == YIELD_TOKENS:
                let_others_run()
            t = &d.toks.v[i]
            d.rep[i] = -1
            if t.kind == T_KEY:
                continue
            parent = t.parent
            if parent < 0:
                node = root
            elif d.toks.v[parent].kind == T_ARR:
                d.pos[i] = counter[parent]
                counter[parent] += 1
                node = child(&self.paths, d.node[parent],
                             d.pos[i] if self.index_sensitive else ANY_INDEX, NULL, 0)
            else:
                key = key_bytes(d.s, &d.toks.v[i - 1], scratch, &k)
                node = child(&self.paths, d.node[parent], NO_INDEX, key, k)
            d.node[i] = node
            if t.kind == T_OBJ or t.kind == T_ARR:
                counter[i] = 0
        free(counter)
        return 0

    def protect(self, list bodies, object numbers, object call, int stage=0,
                bint share_gil=False):
        """Inspect JSON documents: one body, or the lines of an NDJSON body
        with their line `numbers` (the first part of their paths; None for a
        single document). `call` is this request's Python side: its `outcome`
        collects values and reveals when asked to, its methods run what the
        core hands back. Returns (new bodies, None where a document is
        unchanged; native operator counts as (entity index, op slot, count),
        entity index len(entities) meaning a whole field). Raises JsonRefused
        for what cannot be inspected. `stage` stops early, for the benchmark."""
        cdef bint lines = numbers is not None
        cdef object values = call.outcome.values
        cdef object reveals = call.outcome.reveals
        cdef Py_ssize_t ndocs = len(bodies), di, i, n, k, j, total, longest = 1
        cdef Doc* docs = <Doc*>malloc((ndocs + 1) * sizeof(Doc))
        cdef Py_ssize_t nent = len(self.entity_names), nops = len(self.ops)
        cdef Py_ssize_t* counts = <Py_ssize_t*>malloc(((nent + 1) * nops + 1) * sizeof(Py_ssize_t))
        cdef uchar* scratch = NULL
        cdef Out arena, piece
        cdef Bytes out
        cdef Spans found, raw, chosen
        cdef Tokens tk
        cdef Text x
        cdef Decision dec
        cdef Act* a
        cdef Py_ssize_t where = 0, budget
        cdef int err
        cdef int valid
        cdef tuple answer
        cdef list results
        arena.v = piece.v = NULL
        arena.n = arena.cap = piece.n = piece.cap = 0
        out.v = NULL
        out.n = out.cap = 0
        found.v = raw.v = chosen.v = NULL
        found.n = found.cap = raw.n = raw.cap = chosen.n = chosen.cap = 0
        tk.start = tk.end = NULL
        tk.made = False
        if docs == NULL or counts == NULL:
            free(docs)
            free(counts)
            raise MemoryError()
        memset(docs, 0, (ndocs + 1) * sizeof(Doc))
        memset(counts, 0, ((nent + 1) * nops + 1) * sizeof(Py_ssize_t))
        try:
            # parse everything first: a bad line refuses the body before any operator runs
            for di in range(ndocs):
                body = <bytes?>bodies[di]
                if lines:
                    docs[di].number = numbers[di]
                docs[di].s = <const unsigned char*><char*>body
                docs[di].n = len(body)
                if docs[di].n > longest:
                    longest = docs[di].n
                if docs[di].n >= NOGIL_PARSE:
                    with nogil:
                        valid = utf8_valid(docs[di].s, docs[di].n)
                else:
                    valid = utf8_valid(docs[di].s, docs[di].n)
                if not valid:
                    raise JsonRefused("invalid_charset")
            for di in range(ndocs):
                n = docs[di].n
                i = 3 if not lines and n >= 3 and docs[di].s[0] == 0xef and docs[di].s[1] == 0xbb \
                    and docs[di].s[2] == 0xbf else 0
                docs[di].s += i
                docs[di].n -= i
                if docs[di].n >= NOGIL_PARSE:
                    with nogil:
                        err = parse_json(docs[di].s, docs[di].n, &docs[di].toks, &where)
                else:
                    err = parse_json(docs[di].s, docs[di].n, &docs[di].toks, &where)
                if err == J_MEMORY:
                    raise MemoryError()
                if err == J_CHARSET:
                    raise JsonRefused("invalid_charset")
                if err == J_DUPLICATE:
                    raise JsonRefused("duplicate_key")
                if err == J_CONSTANT:
                    raise JsonRefused("constant", (di, where + i))
                if err == J_DEEP:
                    raise JsonRefused("too_deep")
                if err != J_OK:
                    raise JsonRefused("invalid_json", (di, where + i))
                k = docs[di].toks.n + 1
                docs[di].node = <int*>malloc(k * sizeof(int))
                docs[di].pos = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
                docs[di].rep = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
                docs[di].rep_n = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
                if docs[di].node == NULL or docs[di].pos == NULL or docs[di].rep == NULL \
                        or docs[di].rep_n == NULL:
                    raise MemoryError()
            if stage == STAGE_PARSE:
                return None, []
            scratch = <uchar*>malloc((2 * longest + 2) * sizeof(uchar))
            if scratch == NULL:
                raise MemoryError()
            for di in range(ndocs):
                self._walk(docs, di, lines, <unsigned char*>scratch, share_gil)
            # pass 1: whole-field rules
            for di in range(ndocs):
                for i in range(docs[di].toks.n):
                    if share_gil and (i & YIELD_TOKENS) == YIELD_TOKENS:
                        let_others_run()
                    if docs[di].toks.v[i].kind != T_STR and docs[di].toks.v[i].kind != T_NUM:
                        continue
                    answer = self._decision(docs, di, i, lines)
                    dec = <Decision>answer[0]
                    if not dec.has_field or stage == STAGE_WALK:
                        continue
                    self._field(call, docs, di, i, lines, dec, answer[1], counts, nops, nent, reveals,
                                &arena, &piece, scratch)
            if stage == STAGE_WALK:
                return None, []
            # pass 2: detection and operators on the other leaves
            budget = 0
            for di in range(ndocs):
                for i in range(docs[di].toks.n):
                    if docs[di].toks.v[i].kind != T_STR and docs[di].toks.v[i].kind != T_NUM:
                        continue
                    budget += docs[di].toks.v[i].end - docs[di].toks.v[i].start + 16
                    if budget >= YIELD_BYTES:
                        budget = 0
                        if share_gil:
                            let_others_run()
                    answer = self._decision(docs, di, i, lines)
                    dec = <Decision>answer[0]
                    if dec.has_field:
                        continue
                    self._scan(call, docs, di, i, lines, dec, answer[1], counts, nops, values, reveals,
                               &arena, &piece, &found, &raw, &chosen, &tk, scratch, stage)
            if stage == STAGE_SCAN or stage == STAGE_DETECT or stage == STAGE_APPLY:
                return None, []
            results = []
            for di in range(ndocs):
                if not docs[di].changed:
                    results.append(None)
                    continue
                if write_doc(&docs[di], arena.v, &out, scratch, share_gil):
                    raise JsonRefused("surrogate")
                results.append(PyBytes_FromStringAndSize(out.v, out.n))
            native_counts = []
            for j in range(nent + 1):
                for k in range(nops):
                    if counts[j * nops + k]:
                        native_counts.append((j, k, counts[j * nops + k]))
            return results, native_counts
        finally:
            for di in range(ndocs):
                free(docs[di].toks.v)
                free(docs[di].node)
                free(docs[di].pos)
                free(docs[di].rep)
                free(docs[di].rep_n)
            free(docs)
            free(counts)
            free(scratch)
            free(arena.v)
            free(piece.v)
            free(out.v)
            spans_free(&found)
            spans_free(&raw)
            spans_free(&chosen)
            tokens_free(&tk)

    cdef int _replace(self, Doc* d, Py_ssize_t tok, Out* arena, const uchar* c,
                      Py_ssize_t n) except -1:
        d.rep[tok] = arena.n
        d.rep_n[tok] = n
        out_chars(arena, c, n)
        d.changed = True
        return 0

    cdef int _replace_str(self, Doc* d, Py_ssize_t tok, Out* arena, object text) except -1:
        cdef Py_ssize_t n = len(text)
        out_reserve(arena, n + 1)
        if n:
            PyUnicode_AsUCS4(text, <Py_UCS4*>(arena.v + arena.n), n + 1, 1)
        d.rep[tok] = arena.n
        d.rep_n[tok] = n
        arena.n += n
        d.changed = True
        return 0

    cdef int _field(self, object call, Doc* docs, Py_ssize_t di, Py_ssize_t tok, bint lines, Decision dec,
                    object pattern, Py_ssize_t* counts, Py_ssize_t nops, Py_ssize_t nent,
                    object reveals, Out* arena, Out* piece, uchar* scratch) except -1:
        """A whole-field rule on one leaf (entity FIELD)."""
        cdef Doc* d = &docs[di]
        cdef Act* a = &dec.field
        cdef Tok* t = &d.toks.v[tok]
        cdef Py_ssize_t n, k
        if a.kind == A_PY or a.kind == A_BLOCK or (a.kind == A_KEEP and reveals is not None
                                                  and a.reveals):
            text = self._text(d, tok, scratch)
            path = self._path(docs, di, tok, lines)
            if a.kind == A_PY:
                new = call.run(<object>a.obj, text, "FIELD", path,
                                    self._records(docs, di, tok, lines, scratch))
                if new != text:
                    self._replace_str(d, tok, arena, new)
                return 0
            if a.kind == A_BLOCK:
                call.block(a.status, path, "FIELD")
                return 0
            reveals.setdefault((pattern, "FIELD"), []).append(text)
        counts[nent * nops + a.op] += 1
        if a.kind == A_KEEP:
            return 0
        if a.kind == A_CONST:
            text = <object>a.obj
            if text != self._text(d, tok, scratch):
                self._replace_str(d, tok, arena, text)
            return 0
        n = t.end - t.start if t.kind == T_NUM else decode_string(d.s, t.start, t.end, scratch)
        if t.kind == T_NUM:
            for k in range(n):
                scratch[k] = d.s[t.start + k]
        piece.n = 0
        apply_mask(piece, a, scratch, n)
        if piece.n != n or memcmp(piece.v, scratch, n * sizeof(uchar)) != 0:
            self._replace(d, tok, arena, piece.v, piece.n)
        return 0

    cdef int _scan(self, object call, Doc* docs, Py_ssize_t di, Py_ssize_t tok, bint lines, Decision dec,
                   object pattern, Py_ssize_t* counts, Py_ssize_t nops, object values,
                   object reveals, Out* arena, Out* piece, Spans* found, Spans* raw,
                   Spans* chosen, Tokens* tk, uchar* scratch, int stage) except -1:
        """Detection and the operators on one leaf."""
        cdef Doc* d = &docs[di]
        cdef Tok* t = &d.toks.v[tok]
        cdef Py_ssize_t n, k, m, end
        cdef Text x
        cdef Span f
        cdef Act* a
        cdef list pieces
        if t.kind == T_NUM:
            n = t.end - t.start
            for k in range(n):
                scratch[k] = d.s[t.start + k]
        else:
            n = decode_string(d.s, t.start, t.end, scratch)
        x.o = scratch
        x.t = scratch + n + 1
        x.n = n
        if fold_text(x.o, x.t, n) != FOLD_OK:
            if stage == STAGE_SCAN or stage == STAGE_DETECT:
                return 0
            # the Python path: detection, overlaps and operators as the reference
            text = chars_str(x.o, n)
            new = call.leaf(text, self._path(docs, di, tok, lines), dec.hints,
                                 self._records(docs, di, tok, lines, scratch))
            if new != text:
                self._replace_str(d, tok, arena, new)
            return 0
        found.n = 0
        tokens_free(tk)
        scan_text(&self.engine.cfg, &x, dec.bits, found, raw, tk, stage != STAGE_SCAN)
        if stage == STAGE_SCAN:
            return 0
        if self.custom:
            for entity, start, stop, score, rec in call.custom(chars_str(x.o, n), dec.hints):
                spans_push(found, entity, -1, start, stop, score)
        if found.n == 0:
            return 0
        if found.n > 1:
            remove_duplicates(found)
            sort_final(found)
        if stage == STAGE_DETECT:
            return 0
        resolve_overlaps(found, chosen, raw)
        # from the end backwards, as the reference applies them
        piece.n = 0
        end = n
        pieces = None
        changed = False
        k = chosen.n - 1
        while k >= 0:
            f = chosen.v[k]
            a = &dec.acts[f.entity]
            if values is not None:
                name = self.entity_names[f.entity]
                bucket = values.get(name)
                if bucket is None:
                    bucket = values[name] = set()
                bucket.add(chars_str(x.o + f.start, f.end - f.start))
            # the text after this finding, reversed into `piece` later
            m = piece.n
            out_chars(piece, x.o + f.end, end - f.end)
            _reverse(piece.v + m, end - f.end)
            m = piece.n
            if a.kind == A_KEEP:
                counts[f.entity * nops + a.op] += 1
                out_chars(piece, x.o + f.start, f.end - f.start)
                if reveals is not None and a.reveals:
                    reveals.setdefault((pattern, self.entity_names[f.entity]), []).append(
                        chars_str(x.o + f.start, f.end - f.start))
            elif a.kind == A_MASK:
                counts[f.entity * nops + a.op] += 1
                apply_mask(piece, a, x.o + f.start, f.end - f.start)
                changed = True
            elif a.kind == A_CONST:
                counts[f.entity * nops + a.op] += 1
                self._piece_str(piece, <object>a.obj)
                changed = True
            elif a.kind == A_BLOCK:
                call.block(a.status, self._path(docs, di, tok, lines),
                                self.entity_names[f.entity])
            else:
                new = call.run(<object>a.obj, chars_str(x.o + f.start, f.end - f.start),
                                    self.entity_names[f.entity],
                                    self._path(docs, di, tok, lines),
                                    self._records(docs, di, tok, lines, scratch))
                self._piece_str(piece, new)
                changed = True
            _reverse(piece.v + m, piece.n - m)
            end = f.start
            k -= 1
        if not changed:
            return 0
        m = piece.n
        out_chars(piece, x.o, end)
        _reverse(piece.v + m, end)
        _reverse(piece.v, piece.n)
        if piece.n != n or memcmp(piece.v, x.o, n * sizeof(uchar)) != 0:
            self._replace(d, tok, arena, piece.v, piece.n)
        return 0

    cdef int _piece_str(self, Out* piece, object text) except -1:
        cdef Py_ssize_t n = len(text)
        out_reserve(piece, n + 1)
        if n:
            PyUnicode_AsUCS4(text, <Py_UCS4*>(piece.v + piece.n), n + 1, 1)
        piece.n += n
        return 0


cdef inline void _reverse(uchar* c, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i = 0, j = n - 1
    cdef uchar tmp
    while i < j:
        tmp = c[i]
        c[i] = c[j]
        c[j] = tmp
        i += 1
        j -= 1
