# JSON bytes -> a flat token array, as strict as Python's json.loads with the
# gateway's hooks: duplicate keys and NaN/Infinity refused, numbers kept as
# the sender wrote them. Strings stay bytes until a leaf is inspected.

cdef enum TokKind:
    T_OBJ, T_ARR, T_KEY, T_STR, T_NUM, T_TRUE, T_FALSE, T_NULL

cdef enum:
    MAX_DEPTH = 256        # the Python path refuses the same depth (json_codec.MAX_DEPTH)

ctypedef struct Tok:
    int kind
    int flags
    Py_ssize_t start       # strings: after the quote; others: the first byte
    Py_ssize_t end         # strings: the closing quote; containers: the token after its end
    Py_ssize_t parent      # the enclosing container's token, -1 at the top

ctypedef struct Toks:
    Tok* v
    Py_ssize_t n
    Py_ssize_t cap

# Why a body is refused; the codes are the reference path's.
cdef enum JsonError:
    J_OK, J_CHARSET, J_SYNTAX, J_CONSTANT, J_DEEP, J_DUPLICATE, J_MEMORY


cdef int toks_push(Toks* t, int kind, int flags, Py_ssize_t start, Py_ssize_t end,
                   Py_ssize_t parent) noexcept nogil:
    cdef Tok* grown
    cdef Py_ssize_t cap
    if t.n == t.cap:
        cap = 64 if t.cap == 0 else t.cap * 2
        grown = <Tok*>realloc(t.v, cap * sizeof(Tok))
        if grown == NULL:
            return -1
        t.v = grown
        t.cap = cap
    t.v[t.n].kind = kind
    t.v[t.n].flags = flags
    t.v[t.n].start = start
    t.v[t.n].end = end
    t.v[t.n].parent = parent
    t.n += 1
    return 0




cdef inline const unsigned char* key_bytes(const unsigned char* s, const Tok* t,
                                           unsigned char* scratch, Py_ssize_t* n) noexcept nogil:
    """A key's decoded form as UTF-8: the bytes as sent unless escaped."""
    if not t.flags & TF_ESCAPED:
        n[0] = t.end - t.start
        return s + t.start
    n[0] = decode_bytes(s, t.start, t.end, scratch)
    return scratch


cdef unsigned long long hash_bytes(const unsigned char* c, Py_ssize_t n) noexcept nogil:
    cdef unsigned long long h = 1469598103934665603ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ c[i]) * 1099511628211ULL
    return h


ctypedef struct KeyRef:
    unsigned long long hash
    Py_ssize_t tok
    Py_ssize_t at          # offset of its characters in the scratch buffer
    Py_ssize_t n


cdef int _key_order(const void* a, const void* b) noexcept nogil:
    cdef const KeyRef* x = <const KeyRef*>a
    cdef const KeyRef* y = <const KeyRef*>b
    if x.hash != y.hash:
        return -1 if x.hash < y.hash else 1
    return -1 if x.tok < y.tok else (1 if x.tok > y.tok else 0)


cdef inline bint _same_key(const unsigned char* s, const Toks* t, const KeyRef* keys,
                           Py_ssize_t a, Py_ssize_t b, const unsigned char* chars) noexcept nogil:
    cdef const unsigned char* x
    cdef const unsigned char* y
    if keys[a].hash != keys[b].hash or keys[a].n != keys[b].n:
        return False
    x = chars + keys[a].at if keys[a].at >= 0 else s + t.v[keys[a].tok].start
    y = chars + keys[b].at if keys[b].at >= 0 else s + t.v[keys[b].tok].start
    return memcmp(x, y, keys[a].n) == 0


cdef int _has_duplicate(const unsigned char* s, const Toks* t, Py_ssize_t obj) noexcept nogil:
    """1 if two keys of the object are equal as decoded strings, -1 on memory."""
    cdef Py_ssize_t i = obj + 1, count = 0, total = 0, k, n
    cdef KeyRef small[32]
    cdef KeyRef* keys = small
    cdef unsigned char* chars = NULL
    cdef int result = 0
    while i < t.v[obj].end:
        count += 1
        if t.v[i].flags & TF_ESCAPED:
            total += t.v[i].end - t.v[i].start
        i += 1  # the key; then the value, skipping containers whole
        i = t.v[i].end if t.v[i].kind == T_OBJ or t.v[i].kind == T_ARR else i + 1
    if count < 2:
        return 0
    if count > 32:
        keys = <KeyRef*>malloc(count * sizeof(KeyRef))
    if total:
        chars = <unsigned char*>malloc(total)
    if keys == NULL or (total and chars == NULL):
        if keys != small:
            free(keys)
        free(chars)
        return -1
    i = obj + 1
    total = 0
    for k in range(count):
        keys[k].tok = i
        if t.v[i].flags & TF_ESCAPED:
            keys[k].at = total
            keys[k].n = decode_bytes(s, t.v[i].start, t.v[i].end, chars + total)
            total += keys[k].n
            keys[k].hash = hash_bytes(chars + keys[k].at, keys[k].n)
        else:
            keys[k].at = -1
            keys[k].n = t.v[i].end - t.v[i].start
            keys[k].hash = hash_bytes(s + t.v[i].start, keys[k].n)
        i += 1
        i = t.v[i].end if t.v[i].kind == T_OBJ or t.v[i].kind == T_ARR else i + 1
    if count > 32:
        qsort(keys, count, sizeof(KeyRef), _key_order)
        for k in range(1, count):
            if _same_key(s, t, keys, k - 1, k, chars):
                result = 1
                break
    else:
        for k in range(count):
            for n in range(k + 1, count):
                if _same_key(s, t, keys, k, n, chars):
                    result = 1
                    break
            if result:
                break
    if keys != small:
        free(keys)
    free(chars)
    return result


cdef int parse_json(const unsigned char* s, Py_ssize_t n, Toks* t,
                    Py_ssize_t* where) noexcept nogil:
    """Tokens of one JSON text (its whole length); a JsonError. `where` is the
    byte offset of a syntax error. Duplicate keys are checked when an object
    closes, as the reference's object_pairs_hook does."""
    cdef Py_ssize_t i = _ws(s, n, 0), e, cur = -1, tok
    cdef int depth = 0, flags, dup
    cdef bint want_value = True, want_key = False
    cdef unsigned char c
    cdef Tok* grown
    t.n = 0
    if t.cap < n // 6 + 16:  # about one token per six bytes of JSON
        grown = <Tok*>realloc(t.v, (n // 6 + 16) * sizeof(Tok))
        if grown == NULL:
            return J_MEMORY
        t.v = grown
        t.cap = n // 6 + 16
    while True:
        if want_key:
            if i >= n or s[i] != 0x22:
                where[0] = i
                return J_SYNTAX
            e = _string_end(s, n, i + 1, &flags)
            if e < 0:
                where[0] = i
                return J_SYNTAX
            if toks_push(t, T_KEY, flags, i + 1, e, cur) < 0:
                return J_MEMORY
            i = _ws(s, n, e + 1)
            if i >= n or s[i] != 0x3a:
                where[0] = i
                return J_SYNTAX
            i = _ws(s, n, i + 1)
            want_key = False
            want_value = True
        if want_value:
            if i >= n:
                where[0] = i
                return J_SYNTAX
            c = s[i]
            if c == 0x22:
                e = _string_end(s, n, i + 1, &flags)
                if e < 0:
                    where[0] = i
                    return J_SYNTAX
                if toks_push(t, T_STR, flags, i + 1, e, cur) < 0:
                    return J_MEMORY
                i = e + 1
            elif c == 0x7b or c == 0x5b:
                depth += 1
                if depth > MAX_DEPTH:
                    return J_DEEP
                if toks_push(t, T_OBJ if c == 0x7b else T_ARR, 0, i, -1, cur) < 0:
                    return J_MEMORY
                cur = t.n - 1
                i = _ws(s, n, i + 1)
                if c == 0x7b:
                    if i < n and s[i] == 0x7d:
                        want_value = False  # fall through to the close below
                    else:
                        want_key = True
                        want_value = False
                        continue
                else:
                    if i < n and s[i] == 0x5d:
                        want_value = False
                    else:
                        continue
            elif (c == 0x4e and _literal(s, n, i, b"NaN", 3)) \
                    or (c == 0x49 and _literal(s, n, i, b"Infinity", 8)) \
                    or (c == 0x2d and i + 9 < n and _literal(s, n, i, b"-Infinity", 9)):
                where[0] = i
                return J_CONSTANT
            elif c == 0x74 and _literal(s, n, i, b"true", 4):
                if toks_push(t, T_TRUE, 0, i, i + 4, cur) < 0:
                    return J_MEMORY
                i += 4
            elif c == 0x66 and _literal(s, n, i, b"false", 5):
                if toks_push(t, T_FALSE, 0, i, i + 5, cur) < 0:
                    return J_MEMORY
                i += 5
            elif c == 0x6e and _literal(s, n, i, b"null", 4):
                if toks_push(t, T_NULL, 0, i, i + 4, cur) < 0:
                    return J_MEMORY
                i += 4
            else:
                e = _number_end(s, n, i)
                if e < 0:
                    where[0] = i
                    return J_SYNTAX
                if toks_push(t, T_NUM, 0, i, e, cur) < 0:
                    return J_MEMORY
                i = e
            want_value = False
        # after a value: a comma, the end of the container, or the end of the text
        i = _ws(s, n, i)
        if cur < 0:
            if i != n:
                where[0] = i
                return J_SYNTAX
            return J_OK
        c = s[i] if i < n else 0
        if c == 0x2c:
            i = _ws(s, n, i + 1)
            if t.v[cur].kind == T_OBJ:
                want_key = True
            else:
                want_value = True
            continue
        if (c == 0x7d and t.v[cur].kind == T_OBJ) or (c == 0x5d and t.v[cur].kind == T_ARR):
            tok = cur
            t.v[tok].end = t.n
            cur = t.v[tok].parent
            depth -= 1
            i += 1
            if t.v[tok].kind == T_OBJ:
                dup = _has_duplicate(s, t, tok)
                if dup < 0:
                    return J_MEMORY
                if dup:
                    return J_DUPLICATE
            continue
        where[0] = i
        return J_SYNTAX


# Letting the event loop run while a large body is inspected on a thread.
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
