# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, infer_types=False
"""The native inspection core: the built-in recognizers and the JSON hot path
in C, with the same answers as the reference path (gateway/detect/scanner.py
and gateway/protect/engine.py); the differential tests in tests/native/ hold
them to that. Texts and messages the core does not fully understand are handed
back to the reference path, never guessed at."""

from libc.string cimport memset

cdef extern from "Python.h":
    ctypedef unsigned int Py_UCS4
    Py_UCS4* PyUnicode_AsUCS4(object u, Py_UCS4* buffer, Py_ssize_t buflen,
                              int copy_null) except NULL

cdef extern from *:
    """
    #ifndef PGW_SOURCE_DIGEST
    #define PGW_SOURCE_DIGEST "unknown"
    #endif
    """
    const char* PGW_SOURCE_DIGEST

SOURCE_DIGEST = PGW_SOURCE_DIGEST.decode()

include "chars.pxi"
include "spans.pxi"
include "words.pxi"
include "context.pxi"
include "numbers.pxi"
include "phones.pxi"
include "documents.pxi"
include "netaddr.pxi"
include "names.pxi"
include "cues.pxi"
include "kinds.pxi"
include "scan.pxi"
include "jsonstr.pxi"
include "json.pxi"
include "masks.pxi"
include "generalize.pxi"
include "paths.pxi"
include "decision.pxi"
include "jsondoc.pxi"
include "columns.pxi"
include "prose.pxi"
include "protect.pxi"
include "leaves.pxi"
include "blake2b.pxi"
include "reveals.pxi"
include "limits.pxi"
include "remote.pxi"


cdef int make_word(object text, Word* w) except -1:
    cdef Py_ssize_t n = len(text)
    w.c = <uchar*>malloc((n + 1) * sizeof(uchar))
    if w.c == NULL:
        raise MemoryError()
    if n:
        PyUnicode_AsUCS4(text, <Py_UCS4*>w.c, n + 1, 1)
    w.n = n
    return 0


cdef int make_words(object texts, Word** out, Py_ssize_t* count) except -1:
    cdef list items = list(texts)
    cdef Py_ssize_t i
    out[0] = <Word*>malloc((len(items) + 1) * sizeof(Word))
    if out[0] == NULL:
        raise MemoryError()
    memset(out[0], 0, (len(items) + 1) * sizeof(Word))
    count[0] = 0
    for i in range(len(items)):
        make_word(items[i], &out[0][i])
        count[0] = i + 1
    return 0


cdef void free_words(Word* words, Py_ssize_t count) noexcept:
    cdef Py_ssize_t i
    if words == NULL:
        return
    for i in range(count):
        free(words[i].c)
    free(words)


cdef void free_wordset(WordSet* ws) noexcept:
    free_words(ws.w, ws.n)
    free(ws.heads)
    free(ws.start)
    free(ws.order)
    free(ws.slots)
    ws.slots = NULL
    ws.w = NULL
    ws.n = 0
    ws.heads = NULL
    ws.start = NULL
    ws.order = NULL
    ws.nheads = 0


cdef int make_wordset(object texts, bint ci, WordSet* ws) except -1:
    """A set of words in their order (it decides which of two words starting
    at the same place counts), indexed by first character."""
    cdef Py_ssize_t k, i
    cdef unsigned int h
    cdef list words = [t.lower() if ci else t for t in texts]
    memset(ws, 0, sizeof(WordSet))
    ws.ci = ci
    if any(not w for w in words):
        raise ValueError("empty word")
    make_words(words, &ws.w, &ws.n)
    heads = sorted({ord(w[0]) for w in words})
    order = sorted(range(len(words)), key=lambda j: (ord(words[j][0]), j))
    ws.nheads = len(heads)
    ws.heads = <uchar*>malloc((len(heads) + 1) * sizeof(uchar))
    ws.start = <int*>malloc((len(heads) + 2) * sizeof(int))
    ws.order = <int*>malloc((len(words) + 1) * sizeof(int))
    if ws.heads == NULL or ws.start == NULL or ws.order == NULL:
        raise MemoryError()
    for k in range(len(words)):
        ws.order[k] = order[k]
        first, last = ord(words[k][0]), ord(words[k][len(words[k]) - 1])
        set_bit(ws.first, first)
        set_bit(ws.last, last)
        if ci:
            set_bit(ws.first, upper(first))
            set_bit(ws.last, upper(last))
        if len(words[k]) == 1:
            set_bit(ws.single, first)
        else:
            h = pair_hash(first, ord(words[k][1]))
            ws.pairs[h >> 3] |= <unsigned char>(1 << (h & 7))
    i = 0
    for k in range(len(heads)):
        ws.heads[k] = heads[k]
        while i < len(order) and ord(words[order[i]][0]) < heads[k]:
            i += 1
        ws.start[k] = <int>i
    ws.start[len(heads)] = <int>len(words)
    ws.slots = <int*>malloc((len(heads) + 1) * sizeof(int))
    if ws.slots == NULL:
        raise MemoryError()
    by_bucket = sorted(range(len(heads)), key=lambda h: (heads[h] & 255, h))
    i = 0
    for k in range(257):
        ws.bucket[k] = <int>i
        while i < len(by_bucket) and (heads[by_bucket[i]] & 255) == k:
            ws.slots[i] = by_bucket[i]
            i += 1
    return 0


cdef class Engine:
    """The built-in recognizers of one Detector, compiled for the native scanner
    (see gateway/native/config.py for what goes in `config`)."""

    cdef Config cfg
    cdef readonly tuple entities
    cdef readonly tuple recognizers

    def __cinit__(self):
        memset(&self.cfg, 0, sizeof(Config))

    def __init__(self, dict config):
        cdef Py_ssize_t i, j, k = 0
        cdef dict rec
        cdef list recs = config["recognizers"]
        cdef dict tables = config["tables"]
        self.entities = tuple(config["entities"])
        self.recognizers = tuple(r["name"] for r in recs)
        if len(recs) > 64:
            raise ValueError("at most 64 built-in recognizers")
        self.cfg.nrec = len(recs)
        self.cfg.npat = sum(len(r["patterns"]) for r in recs)
        self.cfg.recs = <RecCfg*>malloc((self.cfg.nrec + 1) * sizeof(RecCfg))
        self.cfg.pats = <PatCfg*>malloc((self.cfg.npat + 1) * sizeof(PatCfg))
        if self.cfg.recs == NULL or self.cfg.pats == NULL:
            raise MemoryError()
        memset(self.cfg.recs, 0, (self.cfg.nrec + 1) * sizeof(RecCfg))
        for j in range(K_COUNT):
            self.cfg.pat_of[j] = -1
        for i in range(self.cfg.nrec):
            rec = recs[i]
            self.cfg.recs[i].entity = rec["entity"]
            self.cfg.recs[i].threshold = rec["threshold"]
            self.cfg.recs[i].first_pat = k
            self.cfg.recs[i].npat = len(rec["patterns"])
            make_wordset(rec["context"], True, &self.cfg.recs[i].ctx)
            for j in range(len(rec["patterns"])):
                kind, score, needs_context = rec["patterns"][j]
                if not 0 <= kind < K_COUNT:
                    raise ValueError(f"unknown pattern kind {kind}")
                self.cfg.pats[k].kind = kind
                self.cfg.pats[k].rec = <int>i
                self.cfg.pats[k].score = score
                self.cfg.pats[k].needs_context = needs_context
                self.cfg.recs[i].kinds |= 1u << kind
                if self.cfg.pat_of[kind] >= 0:
                    raise ValueError("a pattern kind appears twice")
                self.cfg.pat_of[kind] = <int>k
                self.cfg.active |= 1u << kind
                if needs_context:
                    self.cfg.context_kinds |= 1u << kind
                k += 1
        for c in tables["single"]:
            set_bit(self.cfg.tables.single, ord(c))
        make_wordset(tables["compound"], False, &self.cfg.tables.compound)
        make_wordset(tables["not_names"], False, &self.cfg.tables.not_names)
        make_wordset(tables["common_starts"], False, &self.cfg.tables.common_starts)
        make_wordset(tables["places"], False, &self.cfg.tables.places)
        make_wordset(tables["place_blocked"], False, &self.cfg.tables.place_blocked)
        make_wordset(tables["street_ends"], False, &self.cfg.tables.street_ends)
        make_wordset(tables["markers"], False, &self.cfg.tables.markers)
        make_wordset(tables["english"], True, &self.cfg.tables.english)
        for c in tables["text_single"]:
            set_bit(self.cfg.tables.text_single, ord(c))
        make_wordset(tables["name_cues"], True, &self.cfg.tables.name_cues)
        make_wordset(tables["name_links"], False, &self.cfg.tables.name_links)
        make_wordset(tables["followers"], False, &self.cfg.tables.followers)
        make_wordset(tables["honorifics"], False, &self.cfg.tables.honorifics)
        make_wordset(tables["display_titles"], False, &self.cfg.tables.display_titles)
        make_wordset(tables["display_left"], False, &self.cfg.tables.display_left)
        make_wordset(tables["display_blocked"], False, &self.cfg.tables.display_blocked)
        make_wordset(tables["verb_left"], False, &self.cfg.tables.verb_left)
        make_wordset(tables["verbs"], False, &self.cfg.tables.verbs)
        make_wordset(tables["address_cues"], True, &self.cfg.tables.address_cues)
        make_wordset(tables["address_links"], False, &self.cfg.tables.address_links)
        make_wordset(tables["cue_ends"], False, &self.cfg.tables.cue_ends)
        make_wordset(tables["pinyin_surnames"], True, &self.cfg.tables.pinyin_surnames)
        make_wordset(tables["organisation_ends"], False, &self.cfg.tables.organisation_ends)
        if any(len(c) != 1 for c in tables["clause_breaks"]):
            raise ValueError("clause breaks are single characters")
        make_wordset(tables["clause_breaks"], False, &self.cfg.tables.clause_breaks)
        make_wordset(config["stopwords"], True, &self.cfg.stop)
        for c in tables["plates"]:
            set_bit(self.cfg.plates, ord(c))
        self.cfg.start_mask = <unsigned int*>malloc(0xa000 * sizeof(unsigned int))
        if self.cfg.start_mask == NULL:
            raise MemoryError()
        set_starts(&self.cfg)
        words = sorted({w.lower() for rec in recs for w in rec["context"]})
        make_wordset(words, True, &self.cfg.contexts)
        self.cfg.owners = <unsigned long long*>malloc((len(words) + 1) * sizeof(unsigned long long))
        if self.cfg.owners == NULL:
            raise MemoryError()
        for j in range(len(words)):
            self.cfg.owners[j] = 0
            for i in range(len(recs)):
                if words[j] in [w.lower() for w in recs[i]["context"]]:
                    self.cfg.owners[j] |= 1ULL << i

    def __dealloc__(self):
        cdef Py_ssize_t i
        cdef NameTables* tb = &self.cfg.tables
        if self.cfg.recs != NULL:
            for i in range(self.cfg.nrec):
                free_wordset(&self.cfg.recs[i].ctx)
        free(self.cfg.recs)
        free(self.cfg.pats)
        free_wordset(&tb.compound)
        free_wordset(&tb.not_names)
        free_wordset(&tb.common_starts)
        free_wordset(&tb.places)
        free_wordset(&tb.place_blocked)
        free_wordset(&tb.street_ends)
        free_wordset(&tb.markers)
        free_wordset(&tb.english)
        free_wordset(&tb.name_cues)
        free_wordset(&tb.name_links)
        free_wordset(&tb.followers)
        free_wordset(&tb.honorifics)
        free_wordset(&tb.display_titles)
        free_wordset(&tb.display_left)
        free_wordset(&tb.display_blocked)
        free_wordset(&tb.verb_left)
        free_wordset(&tb.verbs)
        free_wordset(&tb.address_cues)
        free_wordset(&tb.address_links)
        free_wordset(&tb.cue_ends)
        free_wordset(&tb.pinyin_surnames)
        free_wordset(&tb.organisation_ends)
        free_wordset(&tb.clause_breaks)
        free_wordset(&self.cfg.stop)
        free_wordset(&self.cfg.contexts)
        free(self.cfg.owners)
        free(self.cfg.start_mask)

    cdef int _scan(self, object text, unsigned long long bits, uchar** buf,
                   Py_ssize_t* cap, Spans* found, Spans* raw) except -1:
        """The text's findings into `found`, in the reported order: 0, or 1
        when the text is the Python path's (characters outside the core's set)."""
        cdef Py_ssize_t n = len(text)
        cdef Text x
        cdef Tokens tk
        cdef uchar* grown
        if 2 * n + 2 > cap[0]:
            grown = <uchar*>realloc(buf[0], (2 * n + 2) * sizeof(uchar))
            if grown == NULL:
                raise MemoryError()
            buf[0] = grown
            cap[0] = 2 * n + 2
        if n:
            PyUnicode_AsUCS4(text, <Py_UCS4*>buf[0], n + 1, 1)
        x.o = buf[0]
        x.t = buf[0] + n + 1
        x.n = n
        found.n = 0
        if fold_text(x.o, x.t, n) != FOLD_OK:
            return 1
        tk.made = False
        tk.start = tk.end = NULL
        try:
            scan_text(&self.cfg, &x, bits, found, raw, &tk, True)
        finally:
            tokens_free(&tk)
        if found.n > 1:
            remove_duplicates(found)
            sort_final(found)
        return 0

    cdef object _detect(self, object text, unsigned long long bits, uchar** buf,
                        Py_ssize_t* cap, Spans* found, Spans* raw):
        """Findings as (entity, start, end, score, recognizer) tuples in the
        reported order, or None: the text is the Python path's."""
        cdef Py_ssize_t i
        cdef list out = []
        if self._scan(text, bits, buf, cap, found, raw):
            return None
        for i in range(found.n):
            out.append((found.v[i].entity, found.v[i].start, found.v[i].end, found.v[i].score,
                        found.v[i].rec))
        return out

    def detect(self, str text, unsigned long long bits=0):
        cdef uchar* buf = NULL
        cdef Py_ssize_t cap = 0
        cdef Spans found, raw
        found.v = raw.v = NULL
        found.n = found.cap = raw.n = raw.cap = 0
        try:
            return self._detect(text, bits, &buf, &cap, &found, &raw)
        finally:
            free(buf)
            spans_free(&found)
            spans_free(&raw)

    def detect_items(self, items, dict bits_of, resolve, finding):
        """`Detector.detect_many` for the built-in recognizers: per (text, hints)
        item a list of `finding(entity, start, end, score, recognizer)`, or
        None where the text is the Python path's. `bits_of` caches the hint
        masks of field names; `resolve(hints)` computes a missing one."""
        cdef uchar* buf = NULL
        cdef Py_ssize_t cap = 0, i
        cdef Spans found, raw
        cdef list out = []
        cdef list made
        cdef object bits
        cdef Span* v
        found.v = raw.v = NULL
        found.n = found.cap = raw.n = raw.cap = 0
        try:
            for text, hints in items:
                bits = bits_of.get(hints)
                if bits is None:
                    bits = resolve(hints)
                if self._scan(text, bits, &buf, &cap, &found, &raw):
                    out.append(None)
                    continue
                made = []
                v = found.v
                for i in range(found.n):
                    made.append(finding(self.entities[v[i].entity], v[i].start, v[i].end,
                                        v[i].score, self.recognizers[v[i].rec]))
                out.append(made)
        finally:
            free(buf)
            spans_free(&found)
            spans_free(&raw)
        return out

    def detect_batch(self, list texts, list bits):
        """`detect` for many texts; None where a text is the reference path's."""
        cdef uchar* buf = NULL
        cdef Py_ssize_t cap = 0, i
        cdef Spans found, raw
        cdef list out = []
        found.v = raw.v = NULL
        found.n = found.cap = raw.n = raw.cap = 0
        if len(bits) != len(texts):
            raise ValueError("one hint mask per text")
        try:
            for i in range(len(texts)):
                out.append(self._detect(texts[i], bits[i], &buf, &cap, &found, &raw))
        finally:
            free(buf)
            spans_free(&found)
            spans_free(&raw)
        return out

