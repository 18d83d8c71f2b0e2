# The pattern kinds the native scanner implements, the scanner's compiled
# configuration, and the gates: which kinds can match in a text at all and
# which context words it holds (scan.pxi runs them).

cdef enum Kind:
    K_ID18, K_ID15, K_MOBILE, K_LANDLINE, K_UNIONPAY, K_CARD, K_BRAND, K_USCC, K_USCC_DIGITS
    K_PASSPORT, K_HK_MACAU, K_HOME_RETURN, K_TAIWAN_L, K_TAIWAN_8, K_PLATE
    K_EMAIL, K_IPV4, K_IPV6
    K_NAME_HAN, K_NAME_DOT, K_NAME_LATIN, K_ADDRESS_VALUE, K_ADDRESS_PLACE
    K_NAME_CUE, K_NAME_HONORIFIC, K_ADDRESS_CUE, K_NAME_DISPLAY, K_NAME_VERB, K_NAME_PHONE
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
    ("PERSON_NAME", "display name"): K_NAME_DISPLAY,
    ("PERSON_NAME", "name before verb"): K_NAME_VERB,
    ("PERSON_NAME", "name before mobile"): K_NAME_PHONE,
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
    _starts_ascii(cfg, K_LANDLINE, b"0(+")
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
        cfg.starts[<int>K_NAME_DISPLAY][c] = cfg.starts[<int>K_NAME_CUE][c]
        cfg.starts[<int>K_NAME_VERB][c] = cfg.starts[<int>K_NAME_CUE][c]
        cfg.starts[<int>K_NAME_PHONE][c] = cfg.starts[<int>K_NAME_CUE][c]
    for c in range(0x4e00, 0xa000):
        set_bit(cfg.starts[<int>K_ADDRESS_CUE], c)
        set_bit(cfg.starts[<int>K_EMAIL], c)  # internationalized local parts
    for c in range(0xa000):
        cfg.start_mask[c] = 0
        for k in range(K_COUNT):
            if bit(cfg.starts[k], c):
                cfg.start_mask[c] |= 1u << k
    for c in range(BITMAP_BYTES):
        cfg.special[c] = (cfg.plates[c] | cfg.tables.name_cues.first[c]
                          | cfg.tables.honorifics.first[c] | cfg.tables.address_cues.first[c]
                          | cfg.tables.display_titles.first[c] | cfg.tables.verbs.first[c])
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
        if bit(tb.display_titles.first, c) and wordset_at(&tb.display_titles, x, i) >= 0:
            cues |= 1u << K_NAME_DISPLAY
        if bit(tb.verbs.first, c) and wordset_at(&tb.verbs, x, i) >= 0:
            cues |= 1u << K_NAME_VERB
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
    if han >= 2 and digits >= 11:
        k |= 1u << K_NAME_PHONE
    if middot:
        k |= 1u << K_NAME_DOT
    if alphas >= 2:
        k |= 1u << K_NAME_LATIN
    if x.n >= 4:
        k |= 1u << K_ADDRESS_VALUE
    if han >= 3:
        k |= 1u << K_ADDRESS_PLACE
    if han < 2:
        cues &= ~((1u << K_NAME_CUE) | (1u << K_NAME_HONORIFIC) | (1u << K_NAME_DISPLAY)
                  | (1u << K_NAME_VERB))
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
