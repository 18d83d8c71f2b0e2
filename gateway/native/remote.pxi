# A request's decision on Redis (gateway/ratelimit/remote.py) in C: its
# keys and arguments made from the client's plan, the part that never changes
# built once per ClientLimits, and the script's reply read into
# admission.Admitted (tests/ratelimit/test_remote.py holds the two to that).


cdef class RemoteDecisions:
    """remote.script and remote.answered, given the Verdict class and
    store.DAY_OFFSET (the core imports nothing of the gateway)."""

    cdef object verdict, day_offset

    def __init__(self, verdict, day_offset):
        self.verdict, self.day_offset = verdict, day_offset

    cdef void _fixed(self, ClientLimits c) except *:
        """redis_store.decision's keys and arguments without ops."""
        cdef list keys = [], args = [len(c.buckets), len(c.penalty_keys), self.day_offset]
        for b in c.buckets:
            keys.append(b.key)
            args += [repr(b.rate), b.burst, b.quota]
        keys.extend(c.penalty_keys)
        c.fixed_keys, c.fixed_args, c.fixed_window = keys, args, c.window

    def script(self, ClientLimits c, str path):
        """remote.script: (keys, args, checks); None when the ids of `path`
        need the reference (not ASCII, or no keyed digest)."""
        cdef list keys, args, members = []
        cdef long long last
        cdef Py_ssize_t n
        if c.fixed_keys is None:
            self._fixed(c)
        if not c.path_ids or not c.enumeration:
            return c.fixed_keys[:], c.fixed_args[:], ()
        if not PyUnicode_IS_ASCII(path) or c.mac is None:
            return None
        last = _scan_ids(c, path, members)
        keys, args = c.fixed_keys[:], c.fixed_args[:]
        if not members:
            return keys, args, ()
        n = len(members)
        value = str(last + c.run_offset) if last >= 0 else None
        for pair in c.enumeration:  # redis_store._op_args of ids.enumeration_ops
            keys.append((<tuple>pair)[0])
            args += ["d", c.fixed_window, n]
            args.extend(members)
            if value is not None:
                keys.append((<tuple>pair)[1])
                args += ["r", c.fixed_window, 1, value]
        return keys, args, (c.run_checks if value is not None else c.ids_checks)

    def answered(self, list reply, ClientLimits c, tuple checks):
        """remote.answered: the reply as admission.Admitted."""
        cdef Py_ssize_t i, k, end = 7 + <Py_ssize_t>int(reply[6])
        cdef list seen = [], remaining = []
        for i in range(7, end):  # redis_store._results
            r = reply[i]
            if type(r) is list:
                seen.append({(<list>r)[k]: int((<list>r)[k + 1])
                             for k in range(0, len(<list>r), 2)})
            else:
                seen.append(int(r))
        for i in range(end, len(reply)):
            remaining.append(int(reply[i]))
        observed = tuple(seen)
        verdict = _tuple_new(self.verdict, (
            bool(int(reply[0])), float(reply[1]), tuple(remaining), int(reply[2]),
            reply[3] or "", float(reply[4]), bool(int(reply[5])), observed))
        return _admitted(verdict, checks,
                         _fired(c, observed, checks is c.run_checks) if checks else -1)
