# One text through the built-in recognizers: gates, patterns with their
# checks, presidio's per-recognizer and final steps.

cdef bint check(const Config* cfg, int kind, const Text* x, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    if kind == K_ID18 or kind == K_ID15:
        return v_resident_id(x, s, e)
    if kind == K_MOBILE:
        return v_mobile(x, s, e)
    if kind == K_LANDLINE:
        return v_landline(x, s, e)
    if kind == K_UNIONPAY or kind == K_CARD:
        return v_bank_card(x, s, e)
    if kind == K_BRAND:
        return v_brand(x, s, e)
    if kind == K_USCC or kind == K_USCC_DIGITS:
        return v_uscc(x, s, e)
    if kind == K_PASSPORT or kind == K_HK_MACAU or kind == K_HOME_RETURN \
            or kind == K_TAIWAN_L or kind == K_TAIWAN_8:
        return v_document(x, s, e)
    if kind == K_PLATE:
        return v_plate(cfg.plates, x, s, e)
    if kind == K_EMAIL:
        return v_email(x, s, e)
    if kind == K_IPV4 or kind == K_IPV6:
        return v_ip(x, s, e)
    if kind == K_NAME_HAN or kind == K_NAME_CUE or kind == K_NAME_HONORIFIC \
            or kind == K_NAME_DISPLAY or kind == K_NAME_VERB or kind == K_NAME_PHONE:
        return v_name_han(&cfg.tables, x, s, e)
    if kind == K_NAME_DOT:
        return not _whole(&cfg.tables, x, s, e)
    if kind == K_NAME_LATIN:
        return v_name_latin(x, s, e)
    if kind == K_ADDRESS_VALUE or kind == K_ADDRESS_PLACE or kind == K_ADDRESS_CUE:
        return v_address(&cfg.tables, x, s, e)
    return False


ctypedef Py_ssize_t (*Matcher)(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil

cdef extern from *:
    int __builtin_ctz(unsigned int x) nogil
    int __builtin_ctzll(unsigned long long x) nogil


cdef Py_ssize_t _id18(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_id18(x, s)
cdef Py_ssize_t _id15(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_id15(x, s)
cdef Py_ssize_t _mobile(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_mobile(x, s)
cdef Py_ssize_t _landline(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_landline(x, s)
cdef Py_ssize_t _unionpay(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_unionpay(x, s)
cdef Py_ssize_t _card(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_card_number(x, s)
cdef Py_ssize_t _brand(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_brand(x, s)
cdef Py_ssize_t _uscc(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_uscc(x, s)
cdef Py_ssize_t _uscc_digits(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_uscc_digits(x, s)
cdef Py_ssize_t _passport(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_passport(x, s)
cdef Py_ssize_t _hk_macau(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_hk_macau(x, s)
cdef Py_ssize_t _home_return(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_home_return(x, s)
cdef Py_ssize_t _taiwan_l(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_taiwan_l(x, s)
cdef Py_ssize_t _taiwan_8(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_taiwan_8(x, s)
cdef Py_ssize_t _plate(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_plate(cfg.plates, x, s)
cdef Py_ssize_t _email(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_email(x, s)
cdef Py_ssize_t _ipv4(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_ipv4(x, s)
cdef Py_ssize_t _ipv6(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_ipv6(x, s)
cdef Py_ssize_t _address_place(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_address_place(&cfg.tables, x, s)
cdef Py_ssize_t _name_cue(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_name_cue(&cfg.tables, x, s)
cdef Py_ssize_t _name_honorific(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_name_honorific(&cfg.tables, x, s)
cdef Py_ssize_t _address_cue(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_address_cue(&cfg.tables, x, s)
cdef Py_ssize_t _name_display(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_name_display(&cfg.tables, x, s)
cdef Py_ssize_t _name_verb(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_name_verb(&cfg.tables, x, s)
cdef Py_ssize_t _name_phone(const Config* cfg, const Text* x, Py_ssize_t s) noexcept nogil:
    return m_name_phone(&cfg.tables, x, s)


cdef Matcher MATCHERS[K_COUNT]
MATCHERS[<int>K_ID18] = _id18
MATCHERS[<int>K_ID15] = _id15
MATCHERS[<int>K_MOBILE] = _mobile
MATCHERS[<int>K_LANDLINE] = _landline
MATCHERS[<int>K_UNIONPAY] = _unionpay
MATCHERS[<int>K_CARD] = _card
MATCHERS[<int>K_BRAND] = _brand
MATCHERS[<int>K_USCC] = _uscc
MATCHERS[<int>K_USCC_DIGITS] = _uscc_digits
MATCHERS[<int>K_PASSPORT] = _passport
MATCHERS[<int>K_HK_MACAU] = _hk_macau
MATCHERS[<int>K_HOME_RETURN] = _home_return
MATCHERS[<int>K_TAIWAN_L] = _taiwan_l
MATCHERS[<int>K_TAIWAN_8] = _taiwan_8
MATCHERS[<int>K_PLATE] = _plate
MATCHERS[<int>K_EMAIL] = _email
MATCHERS[<int>K_IPV4] = _ipv4
MATCHERS[<int>K_IPV6] = _ipv6
MATCHERS[<int>K_ADDRESS_PLACE] = _address_place
MATCHERS[<int>K_NAME_CUE] = _name_cue
MATCHERS[<int>K_NAME_HONORIFIC] = _name_honorific
MATCHERS[<int>K_ADDRESS_CUE] = _address_cue
MATCHERS[<int>K_NAME_DISPLAY] = _name_display
MATCHERS[<int>K_NAME_VERB] = _name_verb
MATCHERS[<int>K_NAME_PHONE] = _name_phone
MATCHERS[<int>K_NAME_HAN] = NULL       # the per-line kinds are run line by line
MATCHERS[<int>K_NAME_DOT] = NULL
MATCHERS[<int>K_NAME_LATIN] = NULL
MATCHERS[<int>K_ADDRESS_VALUE] = NULL

cdef enum:
    LINE_KINDS = ((1u << K_NAME_HAN) | (1u << K_NAME_DOT) | (1u << K_NAME_LATIN)
                  | (1u << K_ADDRESS_VALUE))


cdef int _push(const Config* cfg, int kind, const Text* x, Py_ssize_t s, Py_ssize_t e,
               Spans* raw, bint checks) except -1:
    cdef const PatCfg* p = &cfg.pats[cfg.pat_of[kind]]
    if checks and check(cfg, kind, x, s, e):
        spans_push(raw, cfg.recs[p.rec].entity, p.rec, s, e, p.score)
    return 0


cdef int run_lines(const Config* cfg, unsigned int kinds, const Text* x, Spans* raw,
                   bint checks) except -1:
    """The whole-line patterns (names and addresses under hinted fields)."""
    cdef Py_ssize_t s = 0, e, le, start
    while s <= x.n:
        le = line_end(x, s)
        start = skip_blanks(x, s, le)
        if (kinds >> K_NAME_HAN) & 1:
            e = m_name_han(&cfg.tables, x, s, le)
            if e >= 0:
                _push(cfg, K_NAME_HAN, x, start, e, raw, checks)
        if (kinds >> K_NAME_DOT) & 1:
            e = m_name_dot(x, s, le)
            if e >= 0:
                _push(cfg, K_NAME_DOT, x, start, e, raw, checks)
        if (kinds >> K_NAME_LATIN) & 1:
            e = m_name_latin(x, s, le)
            if e >= 0:
                _push(cfg, K_NAME_LATIN, x, start, e, raw, checks)
        if (kinds >> K_ADDRESS_VALUE) & 1:
            e = m_address_value(x, s, le)
            if e >= 0:
                _push(cfg, K_ADDRESS_VALUE, x, start, e, raw, checks)
        s = le + 1
    return 0


cdef int run_patterns(const Config* cfg, unsigned int kinds, const Text* x, Spans* raw,
                      bint checks) except -1:
    """Every pattern's finditer in one pass: at each position the kinds that
    can start there are tried, each from where its last match ended (so each
    pattern sees exactly the positions its own finditer would). The patterns
    that follow a cue start only where a cue ends (marked once per text)."""
    cdef Py_ssize_t resume[K_COUNT]
    cdef Py_ssize_t s, e
    cdef unsigned int m
    cdef int k
    cdef uchar c
    cdef unsigned char* names = NULL
    cdef unsigned char* addresses = NULL
    memset(resume, 0, sizeof(resume))
    try:
        if (kinds >> K_NAME_CUE) & 1:
            names = <unsigned char*>malloc(x.n + 1)
            if names == NULL:
                raise MemoryError()
            mark_cue_starts(x, &cfg.tables.name_cues, &cfg.tables.name_links, names)
        if (kinds >> K_ADDRESS_CUE) & 1:
            addresses = <unsigned char*>malloc(x.n + 1)
            if addresses == NULL:
                raise MemoryError()
            mark_cue_starts(x, &cfg.tables.address_cues, &cfg.tables.address_links, addresses)
        for s in range(x.n):
            c = x.t[s]
            if c >= 0xa000:
                continue
            m = cfg.start_mask[c] & kinds
            while m:
                k = __builtin_ctz(m)
                m &= m - 1
                if s < resume[k]:
                    continue
                if (k == K_NAME_CUE and not names[s]) or (k == K_ADDRESS_CUE
                                                           and not addresses[s]):
                    continue
                e = MATCHERS[k](cfg, x, s)
                if e > s:
                    _push(cfg, k, x, s, e, raw, checks)
                    resume[k] = e
    finally:
        free(names)
        free(addresses)
    return 0


cdef int scan_text(const Config* cfg, const Text* x, unsigned long long hint_bits,
                   Spans* found, Spans* raw, Tokens* tk, bint checks) except -1:
    """The built-in recognizers' findings in a folded text, after presidio's
    per-recognizer steps (duplicates, context, threshold) and before the final
    duplicate removal. `raw` and `tk` are scratch space. (`checks` False: the
    matches are found but none is kept, for the benchmark's stages.)"""
    cdef unsigned int kinds = possible_kinds(cfg, x) & cfg.active
    cdef unsigned int gated = kinds & cfg.context_kinds, m
    cdef unsigned long long helped = 0, present = 0
    cdef bint helped_known = False
    cdef Py_ssize_t i, j, first
    cdef int k, ri
    cdef const RecCfg* r
    while gated:  # context-only patterns: their recognizer hinted, or a context word in the text
        k = __builtin_ctz(gated)
        gated &= gated - 1
        ri = cfg.pats[cfg.pat_of[k]].rec
        if (hint_bits >> ri) & 1:
            continue
        if not helped_known:
            helped = helped_by_text(cfg, x)
            helped_known = True
        if not (helped >> ri) & 1:
            kinds &= ~(1u << k)
    if not kinds:
        return 0
    raw.n = 0
    if kinds & LINE_KINDS:
        run_lines(cfg, kinds & LINE_KINDS, x, raw, checks)
    if kinds & ~LINE_KINDS:
        run_patterns(cfg, kinds & ~LINE_KINDS, x, raw, checks)
    for i in range(raw.n):
        present |= 1ULL << raw.v[i].rec
    # presidio's per-recognizer steps, one recognizer at a time
    while present:
        ri = __builtin_ctzll(present)
        present &= present - 1
        r = &cfg.recs[ri]
        first = found.n
        for i in range(raw.n):
            if raw.v[i].rec == ri:
                spans_push(found, raw.v[i].entity, ri, raw.v[i].start, raw.v[i].end,
                           raw.v[i].score)
        _recognizer_steps(cfg, r, x, hint_bits, found, first, tk)
    return 0


cdef int _recognizer_steps(const Config* cfg, const RecCfg* r, const Text* x,
                           unsigned long long hint_bits, Spans* found, Py_ssize_t first,
                           Tokens* tk) except -1:
    """On found[first:], one recognizer's spans: duplicates, context, threshold."""
    cdef Spans mine
    cdef Py_ssize_t i, kept
    cdef bint hinted = (hint_bits >> (r - cfg.recs)) & 1
    mine.v = found.v + first
    mine.n = found.n - first
    mine.cap = mine.n
    if mine.n > 1:
        remove_duplicates(&mine)
    kept = 0
    for i in range(mine.n):
        if r.ctx.n:
            if hinted:
                mine.v[i].score = boost(mine.v[i].score)
            else:
                if not tk.made:
                    make_tokens(x, tk)
                if context_before(x, tk, mine.v[i].start, r.ctx.w, r.ctx.n, &cfg.stop):
                    mine.v[i].score = boost(mine.v[i].score)
        if mine.v[i].score >= r.threshold:
            mine.v[kept] = mine.v[i]
            kept += 1
    found.n = first + kept
    return 0
