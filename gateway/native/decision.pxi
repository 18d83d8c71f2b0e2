# What the policy does to the fields at one path: a whole-field rule, or per
# entity type the operator for findings, as the core can run it (keep, mask,
# a fixed text, block) or must call back for (hash, encryption, ...).

cdef enum ActKind:
    A_KEEP, A_MASK, A_CONST, A_BLOCK, A_PY, A_GEN

ctypedef struct Act:
    int kind
    int op              # the operator's slot in the plan's counts
    int first           # mask: explicit keep_first, or -1
    int last            # mask: explicit keep_last, or -1
    int base_first      # mask: the entity type's defaults
    int base_last
    int mode            # MaskMode; gen: GenMethod
    uchar ch
    bint mobile         # a +86 / 0086 prefix stays unmasked (keep_first not given)
    bint reveals        # the value is shown in full (the audit trail's reveals)
    int status          # block: 403 or 422
    PyObject* obj       # const: the text; py, gen: the operator (held by Decision.keep)


cdef class Decision:
    """Built by gateway/protect/native_json.py; shared by every path with the same
    answers. `actions` has one entry per entity type of the engine."""

    cdef bint has_field
    cdef Act field
    cdef unsigned long long bits
    cdef Act* acts
    cdef Py_ssize_t nact
    cdef readonly tuple hints
    cdef readonly bint prose  # texts here go to the prose pass (JsonPlan prose_min)
    cdef list keep

    def __cinit__(self):
        self.acts = NULL
        self.nact = 0
        self.keep = []

    def __init__(self, field, unsigned long long bits, list actions, tuple hints,
                 bint prose=False):
        cdef Py_ssize_t i
        self.bits = bits
        self.hints = hints
        self.prose = prose
        self.has_field = field is not None
        if field is not None:
            self._set(&self.field, field)
        self.acts = <Act*>malloc((len(actions) + 1) * sizeof(Act))
        if self.acts == NULL:
            raise MemoryError()
        self.nact = len(actions)
        for i in range(self.nact):
            self._set(&self.acts[i], actions[i])

    cdef int _set(self, Act* a, tuple spec) except -1:
        kind = spec[0]
        memset(a, 0, sizeof(Act))
        a.op = spec[1]
        a.first = a.last = -1
        if kind == "keep":
            a.kind = A_KEEP
            a.reveals = spec[2]
        elif kind == "mask":
            a.kind = A_MASK
            a.first, a.last, a.base_first, a.base_last = spec[2], spec[3], spec[4], spec[5]
            if len(spec[6]) != 1:
                raise ValueError("a mask character is one character")
            a.ch = ord(spec[6])
            a.mode = spec[7]
            a.mobile = spec[8]
        elif kind == "const":
            a.kind = A_CONST
            self.keep.append(spec[2])
            a.obj = <PyObject*>spec[2]
        elif kind == "block":
            a.kind = A_BLOCK
            a.status = spec[2]
        elif kind == "py":
            a.kind = A_PY
            self.keep.append(spec[2])
            a.obj = <PyObject*>spec[2]
        elif kind == "gen":  # ("gen", slot, method, province only, operator)
            a.kind = A_GEN
            a.mode = spec[2]
            a.first = 1 if spec[3] else 0
            self.keep.append(spec[4])
            a.obj = <PyObject*>spec[4]
        else:
            raise ValueError(f"unknown action {kind!r}")
        return 0

    def __dealloc__(self):
        free(self.acts)


cdef int apply_mask(Out* o, const Act* a, const uchar* v, Py_ssize_t n) except -1:
    cdef Py_ssize_t first, last
    if a.mode == MASK_ADDRESS:
        return mask_address(o, v, n, a.ch)
    if a.mode == MASK_EMAIL:
        return mask_email(o, v, n, a.ch)
    if a.mode == MASK_IP:
        return mask_ip(o, v, n, a.ch)
    first = a.first
    if first < 0:
        first = a.base_first
        if a.mobile:
            first += max(0, digit_count(v, n) - 11)
    last = a.last if a.last >= 0 else a.base_last
    return mask_text(o, v, n, first, last, a.ch)
