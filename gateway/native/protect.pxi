# The JSON hot path: parse, walk, field rules, detection, operators, encode,
# with the reference engine's order of work (all field rules first, then the
# findings of each leaf from its end backwards), so counts, reveals, blocks
# and callbacks happen as in gateway/protect/engine.py.

cdef extern from "Python.h":
    object PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)

from libc.string cimport memcmp

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


cdef class JsonPlan:
    """One rule plan (route, method, direction, role) on the JSON hot path.
    `host` is the Python side (gateway/protect/native_json.py): decisions for new
    paths, operators the core does not run, leaves it hands back, findings of
    policy recognizers, and blocks."""

    cdef Engine engine
    cdef object host
    cdef Paths paths
    cdef bint index_sensitive
    cdef bint custom
    cdef int prose_min       # hand prose to `custom` (this many Chinese characters; 0: none)
    cdef ProseFinder finder  # ... or, for Chinese prose without policy recognizers, to this
    cdef int prose_entity    # its findings' entity and score
    cdef double prose_score
    cdef bint columns        # count name-shaped values per path (gateway/protect/columns.py)
    cdef tuple rkeys         # record keys, UTF-8
    cdef readonly tuple ops
    cdef readonly tuple entity_names

    def __init__(self, Engine engine, host, tuple ops, bint index_sensitive, bint custom,
                 tuple record_keys, int max_paths=MAX_CHUNKS * CHUNK, bint columns=False,
                 int prose_min=0, ProseFinder finder=None, int prose_entity=-1,
                 double prose_score=0.5):
        """`max_paths`: distinct key paths whose decisions are kept; leaves at
        further paths are decided each time (65,536 at most). `columns`: show
        the host each path inside lists whose string values are mostly
        name-shaped (`names_column`). `prose_min`: hand each text at a path
        whose Decision says `prose` to the host's `custom` when it holds at
        least this many Chinese characters or a pinyin surname next to a
        capitalised word (names in prose: gateway/detect/prose_names.py,
        pinyin_names.py); 0: only with `custom`. `finder`: where there are
        no policy recognizers, Chinese prose goes to it directly instead,
        its names reported as `prose_entity` at `prose_score`."""
        paths_init(&self.paths, max_paths)
        self.engine = engine
        self.host = host
        self.ops = ops
        self.index_sensitive = index_sensitive
        self.custom = custom
        self.prose_min = prose_min
        self.finder = finder
        self.prose_entity = prose_entity
        self.prose_score = prose_score
        self.columns = columns
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
        """Path nodes and list positions of every value of one document. An
        object key not seen before under its parent is shown to the host
        (`keys_hold_data`), which raises to hand a body whose keys are
        personal data to the Python path; only keys that are not become
        path nodes, so data keys neither pass unseen nor fill the table. A
        key it calls a table's header hands the body over wherever its value
        may name columns (`may_name_columns`)."""
        cdef Doc* d = &docs[di]
        cdef Py_ssize_t i, parent, k
        cdef int root, node
        cdef bint header
        cdef Tok* t
        cdef const unsigned char* key
        cdef Py_ssize_t* counter = <Py_ssize_t*>malloc((d.toks.n + 1) * sizeof(Py_ssize_t))
        if counter == NULL:
            raise MemoryError()
        try:
            root = 0
            if lines:
                root = child(&self.paths, 0, d.number if self.index_sensitive else ANY_INDEX,
                             NULL, 0)
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
                    node = find(&self.paths, d.node[parent], NO_INDEX, key, k)
                    header = node >= 0 and node_at(&self.paths, node).header
                    if node < 0:
                        header = self.host.keys_hold_data(utf8_str(key, k),
                                                          self._path(docs, di, parent, lines))
                        key = key_bytes(d.s, &d.toks.v[i - 1], scratch, &k)
                        node = child(&self.paths, d.node[parent], NO_INDEX, key, k)
                        if header and node >= 0:
                            node_at(&self.paths, node).header = True
                    if header and may_name_columns(d, i):
                        self.host.table_header()  # raises: the Python codec reads the table
                d.node[i] = node
                if t.kind == T_OBJ or t.kind == T_ARR:
                    counter[i] = 0
        finally:
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
            if self.columns:
                count_columns(&self.paths, &self.engine.cfg.tables, self.host,
                              self.index_sensitive, docs, ndocs, lines, scratch)
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
                    field_leaf(self, call, docs, di, i, lines, dec, answer[1], counts, nops, nent, reveals,
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
                    scan_leaf(self, call, docs, di, i, lines, dec, answer[1], counts, nops, values, reveals,
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
