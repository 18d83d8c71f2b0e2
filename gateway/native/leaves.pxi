# One leaf of a JSON document through its plan: a whole-field rule, or
# detection and the operators (from the last finding backwards, as the
# reference applies them); replacements go to the document's arena.


cdef int replace_chars(Doc* d, Py_ssize_t tok, Out* arena, const uchar* c,
                       Py_ssize_t n) except -1:
    d.rep[tok] = arena.n
    d.rep_n[tok] = n
    out_chars(arena, c, n)
    d.changed = True
    return 0


cdef int replace_str(Doc* d, Py_ssize_t tok, Out* arena, object text) except -1:
    cdef Py_ssize_t n = len(text)
    out_reserve(arena, n + 1)
    if n:
        PyUnicode_AsUCS4(text, <Py_UCS4*>(arena.v + arena.n), n + 1, 1)
    d.rep[tok] = arena.n
    d.rep_n[tok] = n
    arena.n += n
    d.changed = True
    return 0


cdef int field_leaf(JsonPlan plan, object call, Doc* docs, Py_ssize_t di, Py_ssize_t tok,
                    bint lines, Decision dec,
                    object pattern, Py_ssize_t* counts, Py_ssize_t nops, Py_ssize_t nent,
                    object reveals, Out* arena, Out* piece, uchar* scratch) except -1:
    """A whole-field rule on one leaf (entity FIELD)."""
    cdef Doc* d = &docs[di]
    cdef Act* a = &dec.field
    cdef Tok* t = &d.toks.v[tok]
    cdef Py_ssize_t n, k
    if a.kind == A_GEN:
        n = t.end - t.start if t.kind == T_NUM else decode_string(d.s, t.start, t.end, scratch)
        if t.kind == T_NUM:
            for k in range(n):
                scratch[k] = d.s[t.start + k]
        piece.n = 0
        if gen_apply(piece, a.mode, a.first, scratch, n):
            counts[nent * nops + a.op] += 1
            if piece.n != n or memcmp(piece.v, scratch, n * sizeof(uchar)) != 0:
                replace_chars(d, tok, arena, piece.v, piece.n)
            return 0
    if a.kind == A_PY or a.kind == A_GEN or a.kind == A_BLOCK or (a.kind == A_KEEP and reveals is not None
                                              and a.reveals):
        text = plan._text(d, tok, scratch)
        if a.kind == A_PY or a.kind == A_GEN:
            new = call.run(<object>a.obj, text, "FIELD", plan._path(docs, di, tok, lines),
                           plan._records(docs, di, tok, lines, scratch))
            if new != text:
                replace_str(d, tok, arena, new)
            return 0
        if a.kind == A_BLOCK:
            call.block(a.status, plan._path(docs, di, tok, lines), "FIELD")
            return 0
        reveals.setdefault((pattern, "FIELD"), []).append(text)
    counts[nent * nops + a.op] += 1
    if a.kind == A_KEEP:
        return 0
    if a.kind == A_CONST:
        text = <object>a.obj
        if text != plan._text(d, tok, scratch):
            replace_str(d, tok, arena, text)
        return 0
    n = t.end - t.start if t.kind == T_NUM else decode_string(d.s, t.start, t.end, scratch)
    if t.kind == T_NUM:
        for k in range(n):
            scratch[k] = d.s[t.start + k]
    piece.n = 0
    apply_mask(piece, a, scratch, n)
    if piece.n != n or memcmp(piece.v, scratch, n * sizeof(uchar)) != 0:
        replace_chars(d, tok, arena, piece.v, piece.n)
    return 0


cdef int scan_leaf(JsonPlan plan, object call, Doc* docs, Py_ssize_t di, Py_ssize_t tok,
                   bint lines, Decision dec,
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
        new = call.leaf(text, plan._path(docs, di, tok, lines), dec.hints,
                        plan._records(docs, di, tok, lines, scratch))
        if new != text:
            replace_str(d, tok, arena, new)
        return 0
    found.n = 0
    tokens_free(tk)
    scan_text(&plan.engine.cfg, &x, dec.bits, found, raw, tk, stage != STAGE_SCAN)
    if stage == STAGE_SCAN:
        return 0
    if plan.custom or (plan.prose_min and dec.prose
                       and ((_han_at_least(x.o, n, plan.prose_min)
                             and not organisation(&plan.engine.cfg.tables, &x))
                            or pinyin_pair(&plan.engine.cfg.tables, &x))):
        if plan.custom or plan.finder is None or pinyin_pair(&plan.engine.cfg.tables, &x):
            for entity, start, stop, score, rec in call.custom(chars_str(x.o, n), dec.hints):
                spans_push(found, entity, -1, start, stop, score)
        else:  # Chinese prose alone: the pass in C, no round through Python
            for start, stop in plan.finder._find(x.o, n):
                spans_push(found, plan.prose_entity, -1, start, stop, plan.prose_score)
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
        shown = None  # the finding's text, made once for values and reveals
        if values is not None:
            name = plan.entity_names[f.entity]
            bucket = values.get(name)
            if bucket is None:
                bucket = values[name] = set()
            shown = chars_str(x.o + f.start, f.end - f.start)
            bucket.add(shown)
        # the text after this finding, reversed into `piece` later
        m = piece.n
        out_chars(piece, x.o + f.end, end - f.end)
        _reverse(piece.v + m, end - f.end)
        m = piece.n
        if a.kind == A_KEEP:
            counts[f.entity * nops + a.op] += 1
            out_chars(piece, x.o + f.start, f.end - f.start)
            if reveals is not None and a.reveals:
                reveals.setdefault((pattern, plan.entity_names[f.entity]), []).append(
                    shown if shown is not None else chars_str(x.o + f.start, f.end - f.start))
        elif a.kind == A_MASK:
            counts[f.entity * nops + a.op] += 1
            apply_mask(piece, a, x.o + f.start, f.end - f.start)
            changed = True
        elif a.kind == A_CONST:
            counts[f.entity * nops + a.op] += 1
            piece_str(piece, <object>a.obj)
            changed = True
        elif a.kind == A_BLOCK:
            call.block(a.status, plan._path(docs, di, tok, lines),
                       plan.entity_names[f.entity])
        elif a.kind == A_GEN and gen_apply(piece, a.mode, a.first, x.o + f.start,
                                          f.end - f.start):
            counts[f.entity * nops + a.op] += 1
            changed = True
        else:
            new = call.run(<object>a.obj, chars_str(x.o + f.start, f.end - f.start),
                           plan.entity_names[f.entity],
                           plan._path(docs, di, tok, lines),
                           plan._records(docs, di, tok, lines, scratch))
            piece_str(piece, new)
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
        replace_chars(d, tok, arena, piece.v, piece.n)
    return 0


cdef bint _han_at_least(const uchar* c, Py_ssize_t n, int most) noexcept nogil:
    """At least `most` Chinese characters (U+4E00-U+9FFF) in c[:n]."""
    cdef Py_ssize_t k
    cdef int count = 0
    for k in range(n):
        if is_han(c[k]):
            count += 1
            if count >= most:
                return True
    return False


cdef int piece_str(Out* piece, object text) except -1:
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
