# A request's decision on Redis (gateway/ratelimit/remote.py) in C: its
# keys and arguments made from the client's plan, the part that never changes
# built once per ClientLimits, and the script's reply read into
# admission.Admitted; on Redis Cluster, the replies of a client's slot
# groups read and put together in one pass (tests/ratelimit/test_remote.py
# holds the core to the reference).


cdef double _TIE = 1.0  # slots.TIE: refusals' waits this close are one wait


cdef inline int _strength(str penalty):
    """slots._STRENGTH: which penalty a request gets."""
    if penalty == "ban":
        return 3
    if penalty == "strict":
        return 2
    if penalty == "throttle":
        return 1
    return 0


cdef inline object _seen(object r):
    """One result of a reply: a counter's fields as a dict, else a count."""
    cdef Py_ssize_t k
    if type(r) is list:
        if len(<list>r) % 2:
            raise ValueError("a counter's fields and values come in pairs")
        return {(<list>r)[k]: int((<list>r)[k + 1]) for k in range(0, len(<list>r), 2)}
    return int(r)


cdef inline Py_ssize_t _results_end(list reply) except -1:
    """Where a reply's results end (its buckets' counts follow), checked
    against its length: the core reads without bounds checks."""
    cdef Py_ssize_t end
    if len(reply) < 7:
        raise ValueError("a decision's reply is shorter than its head")
    end = 7 + <Py_ssize_t>int(reply[6])
    if end < 7 or end > len(reply):
        raise ValueError("a decision's reply names more results than it holds")
    return end


cdef class RemoteDecisions:
    """remote.script and remote.answered, given the Verdict class and
    store.DAY_OFFSET (the core imports nothing of the gateway)."""

    cdef object verdict, day_offset

    def __init__(self, verdict, day_offset):
        self.verdict, self.day_offset = _tuple_type(verdict), day_offset

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
        cdef Py_ssize_t i, k, end = _results_end(reply)
        cdef list seen = [], remaining = []
        for i in range(7, end):  # redis_store._results
            seen.append(_seen(reply[i]))
        for i in range(end, len(reply)):
            remaining.append(int(reply[i]))
        observed = tuple(seen)
        verdict = _tuple_new(self.verdict, (
            bool(int(reply[0])), float(reply[1]), tuple(remaining), int(reply[2]),
            reply[3] or "", float(reply[4]), bool(int(reply[5])), observed))
        return _admitted(verdict, checks,
                         _fired(c, observed, checks is c.run_checks) if checks else -1)

    def decided(self, list replies, tuple groups, tuple checks, ClientLimits whole):
        """remote.decided: slots.decided over each group's `answered`, in
        one pass (the replies placed in the plan's order as they are read)."""
        cdef Py_ssize_t g, i, k, n, end, d, at, denied = -1, nb = len(whole.buckets)
        cdef int strength, rank = 0, rank_head = 0
        cdef bint allowed = True, quota = False, ran
        cdef double retry = 0.0, wait, penalty_ttl = 0.0
        cdef str penalty = "", named
        cdef tuple enumerated = (), places, dims
        cdef list reply, remaining = [0] * nb, observed
        if len(replies) != len(groups) or len(checks) != len(groups):
            raise ValueError("a reply and checks per slot group")
        for g in range(len(groups)):  # every group with ids saw the same path
            if checks[g]:
                enumerated = (whole.run_checks if checks[g] is groups[g].limits.run_checks
                              else whole.ids_checks)
        ran = enumerated is whole.run_checks and len(enumerated) > 0
        observed = [0] * len(enumerated)
        for g in range(len(groups)):
            group = groups[g]
            reply = replies[g]
            end = _results_end(reply)
            dims = <tuple>group.dims if enumerated else ()
            n = 2 * len(dims) if ran else len(dims)
            if end - 7 != n:
                raise ValueError("a slot group answered another number of results")
            for k in range(len(dims)):
                d = <Py_ssize_t>dims[k]
                if d < 0 or (2 * d + 1 if ran else d) >= len(observed):
                    raise ValueError("a slot group's dimension is not the client's")
                if ran:
                    observed[2 * d] = _seen(reply[7 + 2 * k])
                    observed[2 * d + 1] = _seen(reply[8 + 2 * k])
                else:
                    observed[d] = _seen(reply[7 + k])
            named = reply[3] or ""
            if named:
                strength = _strength(named)
                if strength > rank or (strength == rank and -<int>group.head > rank_head):
                    penalty, penalty_ttl = named, float(reply[4])
                    rank, rank_head = strength, -<int>group.head
            places = <tuple>group.buckets
            if int(reply[0]):
                if len(reply) - end != len(places):
                    raise ValueError("a slot group answered another number of buckets")
                for i in range(len(places)):
                    d = <Py_ssize_t>places[i]
                    if d < 0 or d >= nb:
                        raise ValueError("a slot group's bucket is not the client's")
                    remaining[d] = int(reply[end + i])
                continue
            wait = float(reply[1])
            i = <Py_ssize_t>int(reply[2])
            if i >= len(places):
                raise ValueError("a slot group refused by a bucket it does not have")
            at = <Py_ssize_t>places[i] if i >= 0 else -1
            # slots.refuses_before: the longer wait; within _TIE, the bucket placed first
            if allowed or wait > retry + _TIE or (wait >= retry - _TIE and at < denied):
                denied = at
                quota = bool(int(reply[5]))
            if wait > retry:
                retry = wait
            allowed = False
        seen = tuple(observed)
        verdict = _tuple_new(self.verdict, (
            allowed, retry, tuple(remaining) if allowed else (), denied, penalty, penalty_ttl,
            quota, seen))
        return _admitted(verdict, enumerated, _fired(whole, seen, ran) if enumerated else -1)
