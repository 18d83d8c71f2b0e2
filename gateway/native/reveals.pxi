# The `fields` of an audit reveal record as JSON, written here instead of as
# a dict per field that orjson then serializes: gateway/audit/reveals.py's
# `reveal_fields`, held byte for byte to orjson's sorted-keys output by
# tests/audit/test_reveals.py. Strings are escaped by jsondoc.pxi's
# `put_escaped` (json.dumps's form, which for valid text is orjson's).

from libc.stdlib cimport free, malloc
from libc.string cimport memcpy


cdef int _put_name(Bytes* b, str text) except -1:
    """A JSON string: `text` quoted and escaped. A lone surrogate (no UTF-8
    for it; orjson refuses it too) raises UnicodeEncodeError."""
    cdef Py_ssize_t n = len(text), i
    cdef uchar stack[128]
    cdef uchar* units = stack
    cdef const unsigned char* ascii
    if PyUnicode_IS_ASCII(text):  # the usual name: copied whole when nothing needs escaping
        ascii = <const unsigned char*>PyUnicode_AsUTF8AndSize(text, &n)
        for i in range(n):
            if ascii[i] < 0x20 or ascii[i] == 0x22 or ascii[i] == 0x5c:
                break
        else:
            bytes_reserve(b, n + 2)
            b.v[b.n] = b'"'
            memcpy(b.v + b.n + 1, ascii, n)
            b.v[b.n + 1 + n] = b'"'
            b.n += n + 2
            return 0
    if n >= 128:
        units = <uchar*>malloc((n + 1) * sizeof(uchar))
        if units == NULL:
            raise MemoryError()
    try:
        PyUnicode_AsUCS4(text, <Py_UCS4*>units, n + 1, 1)
        bytes_add(b, b"\"", 1)
        if put_escaped(b, units, n):
            raise UnicodeEncodeError("utf-8", text, 0, n, "surrogates not allowed")
        bytes_add(b, b"\"", 1)
    finally:
        if units != stack:
            free(units)
    return 0


cdef int _put_count(Bytes* b, Py_ssize_t n) except -1:
    """A count (n >= 0) in decimal."""
    cdef char digits[24]
    cdef int k = 24
    while True:
        k -= 1
        digits[k] = <char>(48 + n % 10)
        n //= 10
        if n == 0:
            break
    return bytes_add(b, digits + k, 24 - k)


def reveal_fields_json(KeyedBlake2b keyed, list shown, object normalize, Py_ssize_t most):
    """For `shown` = [((field, entity), values), ...]: the JSON array of
    {"count": len(values), "digests": keyed.distinct(entity, values, ...),
    "entity": entity, "field": field}, keys sorted, compact, as bytes."""
    cdef Bytes b
    cdef Py_ssize_t i, k, n, found
    cdef uint8_t* d = NULL
    cdef Py_ssize_t* order = NULL
    cdef int size = keyed.size
    b.v, b.n, b.cap = NULL, 0, 0
    try:
        bytes_reserve(&b, 64 + 160 * len(shown))  # an entry of one value: ~120 bytes
        bytes_add(&b, b"[", 1)
        for k in range(len(shown)):
            (field, entity), values = shown[k]
            n = len(<list>values)
            d = keyed._all(<str>entity, <list>values, normalize)
            order = <Py_ssize_t*>malloc((2 * n + 1) * sizeof(Py_ssize_t))
            if order == NULL:
                raise MemoryError()
            found = _distinct_order(d, n, size, most, order)
            bytes_add(&b, b',{"count":' if k else b'{"count":', 10 if k else 9)
            _put_count(&b, n)
            bytes_add(&b, b',"digests":[', 12)
            bytes_reserve(&b, found * (2 * size + 3))
            for i in range(found):
                if i:
                    b.v[b.n] = b','
                    b.n += 1
                b.v[b.n] = b'"'
                hex_into(b.v + b.n + 1, d + order[i] * size, size)
                b.v[b.n + 1 + 2 * size] = b'"'
                b.n += 2 + 2 * size
            free(order)
            order = NULL
            free(d)
            d = NULL
            bytes_add(&b, b'],"entity":', 11)
            _put_name(&b, <str>entity)
            bytes_add(&b, b',"field":', 9)
            _put_name(&b, <str>field)
            bytes_add(&b, b"}", 1)
        bytes_add(&b, b"]", 1)
        return PyBytes_FromStringAndSize(b.v, b.n)
    finally:
        free(order)
        free(d)
        free(b.v)
