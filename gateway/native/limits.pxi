# The in-memory rate-limit store's table: gateway/ratelimit/table.py's Table
# in C, with the same answers (tests/ratelimit/test_table.py holds the two to
# that on random sequences). An entry is one object with typed fields (a
# bucket's TAT, a quota's count, a run's length) instead of a boxed value;
# sets, counters and penalty texts stay Python objects.

cimport cython
from cpython.dict cimport PyDict_GetItem
from cpython.set cimport PySet_Add
from libc.math cimport copysign, floor, fmod

cdef extern from *:
    """
    /* tuple.__new__(kind, items) for a subclass of tuple (store.Verdict, a
       named tuple), made as CPython's tuple_subtype_new makes it: the
       subclass allocated, the items copied in. Called through tuple.__new__
       it took ~900 instructions a verdict (the argument tuple, the type
       checks of its Python entry); this takes ~100. `kind` is checked once,
       where it is passed in (_tuple_type). */
    static PyObject* pgw_subtuple(PyObject* kind, PyObject* items) {
        PyTypeObject* type = (PyTypeObject*)kind;
        Py_ssize_t i, n = PyTuple_GET_SIZE(items);
        PyObject* made = type->tp_alloc(type, n);
        if (made == NULL) return NULL;
        for (i = 0; i < n; i++) {
            PyObject* v = PyTuple_GET_ITEM(items, i);
            Py_INCREF(v);
            PyTuple_SET_ITEM(made, i, v);
        }
        return made;
    }
    """
    object _tuple_new "pgw_subtuple" (object kind, tuple items)


cdef object _tuple_type(kind):
    """`kind`, checked to be a subclass of tuple that adds no fields of its
    own (a named tuple: `__slots__ = ()`), as _tuple_new makes them."""
    if (not isinstance(kind, type) or not issubclass(kind, tuple) or kind is tuple
            or (<type>kind).__basicsize__ != tuple.__basicsize__):
        raise TypeError("the verdict type must be a named tuple")
    return kind


cdef inline double _py_mod(double vx, double wx) noexcept:
    """Python's float %."""
    cdef double mod = fmod(vx, wx)
    if mod:
        if (wx < 0) != (mod < 0):
            mod += wx
    else:
        mod = copysign(0.0, wx)
    return mod


cdef inline double _py_floordiv(double vx, double wx) noexcept:
    """Python's float //."""
    cdef double mod = fmod(vx, wx)
    cdef double div = (vx - mod) / wx
    cdef double fl
    if mod:
        if (wx < 0) != (mod < 0):
            div -= 1.0
    if div:
        fl = floor(div)
        if div - fl > 0.5:
            fl += 1.0
        return fl
    return copysign(0.0, vx / wx)


@cython.freelist(64)
cdef class _Slot:
    cdef double expires
    cdef double tat        # a bucket
    cdef long long count   # a daily quota
    cdef object value      # a distinct set, a counters dict, a penalty text, a run's last value
    cdef long long length  # a run

cdef enum:
    _ID_MEMBERS = 1000  # ids.MEMBERS


@cython.final
cdef class _Buckets:
    """store.Bucket's fields in C arrays: a decision reads no attribute."""

    cdef tuple keys
    cdef Py_ssize_t n
    cdef double* rates
    cdef long long* bursts
    cdef long long* quotas

    def __cinit__(self, buckets):
        cdef Py_ssize_t i
        self.n = len(buckets)
        self.rates = <double*>malloc((self.n + 1) * sizeof(double))
        self.bursts = <long long*>malloc((self.n + 1) * sizeof(long long))
        self.quotas = <long long*>malloc((self.n + 1) * sizeof(long long))
        if self.rates == NULL or self.bursts == NULL or self.quotas == NULL:
            raise MemoryError()
        keys = []
        for i in range(self.n):
            b = buckets[i]
            keys.append(b.key)
            self.rates[i], self.bursts[i], self.quotas[i] = b.rate, b.burst, b.quota
        self.keys = tuple(keys)

    def __dealloc__(self):
        free(self.rates)
        free(self.bursts)
        free(self.quotas)


cdef class ClientLimits:
    """admission.ClientLimits, as LimitTable.admit reads it (the same arguments)."""

    cdef readonly tuple buckets, penalty_keys, enumeration, ids_checks, run_checks
    cdef _Buckets bs
    cdef KeyedBlake2b mac
    cdef readonly bint path_ids
    cdef readonly double window
    cdef readonly long long max_ids, run_at, run_offset
    cdef list fixed_keys, fixed_args  # RemoteDecisions': made on first use
    cdef object fixed_window

    def __init__(self, tuple buckets, tuple penalty_keys, tuple enumeration, digest,
                 bint path_ids, double window, long long max_ids, long long run_at,
                 long long run_offset, tuple ids_checks, tuple run_checks):
        self.buckets, self.penalty_keys, self.enumeration = buckets, penalty_keys, enumeration
        self.bs = _Buckets(buckets)
        self.mac = digest.native if digest is not None else None
        self.path_ids, self.window = path_ids, window
        self.max_ids, self.run_at, self.run_offset = max_ids, run_at, run_offset
        self.ids_checks, self.run_checks = ids_checks, run_checks


cdef inline bint _uuid_at(const char* p) noexcept:
    """p[:36] is a UUID: hex digits in 8-4-4-4-12 groups."""
    cdef int i
    cdef char c
    for i in range(36):
        c = p[i]
        if i == 8 or i == 13 or i == 18 or i == 23:
            if c != 45:  # '-'
                return False
        elif not (48 <= c <= 57 or 97 <= c <= 102 or 65 <= c <= 70):
            return False
    return True


cdef long long _scan_ids(ClientLimits c, str path, list members) except -2:
    """ids.path_ids and ids.run_value over an ASCII `path`: the keyed digests
    of its ids (at most ids.MEMBERS) appended to `members`; the last short
    number's value, -1 without one."""
    cdef const char* p
    cdef Py_ssize_t n, i = 0, start, size, sig, k
    cdef long long last = -1, value
    cdef bint digits
    p = PyUnicode_AsUTF8AndSize(path, &n)
    while i < n:  # each segment after a "/": ids.path_ids
        if p[i] != 47:
            i += 1
            continue
        start = i = i + 1
        digits, sig = True, 0
        while i < n and p[i] != 47:
            if not 48 <= p[i] <= 57:
                digits = False
            elif sig or p[i] != 48:
                sig += 1  # digits after the leading zeros
            i += 1
        size = i - start
        if digits and 1 <= size <= 20:
            if sig <= 10:  # under ids.RUN_MAX: the last such id joins the run
                value = 0
                for k in range(start, i):
                    value = value * 10 + (p[k] - 48)
                last = value
        elif size != 36 or not _uuid_at(p + start):
            continue
        if len(members) < _ID_MEMBERS:
            members.append(c.mac.text_hex(b"id", 2, p + start, size))
    return last


cdef Py_ssize_t _fired(ClientLimits c, observed, bint ran) except -2:
    """admission.fired: the first enumeration result that fires, -1."""
    cdef Py_ssize_t k
    for k in range(len(observed)):
        if ((<long long>observed[k] >= c.run_at) if ran and k % 2
                else (<long long>observed[k] > c.max_ids)):
            return k
    return -1


cdef tuple _admitted(object verdict, tuple checks, Py_ssize_t fired):
    """admission.Admitted: the verdict, the checks, the firing one and the
    tightest bucket (the first with the fewest requests left; -1 when refused
    or without buckets)."""
    cdef tuple remaining = <tuple>(<tuple>verdict)[2]
    cdef Py_ssize_t i, tightest = -1
    cdef long long least = 0, left
    if (<tuple>verdict)[0]:
        for i in range(len(remaining)):
            left = <long long>remaining[i]
            if tightest < 0 or left < least:
                tightest, least = i, left
    return (verdict, checks, fired, tightest)


cdef class LimitTable:
    """table.Table in C: decide, observe, put, find, pop, len()."""

    cdef dict data
    cdef long long made
    cdef object verdict
    cdef double slack, day_offset
    cdef long long sweep_every

    def __init__(self, verdict, double slack, double day_offset, long long sweep_every):
        """store.Verdict (the named tuple `decide` answers with), store.GCRA_SLACK,
        store.DAY_OFFSET and table.SWEEP_EVERY: the twin's, passed in, not copied."""
        if sweep_every < 1:
            raise ValueError("sweep_every must be at least 1")
        self.data = {}
        self.made = 0
        self.verdict = _tuple_type(verdict)
        self.slack, self.day_offset, self.sweep_every = slack, day_offset, sweep_every

    def __len__(self):
        return len(self.data)

    cdef inline _Slot _live(self, key, double now):
        cdef PyObject* p = PyDict_GetItem(self.data, key)
        if p == NULL or (<_Slot>p).expires <= now:
            return None
        return <_Slot>p

    cdef _Slot _new(self, key, double expires, double now):
        cdef _Slot e = _Slot.__new__(_Slot)
        e.expires = expires
        self.data[key] = e
        self.made += 1
        if self.made % self.sweep_every == 0:
            self.data = {k: v for k, v in self.data.items() if (<_Slot>v).expires > now}
        return e

    cdef _Slot _window(self, key, double window, double now, bint counters):
        cdef _Slot e = self._live(key, now)
        cdef double end
        if e is None:
            end = (floor(now / window) + 1.0) * window
            e = self._new(key, end if end > now else now + window, now)
            e.value = {} if counters else set()
        return e

    def observe(self, ops, double now):
        cdef list results = []
        cdef tuple op
        cdef _Slot e
        cdef dict counts
        for item in ops:
            op = <tuple>item
            kind = op[0]
            if kind == "distinct":
                e = self._window(op[1], op[2], now, False)
                (<set>e.value).update(op[3])
                results.append(len(<set>e.value))
            elif kind == "count" or kind == "add":
                e = self._window(op[1], op[2], now, True)
                counts = <dict>e.value
                for name in op[3]:
                    counts[name] = counts.get(name, 0) + 1
                results.append(dict(counts) if kind == "count" else 0)
            else:
                results.append(self._run(op[1], op[4], op[2], now))
        return results

    cdef long long _run(self, key, value, double window, double now) except -1:
        cdef _Slot e = self._live(key, now)
        if e is None:
            e = self._new(key, now + window, now)
            e.value, e.length = value, 1
            return 1
        step = abs(value - e.value)
        if step == 1:
            e.length += 1
        elif step != 0:
            e.length = 1
        e.value, e.expires = value, now + window
        return e.length

    def decide(self, buckets, penalty_keys, ops, double now):
        cdef tuple observed = tuple(self.observe(ops, now))
        return self._decide(_Buckets(buckets), penalty_keys, observed, now)

    cdef _decide(self, _Buckets bs, penalty_keys, tuple observed, double now):
        """decide, the ops' results given."""
        cdef _Slot e, used
        cdef str penalty = ""
        cdef double penalty_ttl = 0.0, rate, interval, tolerance, tat, new_tat
        cdef long long factor = 1, burst, left, quota
        cdef Py_ssize_t i = 0, n = bs.n
        cdef double stack[16]
        cdef double* tats = stack
        cdef list slots = [], remaining = []
        qsuffix = None
        for key in penalty_keys:
            e = self._live(key, now)
            if e is not None:
                head = str(e.value).partition("|")[0]
                penalty, _, f = head.partition(":")
                factor, penalty_ttl = int(f or 1), e.expires - now
                break
        if penalty == "ban":
            return _tuple_new(self.verdict, (False, penalty_ttl, (0,) * n, -1, penalty,
                                             penalty_ttl, False, observed))
        if n > 16:
            tats = <double*>malloc(n * sizeof(double))
            if tats == NULL:
                raise MemoryError()
        try:
            for i in range(n):
                if penalty == "throttle":
                    rate, burst = bs.rates[i] / factor, 1
                else:
                    rate, burst = bs.rates[i], bs.bursts[i]
                e = self._live(bs.keys[i], now)
                tat = e.tat if e is not None else now
                interval = 1.0 / rate
                tolerance = interval * burst + self.slack
                if now > tat:
                    tat = now
                new_tat = tat + interval
                if new_tat - now > tolerance:
                    return _tuple_new(self.verdict, (
                        False, max(new_tat - now - tolerance, self.slack), tuple(remaining), i,
                        penalty, penalty_ttl, False, observed))
                quota = bs.quotas[i]
                if quota:
                    if qsuffix is None:
                        qsuffix = f":q{<long long>_py_floordiv(now + self.day_offset, 86400.0)}"
                    used = self._live(bs.keys[i] + qsuffix, now)
                    if used is not None and used.count >= quota:
                        return _tuple_new(self.verdict, (
                            False, 86400 - _py_mod(now + self.day_offset, 86400.0),
                            tuple(remaining), i, penalty, penalty_ttl, True, observed))
                left = <long long>((tolerance - (new_tat - now)) / interval)
                remaining.append(left if left > 0 else 0)
                slots.append(e)
                tats[i] = new_tat
            for i in range(n):
                new_tat = tats[i]
                e = slots[i]
                if e is None:
                    e = self._new(bs.keys[i], new_tat + 1, now)
                else:
                    e.expires = new_tat + 1
                e.tat = new_tat
                if bs.quotas[i]:
                    used = self._live(bs.keys[i] + qsuffix, now)
                    if used is None:
                        used = self._new(bs.keys[i] + qsuffix,
                                         now + (86400 - _py_mod(now + self.day_offset, 86400.0))
                                         + 60, now)
                        used.count = 1
                    else:
                        used.count += 1
        finally:
            if tats != stack:
                free(tats)
        return _tuple_new(self.verdict, (True, 0.0, tuple(remaining), -1, penalty,
                                         penalty_ttl, False, observed))

    def admit(self, ClientLimits c, str path, double now):
        """admission.admit: (verdict, checks, fired, tightest) for a request
        to `path` without a query string; None when the ids of `path` need
        the reference (not ASCII, or no keyed digest)."""
        cdef list members = [], observed = []
        cdef long long last
        cdef _Slot e
        if not c.path_ids or not c.enumeration:
            return _admitted(self._decide(c.bs, c.penalty_keys, (), now), (), -1)
        if not PyUnicode_IS_ASCII(path) or c.mac is None:
            return None
        last = _scan_ids(c, path, members)
        if not members:
            return _admitted(self._decide(c.bs, c.penalty_keys, (), now), (), -1)
        stored = last + c.run_offset if last >= 0 else None
        for pair in c.enumeration:
            e = self._window((<tuple>pair)[0], c.window, now, False)
            for m in members:  # PySet_Add: set.update is a method call
                PySet_Add(e.value, m)
            observed.append(len(<set>e.value))
            if stored is not None:
                observed.append(self._run((<tuple>pair)[1], stored, c.window, now))
        return _admitted(self._decide(c.bs, c.penalty_keys, tuple(observed), now),
                         c.run_checks if stored is not None else c.ids_checks,
                         _fired(c, observed, stored is not None))

    def put(self, key, str value, double expires, double now):
        cdef _Slot e = self._new(key, expires, now)
        e.value = value

    def find(self, str prefix, double now):
        return [(k, (<_Slot>e).value, (<_Slot>e).expires) for k, e in self.data.items()
                if k.startswith(prefix) and (<_Slot>e).expires > now
                and isinstance((<_Slot>e).value, str)]

    def pop(self, key):
        return self.data.pop(key, None) is not None
