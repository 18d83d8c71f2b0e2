# The `fields` of an audit reveal record as JSON, written here instead of as
# a dict per field that orjson then serializes: gateway/audit/reveals.py's
# `fields_json`, held byte for byte to orjson's sorted-keys output by
# tests/audit/test_reveals.py.

from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

ctypedef struct _Out:
    char* p
    Py_ssize_t n
    Py_ssize_t cap


cdef int _out_room(_Out* o, Py_ssize_t more) except -1:
    cdef char* grown
    if o.n + more <= o.cap:
        return 0
    o.cap = 2 * (o.n + more)
    grown = <char*>realloc(o.p, o.cap)
    if grown == NULL:
        raise MemoryError()
    o.p = grown
    return 0


cdef int _out_put(_Out* o, const char* s, Py_ssize_t n) except -1:
    _out_room(o, n)
    memcpy(o.p + o.n, s, n)
    o.n += n
    return 0


cdef int _out_str(_Out* o, str text) except -1:
    """A JSON string as orjson writes it: '"' and '\\\\' escaped, \\b \\t \\n
    \\f \\r, other controls as \\u00xx, everything else as UTF-8 (raises
    UnicodeEncodeError for a lone surrogate, which orjson refuses too)."""
    cdef Py_ssize_t n, i, run
    cdef const unsigned char* s = <const unsigned char*>PyUnicode_AsUTF8AndSize(text, &n)
    cdef unsigned char c
    cdef const char* hexa = b"0123456789abcdef"
    _out_room(o, 6 * n + 2)
    o.p[o.n] = b'"'
    o.n += 1
    i = 0
    while i < n:
        run = i  # copy a run of bytes that need no escape at once
        while run < n and s[run] >= 0x20 and s[run] != 0x22 and s[run] != 0x5c:
            run += 1
        memcpy(o.p + o.n, s + i, run - i)
        o.n += run - i
        if run == n:
            break
        i = run + 1
        c = s[run]
        o.p[o.n] = b'\\'
        if c == 0x22 or c == 0x5c:
            o.p[o.n + 1] = <char>c
        elif c == 0x08:
            o.p[o.n + 1] = b'b'
        elif c == 0x09:
            o.p[o.n + 1] = b't'
        elif c == 0x0a:
            o.p[o.n + 1] = b'n'
        elif c == 0x0c:
            o.p[o.n + 1] = b'f'
        elif c == 0x0d:
            o.p[o.n + 1] = b'r'
        else:
            memcpy(o.p + o.n + 1, b"u00", 3)
            o.p[o.n + 4] = hexa[c >> 4]
            o.p[o.n + 5] = hexa[c & 15]
            o.n += 6
            continue
        o.n += 2
    o.p[o.n] = b'"'
    o.n += 1
    return 0


cdef int _out_count(_Out* o, Py_ssize_t n) except -1:
    """A count (n >= 0) in decimal."""
    cdef char digits[24]
    cdef int k = 24
    while True:
        k -= 1
        digits[k] = <char>(48 + n % 10)
        n //= 10
        if n == 0:
            break
    return _out_put(o, digits + k, 24 - k)


def reveal_fields_json(KeyedBlake2b keyed, list shown, object normalize, Py_ssize_t most):
    """For `shown` = [((field, entity), values), ...]: the JSON array of
    {"count": len(values), "digests": keyed.distinct(entity, values, ...),
    "entity": entity, "field": field}, keys sorted, compact, as bytes."""
    cdef _Out o
    cdef Py_ssize_t i, k, n, found
    cdef int j
    cdef uint8_t* d = NULL
    cdef Py_ssize_t* order = NULL
    cdef int size = keyed.size
    cdef const char* hexa = b"0123456789abcdef"
    cdef const uint8_t* g
    o.n, o.cap = 0, 64 + 160 * len(shown)  # an entry of one value: ~120 bytes
    o.p = <char*>malloc(o.cap)
    if o.p == NULL:
        raise MemoryError()
    try:
        _out_put(&o, b"[", 1)
        for k in range(len(shown)):
            (field, entity), values = shown[k]
            n = len(<list>values)
            d = keyed._all(<str>entity, <list>values, normalize)
            order = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
            if order == NULL:
                raise MemoryError()
            found = _distinct_order(d, n, size, most, order)
            if k:
                _out_put(&o, b",", 1)
            _out_put(&o, b'{"count":', 9)
            _out_count(&o, n)
            _out_put(&o, b',"digests":[', 12)
            _out_room(&o, found * (2 * size + 3))
            for i in range(found):
                if i:
                    o.p[o.n] = b','
                    o.n += 1
                o.p[o.n] = b'"'
                g = d + order[i] * size
                for j in range(size):
                    o.p[o.n + 1 + 2 * j] = hexa[g[j] >> 4]
                    o.p[o.n + 2 + 2 * j] = hexa[g[j] & 15]
                o.p[o.n + 1 + 2 * size] = b'"'
                o.n += 2 + 2 * size
            free(order)
            order = NULL
            free(d)
            d = NULL
            _out_put(&o, b'],"entity":', 11)
            _out_str(&o, <str>entity)
            _out_put(&o, b',"field":', 9)
            _out_str(&o, <str>field)
            _out_put(&o, b"}", 1)
        _out_put(&o, b"]", 1)
        return PyBytes_FromStringAndSize(o.p, o.n)
    finally:
        free(order)
        free(d)
        free(o.p)
