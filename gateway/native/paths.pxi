# Key paths seen in bodies, as a trie of node ids, each with the policy's
# decision for the fields at that path: computed once per path and plan,
# not once per leaf. Nodes are never moved or freed while the plan lives,
# so a node id stays valid across calls back into Python (another thread
# may add nodes meanwhile).

from cpython.ref cimport PyObject, Py_XINCREF, Py_XDECREF

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)

cdef enum:
    CHUNK_BITS = 10
    CHUNK = 1 << CHUNK_BITS
    MAX_CHUNKS = 64                 # 65,536 paths per plan; beyond, decisions are not cached
    BUCKETS = 1 << 17
    NO_INDEX = -2                   # a key node
    ANY_INDEX = -1                  # a list position, when no rule names one

ctypedef struct Node:
    int parent
    Py_ssize_t index                # list position, ANY_INDEX, or NO_INDEX for a key
    unsigned char* key              # UTF-8
    Py_ssize_t key_n
    unsigned long long hash
    int next                        # the next node in its bucket, or -1
    PyObject* answer                # (Decision, the path with list positions as [*]), once resolved
    bint header                     # a table's header key (codecs/tables.py): its value decides

ctypedef struct Paths:
    Node* chunks[MAX_CHUNKS]
    int count
    int limit                       # at most this many nodes (MAX_CHUNKS * CHUNK)
    int* buckets


cdef int paths_init(Paths* p, int limit) except -1:
    """An empty table holding only the root, node 0 (the path ())."""
    cdef int i
    memset(p, 0, sizeof(Paths))
    p.limit = min(max(limit, 1), MAX_CHUNKS * CHUNK)
    p.buckets = <int*>malloc(BUCKETS * sizeof(int))
    p.chunks[0] = <Node*>malloc(CHUNK * sizeof(Node))
    if p.buckets == NULL or p.chunks[0] == NULL:
        raise MemoryError()
    for i in range(BUCKETS):
        p.buckets[i] = -1
    memset(&p.chunks[0][0], 0, sizeof(Node))
    p.chunks[0][0].parent = -1
    p.chunks[0][0].index = NO_INDEX
    p.chunks[0][0].next = -1
    p.count = 1
    return 0


cdef void paths_free(Paths* p) noexcept:
    cdef int i, k
    cdef Node* node
    for i in range(MAX_CHUNKS):
        if p.chunks[i] == NULL:
            continue
        for k in range(CHUNK):
            if i * CHUNK + k >= p.count:
                break
            node = &p.chunks[i][k]
            free(node.key)
            Py_XDECREF(node.answer)
        free(p.chunks[i])
        p.chunks[i] = NULL
    free(p.buckets)
    p.buckets = NULL


cdef inline Node* node_at(Paths* p, int id) noexcept nogil:
    return &p.chunks[id >> CHUNK_BITS][id & (CHUNK - 1)]


cdef inline unsigned long long path_hash(int parent, Py_ssize_t index,
                                         const unsigned char* key, Py_ssize_t key_n):
    cdef unsigned long long h
    h = hash_bytes(key, key_n) if index == NO_INDEX else <unsigned long long>(index + 7)
    return (h * 31 + <unsigned long long>parent) * 0x9E3779B97F4A7C15ULL


cdef inline int lookup(Paths* p, unsigned long long h, int parent, Py_ssize_t index,
                       const unsigned char* key, Py_ssize_t key_n):
    """The node with this hash and identity, or -1."""
    cdef int id = p.buckets[<int>(h >> 47) & (BUCKETS - 1)]
    cdef Node* node
    while id >= 0:
        node = node_at(p, id)
        if node.hash == h and node.parent == parent and node.index == index \
                and node.key_n == key_n \
                and (key_n == 0 or memcmp(node.key, key, key_n) == 0):
            return id
        id = node.next
    return -1


cdef int find(Paths* p, int parent, Py_ssize_t index, const unsigned char* key,
              Py_ssize_t key_n):
    """The node under `parent` for a key or a list position if the path is
    known; -1 if not (or the parent is uncached). Creates nothing."""
    if parent < 0:
        return -1
    return lookup(p, path_hash(parent, index, key, key_n), parent, index, key, key_n)


cdef int child(Paths* p, int parent, Py_ssize_t index, const unsigned char* key,
               Py_ssize_t key_n) except -2:
    """The node under `parent` for a key or a list position; a new one if the
    path is new; -1 when the table is full or the parent is uncached."""
    cdef unsigned long long h
    cdef int id, slot
    cdef Node* node
    if parent < 0:
        return -1
    h = path_hash(parent, index, key, key_n)
    id = lookup(p, h, parent, index, key, key_n)
    if id >= 0:
        return id
    if p.count >= p.limit:
        return -1
    slot = <int>(h >> 47) & (BUCKETS - 1)
    id = p.count
    if p.chunks[id >> CHUNK_BITS] == NULL:
        p.chunks[id >> CHUNK_BITS] = <Node*>malloc(CHUNK * sizeof(Node))
        if p.chunks[id >> CHUNK_BITS] == NULL:
            raise MemoryError()
    node = node_at(p, id)
    node.parent = parent
    node.index = index
    node.key_n = key_n
    node.key = NULL
    if key_n:
        node.key = <unsigned char*>malloc(key_n)
        if node.key == NULL:
            raise MemoryError()
        memcpy(node.key, key, key_n)
    node.hash = h
    node.answer = NULL
    node.header = False
    node.next = p.buckets[slot]
    p.buckets[slot] = id
    p.count += 1
    return id


cdef object node_path(Paths* p, int id):
    """The node's path as a tuple (list positions as written, ANY_INDEX as 0)."""
    cdef list parts = []
    cdef Node* node
    while id > 0:
        node = node_at(p, id)
        if node.index == NO_INDEX:
            parts.append(utf8_str(node.key, node.key_n))
        else:
            parts.append(node.index if node.index >= 0 else 0)
        id = node.parent
    parts.reverse()
    return tuple(parts)


cdef object chars_str(const uchar* c, Py_ssize_t n):
    return PyUnicode_FromKindAndData(4, c, n)


cdef object utf8_str(const unsigned char* c, Py_ssize_t n):
    return PyUnicode_DecodeUTF8(<const char*>c, n, b"surrogatepass")
