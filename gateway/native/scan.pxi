# One text through the built-in recognizers: gates, patterns with their
# checks, presidio's per-recognizer and final steps.

cdef enum Kind:
    K_ID18, K_ID15, K_MOBILE, K_LANDLINE, K_UNIONPAY, K_CARD, K_BRAND, K_USCC, K_USCC_DIGITS
    K_PASSPORT, K_HK_MACAU, K_HOME_RETURN, K_TAIWAN_L, K_TAIWAN_8, K_PLATE
    K_EMAIL, K_IPV4, K_IPV6
    K_NAME_HAN, K_NAME_DOT, K_NAME_LATIN, K_ADDRESS_VALUE, K_ADDRESS_PLACE
    K_NAME_CUE, K_NAME_HONORIFIC, K_ADDRESS_CUE
    K_COUNT

# (entity, pattern name) -> kind: what the native scanner implements.
KINDS = {
    ("CN_RESIDENT_ID", "resident id (18)"): K_ID18,
    ("CN_RESIDENT_ID", "resident id (15, legacy)"): K_ID15,
    ("CN_MOBILE", "mobile"): K_MOBILE,
    ("CN_LANDLINE", "landline"): K_LANDLINE,
    ("CN_BANK_CARD", "unionpay"): K_UNIONPAY,
    ("CN_BANK_CARD", "card number"): K_CARD,
    ("CREDIT_CARD", "card brand"): K_BRAND,
    ("CN_USCC", "uscc"): K_USCC,
    ("CN_USCC", "uscc (digits only)"): K_USCC_DIGITS,
    ("CN_PASSPORT", "passport"): K_PASSPORT,
    ("CN_HK_MACAU_PERMIT", "hk macau permit"): K_HK_MACAU,
    ("CN_HOME_RETURN_PERMIT", "home return permit"): K_HOME_RETURN,
    ("CN_TAIWAN_PERMIT", "taiwan travel permit"): K_TAIWAN_L,
    ("CN_TAIWAN_PERMIT", "taiwan compatriot permit"): K_TAIWAN_8,
    ("CN_LICENSE_PLATE", "plate"): K_PLATE,
    ("EMAIL_ADDRESS", "email"): K_EMAIL,
    ("IP_ADDRESS", "ipv4"): K_IPV4,
    ("IP_ADDRESS", "ipv6"): K_IPV6,
    ("PERSON_NAME", "name value"): K_NAME_HAN,
    ("PERSON_NAME", "name value (middle dot)"): K_NAME_DOT,
    ("PERSON_NAME", "name value (latin)"): K_NAME_LATIN,
    ("PERSON_NAME", "name after cue"): K_NAME_CUE,
    ("PERSON_NAME", "name before honorific"): K_NAME_HONORIFIC,
    ("ADDRESS", "address value"): K_ADDRESS_VALUE,
    ("ADDRESS", "address from place"): K_ADDRESS_PLACE,
    ("ADDRESS", "address after cue"): K_ADDRESS_CUE,
}

ctypedef struct PatCfg:
    int kind
    int rec
    double score
    bint needs_context

ctypedef struct RecCfg:
    int entity
    unsigned int kinds       # the kinds of its patterns
    double threshold
    WordSet ctx              # its context words, lower case
    Py_ssize_t first_pat     # its patterns are pats[first_pat:first_pat + npat]
    Py_ssize_t npat

ctypedef struct Config:
    PatCfg* pats
    Py_ssize_t npat
    RecCfg* recs
    Py_ssize_t nrec
    NameTables tables
    WordSet stop            # context stopwords (gateway.detect.tokens.STOPWORDS)
    WordSet contexts        # all recognizers' context words, lower case ...
    unsigned long long* owners  # ... and for each, the recognizers it belongs to
    unsigned char plates[BITMAP_BYTES]   # province abbreviations that start a plate
    unsigned char special[BITMAP_BYTES]  # first characters of cues, honorifics, plates
    unsigned char ascii[128]             # C_* classes of ASCII characters
    unsigned int* start_mask             # per character below U+A000: kinds that may start there
    int pat_of[K_COUNT]                  # each kind's pattern, or -1
    unsigned int active                  # the kinds with a pattern
    unsigned int context_kinds           # ... that count only with context
    unsigned char starts[K_COUNT][BITMAP_BYTES]  # characters a match of each kind starts with


cdef void _starts_ascii(Config* cfg, int kind, const char* chars) noexcept:
    while chars[0] != 0:
        set_bit(cfg.starts[kind], <uchar>chars[0])
        set_bit(cfg.starts[kind], lower(<uchar>chars[0]))
        chars += 1


cdef void set_starts(Config* cfg) noexcept:
    """Which characters a match of each kind can start with (a filter before
    the matcher is tried at a position)."""
    cdef uchar c
    cdef int k
    for k in (K_ID18, K_ID15, K_CARD, K_USCC, K_USCC_DIGITS, K_TAIWAN_8, K_IPV4):
        _starts_ascii(cfg, k, b"0123456789")
    _starts_ascii(cfg, K_MOBILE, b"0123456789+")
    _starts_ascii(cfg, K_LANDLINE, b"0(")
    _starts_ascii(cfg, K_UNIONPAY, b"6")
    _starts_ascii(cfg, K_BRAND, b"2345")
    _starts_ascii(cfg, K_PASSPORT, b"EGDSP")
    _starts_ascii(cfg, K_HK_MACAU, b"CW")
    _starts_ascii(cfg, K_HOME_RETURN, b"HM")
    _starts_ascii(cfg, K_TAIWAN_L, b"L")
    _starts_ascii(cfg, K_IPV6, b"0123456789ABCDEF:")
    _starts_ascii(cfg, K_ADDRESS_CUE, b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ#-")
    for c in range(0x80):
        if is_local(c):
            set_bit(cfg.starts[<int>K_EMAIL], c)
    for c in range(BITMAP_BYTES):
        cfg.starts[<int>K_PLATE][c] = cfg.plates[c]
        cfg.starts[<int>K_ADDRESS_PLACE][c] = cfg.tables.places.first[c]
        cfg.starts[<int>K_NAME_CUE][c] = cfg.tables.text_single[c] | cfg.tables.compound.first[c]
        cfg.starts[<int>K_NAME_HONORIFIC][c] = cfg.starts[<int>K_NAME_CUE][c]
    for c in range(0x4e00, 0xa000):
        set_bit(cfg.starts[<int>K_ADDRESS_CUE], c)
    for c in range(0xa000):
        cfg.start_mask[c] = 0
        for k in range(K_COUNT):
            if bit(cfg.starts[k], c):
                cfg.start_mask[c] |= 1u << k
    for c in range(BITMAP_BYTES):
        cfg.special[c] = (cfg.plates[c] | cfg.tables.name_cues.first[c]
                          | cfg.tables.honorifics.first[c] | cfg.tables.address_cues.first[c])
    for c in range(0x80):
        cfg.ascii[c] = ascii_class(c)


cdef enum:
    C_DIGIT = 1, C_ALPHA = 2, C_AT = 4, C_COLON = 8, C_DOT = 16


cdef unsigned char ascii_class(uchar c) noexcept nogil:
    if is_digit(c):
        return C_DIGIT
    if is_alpha(c):
        return C_ALPHA
    if c == 0x40:
        return C_AT
    if c == 0x3a:
        return C_COLON
    if c == 0x2e:
        return C_DOT
    return 0


cdef unsigned int possible_kinds(const Config* cfg, const Text* x) noexcept nogil:
    """The pattern kinds that can match somewhere in the text (necessary
    conditions only: counts of character classes, trigger words), in one pass."""
    cdef const NameTables* tb = &cfg.tables
    cdef Py_ssize_t i, digits = 0, alphas = 0, han = 0, ats = 0, colon = 0, dot = 0, middot = 0
    cdef bint plate = False
    cdef uchar c
    cdef unsigned char f
    cdef unsigned int k = 0, cues = 0
    for i in range(x.n):
        c = x.t[i]
        if c < 0x80:
            f = cfg.ascii[c]
            digits += f & C_DIGIT
            alphas += (f >> 1) & 1
            ats += (f >> 2) & 1
            colon += (f >> 3) & 1
            dot += (f >> 4) & 1
        elif is_han(c):
            han += 1
        elif c == 0xb7 or c == 0x2022:
            middot += 1
        if not bit(cfg.special, c):
            continue
        if bit(cfg.plates, c) and _doc_letter(at(x, i + 1)):
            plate = True
        if bit(tb.name_cues.first, c) and wordset_at(&tb.name_cues, x, i) >= 0:
            cues |= 1u << K_NAME_CUE
        if bit(tb.honorifics.first, c) and wordset_at(&tb.honorifics, x, i) >= 0:
            cues |= 1u << K_NAME_HONORIFIC
        if bit(tb.address_cues.first, c) and wordset_at(&tb.address_cues, x, i) >= 0:
            cues |= 1u << K_ADDRESS_CUE
    if digits >= 17:
        k |= 1u << K_ID18
    if digits >= 15:
        k |= 1u << K_ID15
    if digits >= 11:
        k |= 1u << K_MOBILE
    if digits >= 10:
        k |= 1u << K_LANDLINE
    if digits >= 16:
        k |= (1u << K_UNIONPAY) | (1u << K_CARD)
    if digits >= 13:
        k |= 1u << K_BRAND
    if digits >= 8 and alphas >= 1:
        k |= (1u << K_USCC) | (1u << K_HOME_RETURN) | (1u << K_TAIWAN_L)
    if digits >= 18:
        k |= 1u << K_USCC_DIGITS
    if digits >= 7 and alphas >= 1:
        k |= (1u << K_PASSPORT) | (1u << K_HK_MACAU)
    if digits >= 8:
        k |= 1u << K_TAIWAN_8
    if plate and alphas + digits >= 6:
        k |= 1u << K_PLATE
    if ats:
        k |= 1u << K_EMAIL
    if dot >= 3 and digits >= 4:
        k |= 1u << K_IPV4
    if colon >= 2:
        k |= 1u << K_IPV6
    if han >= 2:
        k |= 1u << K_NAME_HAN
    if middot:
        k |= 1u << K_NAME_DOT
    if alphas >= 2:
        k |= 1u << K_NAME_LATIN
    if x.n >= 4:
        k |= 1u << K_ADDRESS_VALUE
    if han >= 3:
        k |= 1u << K_ADDRESS_PLACE
    if han < 2:
        cues &= ~((1u << K_NAME_CUE) | (1u << K_NAME_HONORIFIC))
    return k | cues


cdef unsigned long long helped_by_text(const Config* cfg, const Text* x) noexcept nogil:
    """The recognizers one of whose context words occurs in the lower-cased
    text: they may need their context-only patterns."""
    cdef const WordSet* ws = &cfg.contexts
    cdef unsigned long long mask = 0
    cdef Py_ssize_t p, h, k
    for p in range(x.n):
        if not may_start(ws, x, p):
            continue
        h = head_of(ws, x.t[p])
        if h < 0:
            continue
        for k in range(ws.start[h], ws.start[h + 1]):
            if word_at(x, p, &ws.w[ws.order[k]], True):
                mask |= cfg.owners[ws.order[k]]
    return mask


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
    if kind == K_NAME_HAN or kind == K_NAME_CUE or kind == K_NAME_HONORIFIC:
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
