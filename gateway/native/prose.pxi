# Names in prose without a cue (gateway/detect/prose_names.py) in C: the same
# steps in the same order over the same answers of jieba's dictionary.
#
# The dictionary lives inside rjieba (Rust) and cannot be listed, so every
# string the pass asks about (one to four characters) is asked once through
# `ask` (Python, rjieba; the reference path's own functions) and its answer
# kept here, keyed by its code points, in a fixed-size table that is emptied
# when three quarters full. Notes reuse their vocabulary, so a warm pass asks
# Python nothing and a 600-character note takes a few microseconds instead of
# the Python loop's ~150. Everything else the pass reads (surnames, function
# characters, places, placeholder words) is a table built once.

cdef enum:
    P_WORD = 1          # a dictionary word
    P_FUNCTION = 2      # prose_names._function_word
    P_NAME_LIKE = 4     # prose_names._name_like
    MEMO_SIZE = 1 << 16
    BMP_BYTES = 0x10000 // 8
    NO_RANK = 1 << 20

ctypedef struct MemoEntry:
    unsigned long long a    # the first three code points, 21 bits each
    unsigned long long b    # the fourth, the length, and 1 << 24 (a used slot)
    int freq                # rjieba's suggest_freq where a word, else 0
    int flags               # P_*


cdef inline bint bmp_bit(const unsigned char* bitmap, uchar c) noexcept nogil:
    return c < 0x10000 and (bitmap[c >> 3] >> (c & 7)) & 1


cdef inline void bmp_set(unsigned char* bitmap, uchar c) noexcept nogil:
    if c < 0x10000:
        bitmap[c >> 3] |= <unsigned char>(1 << (c & 7))


cdef inline bint in_set(const WordSet* ws, const uchar* t, Py_ssize_t n, Py_ssize_t s,
                        Py_ssize_t e) noexcept nogil:
    """t[s:e] (clipped to n) is a word of the set."""
    cdef Py_ssize_t h, k
    cdef Text x
    if e > n:
        e = n
    if s >= e:
        return False
    x.o = x.t = <uchar*>t
    x.n = n
    h = head_of(ws, t[s])
    if h < 0:
        return False
    for k in range(ws.start[h], ws.start[h + 1]):
        if ws.w[ws.order[k]].n == e - s and word_at(&x, s, &ws.w[ws.order[k]], False):
            return True
    return False


cdef class ProseFinder:
    """`prose_names.find_names` after `qualifies`: (start, end) of each name."""

    cdef unsigned char surnames[BMP_BYTES]
    cdef unsigned char function_chars[BMP_BYTES]
    cdef unsigned char markers[BMP_BYTES]
    cdef unsigned char not_before[BMP_BYTES]   # digits, numerals, middle dots
    cdef unsigned char dots[BMP_BYTES]
    cdef int* rank                             # by code point below U+A000
    cdef WordSet compound, not_names, common_starts, places, not_title_first
    cdef int word_freq, common_word_freq, title_first_freq  # prose_names' thresholds
    cdef MemoEntry* memo
    cdef Py_ssize_t used
    cdef object ask

    def __cinit__(self):
        self.rank = NULL
        self.memo = NULL
        memset(&self.compound, 0, sizeof(WordSet))
        memset(&self.not_names, 0, sizeof(WordSet))
        memset(&self.common_starts, 0, sizeof(WordSet))
        memset(&self.places, 0, sizeof(WordSet))
        memset(&self.not_title_first, 0, sizeof(WordSet))

    def __init__(self, dict tables, ask):
        """`tables`: the character sets and word lists of prose_names.py;
        `ask(text)`: (flags, frequency) of a string from the dictionary."""
        cdef Py_ssize_t i
        memset(self.surnames, 0, BMP_BYTES)
        memset(self.function_chars, 0, BMP_BYTES)
        memset(self.markers, 0, BMP_BYTES)
        memset(self.not_before, 0, BMP_BYTES)
        memset(self.dots, 0, BMP_BYTES)
        for name, bitmap in (("surnames", self.surnames), ("function_chars", self.function_chars),
                             ("markers", self.markers), ("not_before", self.not_before),
                             ("dots", self.dots)):
            for c in tables[name]:
                if ord(c) >= 0x10000:
                    raise ValueError("characters of the prose tables are in the BMP")
        if any(ord(c) >= 0xa000 for c in tables["surnames"] + tables["rank"]):
            raise ValueError("surnames are below U+A000")
        for c in tables["surnames"]:
            bmp_set(self.surnames, ord(c))
        for c in tables["function_chars"]:
            bmp_set(self.function_chars, ord(c))
        for c in tables["markers"]:
            bmp_set(self.markers, ord(c))
        for c in tables["not_before"]:
            bmp_set(self.not_before, ord(c))
        for c in tables["dots"]:
            bmp_set(self.dots, ord(c))
        self.rank = <int*>malloc(0xa000 * sizeof(int))
        self.memo = <MemoEntry*>malloc(MEMO_SIZE * sizeof(MemoEntry))
        if self.rank == NULL or self.memo == NULL:
            raise MemoryError()
        for i in range(0xa000):
            self.rank[i] = NO_RANK
        for i, c in enumerate(tables["rank"]):  # as a dict of them: the last place counts
            self.rank[ord(c)] = <int>i
        make_wordset(tables["compound"], False, &self.compound)
        make_wordset(tables["not_names"], False, &self.not_names)
        make_wordset(tables["common_starts"], False, &self.common_starts)
        make_wordset(tables["places"], False, &self.places)
        make_wordset(tables["not_title_first"], False, &self.not_title_first)
        self.word_freq = tables["word_freq"]
        self.common_word_freq = tables["common_word_freq"]
        self.title_first_freq = tables["title_first_freq"]
        self.ask = ask
        self.clear()

    def __dealloc__(self):
        free(self.rank)
        free(self.memo)
        free_wordset(&self.compound)
        free_wordset(&self.not_names)
        free_wordset(&self.common_starts)
        free_wordset(&self.places)
        free_wordset(&self.not_title_first)

    def clear(self):
        """Forget every answer (the dictionary changed; tests)."""
        memset(self.memo, 0, MEMO_SIZE * sizeof(MemoEntry))
        self.used = 0

    @property
    def remembered(self) -> int:
        return self.used

    cdef int _lookup(self, const uchar* t, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e,
                     int* freq) except -1:
        """The flags of t[s:e] (clipped to n; at most four characters) and
        its frequency into `freq`, asking Python once per string."""
        cdef unsigned long long a = 0, b, h
        cdef Py_ssize_t i, slot
        cdef int k
        if e > n:
            e = n
        if s > e:
            s = e
        if e - s > 4:
            raise ValueError("the prose pass asks about four characters at most")
        for i in range(s, min(e, s + 3)):
            a |= (<unsigned long long>t[i]) << (21 * (i - s))
        b = ((<unsigned long long>t[s + 3]) if e - s == 4 else 0) \
            | ((<unsigned long long>(e - s)) << 21) | (1ULL << 24)
        h = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL)
        slot = <Py_ssize_t>((h ^ (h >> 29)) & (MEMO_SIZE - 1))
        while self.memo[slot].b != 0:
            if self.memo[slot].a == a and self.memo[slot].b == b:
                freq[0] = self.memo[slot].freq
                return self.memo[slot].flags
            slot = (slot + 1) & (MEMO_SIZE - 1)
        flags, frequency = self.ask(PyUnicode_FromKindAndData(4, t + s, e - s))
        k = flags
        freq[0] = <int>min(frequency, 0x7fffffff)
        if self.used >= MEMO_SIZE * 3 // 4:
            self.clear()
        slot = <Py_ssize_t>((h ^ (h >> 29)) & (MEMO_SIZE - 1))  # `ask` ran Python: probe again
        while self.memo[slot].b != 0 and not (self.memo[slot].a == a and self.memo[slot].b == b):
            slot = (slot + 1) & (MEMO_SIZE - 1)
        if self.memo[slot].b == 0:
            self.used += 1
        self.memo[slot].a = a
        self.memo[slot].b = b
        self.memo[slot].freq = freq[0]
        self.memo[slot].flags = k
        return k

    cdef bint _word(self, const uchar* t, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e) except -1:
        cdef int f
        return self._lookup(t, n, s, e, &f) & P_WORD

    cdef bint _frequent(self, const uchar* t, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e,
                        int least) except -1:
        cdef int f
        return (self._lookup(t, n, s, e, &f) & P_WORD) != 0 and f > least

    cdef bint _flag(self, const uchar* t, Py_ssize_t n, Py_ssize_t s, Py_ssize_t e,
                    int flag) except -1:
        cdef int f
        return (self._lookup(t, n, s, e, &f) & flag) != 0

    cdef Py_ssize_t _surname_at(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) except -1:
        if bit(self.compound.first, t[p]) and in_set(&self.compound, t, n, p, p + 2) \
                and not self._word(t, n, p + 1, p + 3):  # 上官网 is 上 官网
            return 2
        return 1 if bmp_bit(self.surnames, t[p]) else 0

    cdef bint _opens(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) except -1:
        """A single surname at p and the next character may open a name: not
        the same character twice (廖廖) and not a frequent word (高兴)."""
        if p + 1 < n and t[p] == t[p + 1]:
            return False
        return not self._frequent(t, n, p, p + 2, self.word_freq)

    cdef Py_ssize_t _name_end(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) except -1:
        """Where a name starting at `p` ends, or 0 where none starts."""
        cdef Py_ssize_t size = self._surname_at(t, n, p), given, run, k, end
        cdef uchar before
        if not size:
            return 0
        given = p + size
        if size == 1 and not self._opens(t, n, p):
            return 0
        if p > 0:
            before = t[p - 1]
            if bmp_bit(self.not_before, before) or before == t[p]:
                return 0  # a middle dot (买买提·艾力), a digit or numeral (3张), 廖廖
            if is_han(before) and (bmp_bit(self.markers, t[p]) or self._word(t, n, p - 1, given)
                                   or (p > 1 and self._word(t, n, p - 2, given))):
                return 0  # the surname ends a word (一张, 主张) or is a marker (南康区)
        if (given + 1 < n and bmp_bit(self.markers, t[given + 1])) \
                or (given + 2 < n and bmp_bit(self.markers, t[given + 2])) \
                or self._place_at(t, n, p):
            return 0  # a place: 易俗河镇, 高新南一道
        run = 0
        while run < 2 and given + run < n and is_han(t[given + run]) \
                and not bmp_bit(self.function_chars, t[given + run]):
            run += 1
        for k in (2, 1):
            end = given + k
            if run < k:
                continue
            if in_set(&self.not_names, t, n, p, end) or in_set(&self.common_starts, t, n, p, p + 2) \
                    or (end < n and bmp_bit(self.dots, t[end])):
                continue
            if k == 2 and ((self._word(t, n, p, end) and not self._flag(t, n, p, end, P_NAME_LIKE))
                           or self._flag(t, n, given, end, P_FUNCTION)
                           or (self._frequent(t, n, given, end, self.common_word_freq)
                               and not self._flag(t, n, given, end, P_NAME_LIKE))):
                continue
            if self._runs_on(t, n, given, end) and not self._frequent(t, n, end, end + 2,
                                                                      self.common_word_freq):
                continue  # a word goes on past the name, and no word starts after it
            return end
        return 0

    cdef bint _place_at(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) except -1:
        """A place of the division table starts at p (its words have two or
        more characters, as prose_names._place_at assumes)."""
        cdef Text x
        x.o = x.t = <uchar*>t
        x.n = n
        return wordset_at(&self.places, &x, p) >= 0

    cdef bint _runs_on(self, const uchar* t, Py_ssize_t n, Py_ssize_t given,
                       Py_ssize_t end) except -1:
        """A frequent word starts inside the given name [given, end) and ends
        one or two characters past it."""
        cdef Py_ssize_t start
        for start in range(given, end):
            if end + 1 <= n and self._frequent(t, n, start, end + 1, self.word_freq):
                return True
            if end + 2 <= n and self._frequent(t, n, start, end + 2, self.word_freq):
                return True
        return False

    cdef bint _title_first(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) except -1:
        """老王, 小李 at `p` (prose_names._title_first)."""
        cdef uchar after
        if in_set(&self.not_title_first, t, n, p, p + 2) or (
                self._frequent(t, n, p, p + 2, self.word_freq)
                and not (self._flag(t, n, p, p + 2, P_NAME_LIKE)
                         and not self._frequent(t, n, p, p + 2, self.title_first_freq))):
            return False
        if p > 0 and is_han(t[p - 1]) and self._word(t, n, p - 1, p + 1):
            return False
        if p + 2 >= n:
            return True
        after = t[p + 2]
        if not is_han(after) or bmp_bit(self.function_chars, after):
            return True
        if self._frequent(t, n, p + 1, p + 3, self.word_freq):
            return False
        return self._word(t, n, p + 2, p + 4) or self._word(t, n, p + 2, p + 5)

    cdef bint _starts(self, const uchar* t, Py_ssize_t n, Py_ssize_t p) noexcept:
        """prose_names._STARTS at p: a compound or single surname followed by
        a Chinese character that is no function character."""
        if p + 2 < n and bit(self.compound.first, t[p]) and is_han(t[p + 2]) \
                and not bmp_bit(self.function_chars, t[p + 2]) \
                and in_set(&self.compound, t, n, p, p + 2):
            return True
        return p + 1 < n and bmp_bit(self.surnames, t[p]) and is_han(t[p + 1]) \
            and not bmp_bit(self.function_chars, t[p + 1])

    cdef list _find(self, const uchar* t, Py_ssize_t n):
        cdef list found = []
        cdef set taken = set()
        cdef Py_ssize_t p, end, later
        for p in range(n - 1):
            if (t[p] == 0x8001 or t[p] == 0x5c0f) and bmp_bit(self.surnames, t[p + 1]) \
                    and self._title_first(t, n, p):  # 老 小
                found.append((p, p + 2))
                taken.add(p + 1)  # their surnames start no other name
        p = 0
        while p < n:
            while p < n and not self._starts(t, n, p):
                p += 1
            if p >= n:
                break
            if p in taken:
                p += 1
                continue
            end = self._name_end(t, n, p)
            if end and self._surname_at(t, n, p) == 1 and bmp_bit(self.surnames, t[p + 1]) \
                    and self.rank[t[p + 1]] < self.rank[t[p]]:
                later = self._name_end(t, n, p + 1)
                if later:
                    p, end = p + 1, later
            if end:
                found.append((p, end))
                p = end
            else:
                p += 1
        found.sort()
        return found

    def find(self, str text):
        """(start, end) of each name in `text`, in order; the caller has
        checked `prose_names.qualifies`."""
        cdef Py_ssize_t n = len(text)
        cdef uchar* t = <uchar*>malloc((n + 1) * sizeof(uchar))
        if t == NULL:
            raise MemoryError()
        try:
            if n:
                PyUnicode_AsUCS4(text, <Py_UCS4*>t, n + 1, 1)
            return self._find(t, n)
        finally:
            free(t)
