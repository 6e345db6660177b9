;; Bitset kernels over one imported, shared linear memory.
;;
;; Layout: a bitset is an array of u32 words; bit i of word w is id w*32+i (little-endian, so the
;; same bytes read as u32 from JS give the same words). Every pointer is a BYTE offset into the
;; memory, and callers keep bitsets 16-byte aligned so no v128 load splits across cache lines;
;; unaligned pointers are still correct, only slower. Word counts are u32 and need not be
;; multiples of 4: each kernel runs v128 over words & ~3 and a scalar loop over the last 0..3.
;;
;; Loops count words down instead of comparing against an end pointer: the memory may be the full
;; 4 GiB, where `ptr + words*4` wraps to 0 and an end-pointer test would never run.
;;
;; Counts are returned as i32 and are exact modulo 2^32 (the JS side reads them with >>> 0); ids
;; are w*32+bit as u32, so a bitset handed to andnot_ids must hold fewer than 2^32 ids (512 MiB).
;;
;; Memory ordering: every access here is a plain (non-atomic) load or store. Two threads may run
;; kernels on the same memory only on disjoint destinations, and a reader sees a writer's words only
;; after an Atomics synchronisation between them (a barrier or an Atomics.store/load pair on a flag);
;; that is the engine's job and this module does not fence.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; dst |= src. Four vectors (64 bytes) per iteration to keep two loads and a store in flight per
  ;; vector without a loop branch each time.
  (func (export "or_into") (param $dst i32) (param $src i32) (param $words i32)
    (local $n i32)
    (local.set $n (i32.shr_u (local.get $words) (i32.const 4)))
    (block $done64
      (loop $by64
        (br_if $done64 (i32.eqz (local.get $n)))
        (v128.store offset=0 (local.get $dst)
          (v128.or (v128.load offset=0 (local.get $dst)) (v128.load offset=0 (local.get $src))))
        (v128.store offset=16 (local.get $dst)
          (v128.or (v128.load offset=16 (local.get $dst)) (v128.load offset=16 (local.get $src))))
        (v128.store offset=32 (local.get $dst)
          (v128.or (v128.load offset=32 (local.get $dst)) (v128.load offset=32 (local.get $src))))
        (v128.store offset=48 (local.get $dst)
          (v128.or (v128.load offset=48 (local.get $dst)) (v128.load offset=48 (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by64)))
    ;; 0..3 whole vectors left
    (local.set $n (i32.and (i32.shr_u (local.get $words) (i32.const 2)) (i32.const 3)))
    (block $done16
      (loop $by16
        (br_if $done16 (i32.eqz (local.get $n)))
        (v128.store (local.get $dst) (v128.or (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by16)))
    ;; 0..3 words left
    (local.set $n (i32.and (local.get $words) (i32.const 3)))
    (block $done4
      (loop $by4
        (br_if $done4 (i32.eqz (local.get $n)))
        (i32.store (local.get $dst) (i32.or (i32.load (local.get $dst)) (i32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by4))))

  ;; dst |= src; returns popcount(src & ~dst) taken before the store, i.e. the bits newly set.
  ;; Per-byte popcounts (i8x16.popcnt, at most 8 per lane per vector) are summed in an i8x16
  ;; accumulator for up to 31 vectors (31*8 = 248 < 256), then widened into i32x4 lanes: one
  ;; widening per 31 vectors instead of per vector.
  (func (export "or_into_count") (param $dst i32) (param $src i32) (param $words i32) (result i32)
    (local $n i32) (local $chunk i32) (local $total i32) (local $x i32)
    (local $d v128) (local $s v128) (local $bytes v128) (local $acc v128)
    (local.set $n (i32.shr_u (local.get $words) (i32.const 2)))
    (block $done
      (loop $chunks
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $chunk
          (select (local.get $n) (i32.const 31) (i32.lt_u (local.get $n) (i32.const 31))))
        (local.set $n (i32.sub (local.get $n) (local.get $chunk)))
        (local.set $bytes (v128.const i64x2 0 0))
        (loop $vectors
          (local.set $d (v128.load (local.get $dst)))
          (local.set $s (v128.load (local.get $src)))
          (local.set $bytes
            (i8x16.add (local.get $bytes) (i8x16.popcnt (v128.andnot (local.get $s) (local.get $d)))))
          (v128.store (local.get $dst) (v128.or (local.get $d) (local.get $s)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $chunk (i32.sub (local.get $chunk) (i32.const 1)))
          (br_if $vectors (local.get $chunk)))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $bytes)))))
        (br $chunks)))
    (local.set $total
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
    (local.set $n (i32.and (local.get $words) (i32.const 3)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (local.set $x (i32.load (local.get $dst)))
        (local.set $total
          (i32.add (local.get $total)
            (i32.popcnt (i32.and (i32.load (local.get $src)) (i32.xor (local.get $x) (i32.const -1))))))
        (i32.store (local.get $dst) (i32.or (local.get $x) (i32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail)))
    (local.get $total))

  ;; Writes the ids of the bits set in cand[w] & ~known[w], w in [from_word, to_word), ascending,
  ;; as u32 at out; returns how many. A group of 4 words whose AND-NOT is zero costs one v128 test;
  ;; a non-zero group is split into its two i64 lanes and their bits peeled with ctz (x &= x - 1).
  ;; Peeling 64-bit lanes rather than re-reading 4 scalar words halves the loop exits, which are
  ;; the mispredicted branches on sparse data (1.4x at 1 id per 1,024 bits, 1.7x at 1 per 64).
  ;; Writes exactly the returned number of u32 and nothing past them; out must have room for
  ;; popcount(cand & ~known) over the range, which nothing checks.
  (func (export "andnot_ids")
    (param $cand i32) (param $known i32) (param $from i32) (param $to i32) (param $out i32)
    (result i32)
    (local $start i32) (local $w i32) (local $v v128) (local $lane i64) (local $x i32) (local $base i32)
    (local.set $start (local.get $out))
    (if (i32.ge_u (local.get $from) (local.get $to)) (then (return (i32.const 0))))
    (local.set $w (local.get $from))
    (local.set $cand (i32.add (local.get $cand) (i32.shl (local.get $from) (i32.const 2))))
    (local.set $known (i32.add (local.get $known) (i32.shl (local.get $from) (i32.const 2))))
    (block $groups_done
      (loop $groups
        (br_if $groups_done (i32.lt_u (i32.sub (local.get $to) (local.get $w)) (i32.const 4)))
        (local.set $v (v128.andnot (v128.load (local.get $cand)) (v128.load (local.get $known))))
        (if (v128.any_true (local.get $v))
          (then
            ;; words w, w+1 are the low i64 lane (little-endian), so its bit b is id w*32 + b
            (local.set $base (i32.shl (local.get $w) (i32.const 5)))
            (local.set $lane (i64x2.extract_lane 0 (local.get $v)))
            (block $low_done
              (loop $low
                (br_if $low_done (i64.eqz (local.get $lane)))
                (i32.store (local.get $out)
                  (i32.add (local.get $base) (i32.wrap_i64 (i64.ctz (local.get $lane)))))
                (local.set $out (i32.add (local.get $out) (i32.const 4)))
                (local.set $lane (i64.and (local.get $lane) (i64.sub (local.get $lane) (i64.const 1))))
                (br $low)))
            (local.set $base (i32.add (local.get $base) (i32.const 64)))
            (local.set $lane (i64x2.extract_lane 1 (local.get $v)))
            (block $high_done
              (loop $high
                (br_if $high_done (i64.eqz (local.get $lane)))
                (i32.store (local.get $out)
                  (i32.add (local.get $base) (i32.wrap_i64 (i64.ctz (local.get $lane)))))
                (local.set $out (i32.add (local.get $out) (i32.const 4)))
                (local.set $lane (i64.and (local.get $lane) (i64.sub (local.get $lane) (i64.const 1))))
                (br $high)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $cand (i32.add (local.get $cand) (i32.const 16)))
        (local.set $known (i32.add (local.get $known) (i32.const 16)))
        (br $groups)))
    ;; 0..3 words left
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $w) (local.get $to)))
        (local.set $x
          (i32.and (i32.load (local.get $cand)) (i32.xor (i32.load (local.get $known)) (i32.const -1))))
        (local.set $base (i32.shl (local.get $w) (i32.const 5)))
        (block $bits_done
          (loop $bits
            (br_if $bits_done (i32.eqz (local.get $x)))
            (i32.store (local.get $out) (i32.add (local.get $base) (i32.ctz (local.get $x))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $x (i32.and (local.get $x) (i32.sub (local.get $x) (i32.const 1))))
            (br $bits)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (local.set $cand (i32.add (local.get $cand) (i32.const 4)))
        (local.set $known (i32.add (local.get $known) (i32.const 4)))
        (br $tail)))
    (i32.shr_u (i32.sub (local.get $out) (local.get $start)) (i32.const 2)))

  ;; Number of set bits in words [ptr, ptr + 4*words); same byte-accumulator scheme as or_into_count.
  (func (export "popcount") (param $ptr i32) (param $words i32) (result i32)
    (local $n i32) (local $chunk i32) (local $total i32) (local $bytes v128) (local $acc v128)
    (local.set $n (i32.shr_u (local.get $words) (i32.const 2)))
    (block $done
      (loop $chunks
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $chunk
          (select (local.get $n) (i32.const 31) (i32.lt_u (local.get $n) (i32.const 31))))
        (local.set $n (i32.sub (local.get $n) (local.get $chunk)))
        (local.set $bytes (v128.const i64x2 0 0))
        (loop $vectors
          (local.set $bytes (i8x16.add (local.get $bytes) (i8x16.popcnt (v128.load (local.get $ptr)))))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
          (local.set $chunk (i32.sub (local.get $chunk) (i32.const 1)))
          (br_if $vectors (local.get $chunk)))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $bytes)))))
        (br $chunks)))
    (local.set $total
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
    (local.set $n (i32.and (local.get $words) (i32.const 3)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.eqz (local.get $n)))
        (local.set $total (i32.add (local.get $total) (i32.popcnt (i32.load (local.get $ptr)))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $tail)))
    (local.get $total))

;; Id (w*32 + bit) of set bit number `index` (0-based, ascending; index read as u32) of the
  ;; bitset at ptr, or -1 if it has index or fewer set bits. Ids are returned as i32, so the bitset
  ;; must hold fewer than 2^31 bits (256 MiB) for an id to be told from -1. Reads only the words
  ;; [ptr, ptr + 4*words), and no more of them than it needs.
  ;;
  ;; Skips 32 words per step while the step's count is <= index: words 0-15 are counted in SIMD
  ;; (i8x16.popcnt of 4 vectors, summed per byte, at most 4*8 = 32, widened pairwise to i32x4 and
  ;; folded), words 16-31 with 8 scalar i64.popcnt. The split is measured, not a guess: on x64 V8
  ;; (Node 20) lowers i8x16.popcnt to a pshufb nibble lookup of ~8 instructions that reloads its
  ;; constants every time, and 16-word SIMD steps alone took ~450 ns for a uniform index into
  ;; 3,125 dense words against ~280 ns for i64.popcnt steps, which are bound by the one port that
  ;; runs popcnt on Intel; the mixed step runs as fast as the scalar one there and keeps the vector
  ;; unit's share where i8x16.popcnt is one instruction (arm64 cnt).
  ;; The 16 words holding the bit (or the last words & 31) are then scanned a word at a time with
  ;; i32.popcnt, and the bit is found inside its word by a branch-free binary search on popcounts
  ;; of the low 16/8/4/2/1 bits of the window (no data-dependent loop exit to mispredict).
  (func (export "select_nth") (param $ptr i32) (param $words i32) (param $index i32) (result i32)
    (local $start i32) (local $n i32) (local $c i32) (local $c2 i32) (local $x i32) (local $t i32)
    (local $s v128)
    (local.set $start (local.get $ptr))
    (local.set $n (i32.shr_u (local.get $words) (i32.const 5)))
    ;; leaves $n = how many words the scalar scan looks at from $ptr
    (block $scan
      (loop $steps
        (if (i32.eqz (local.get $n))
          (then
            (local.set $n (i32.and (local.get $words) (i32.const 31)))
            (br $scan)))
        (local.set $s
          (i32x4.extadd_pairwise_i16x8_u
            (i16x8.extadd_pairwise_i8x16_u
              (i8x16.add
                (i8x16.add
                  (i8x16.popcnt (v128.load offset=0 (local.get $ptr)))
                  (i8x16.popcnt (v128.load offset=16 (local.get $ptr))))
                (i8x16.add
                  (i8x16.popcnt (v128.load offset=32 (local.get $ptr)))
                  (i8x16.popcnt (v128.load offset=48 (local.get $ptr))))))))
        ;; lanes 0+2 and 1+3, then those two
        (local.set $s
          (i32x4.add (local.get $s)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
        (local.set $c (i32.add (i32x4.extract_lane 0 (local.get $s)) (i32x4.extract_lane 1 (local.get $s))))
        (local.set $c2
          (i32.wrap_i64
            (i64.add
              (i64.add
                (i64.add (i64.popcnt (i64.load offset=64 (local.get $ptr)))
                         (i64.popcnt (i64.load offset=72 (local.get $ptr))))
                (i64.add (i64.popcnt (i64.load offset=80 (local.get $ptr)))
                         (i64.popcnt (i64.load offset=88 (local.get $ptr)))))
              (i64.add
                (i64.add (i64.popcnt (i64.load offset=96 (local.get $ptr)))
                         (i64.popcnt (i64.load offset=104 (local.get $ptr))))
                (i64.add (i64.popcnt (i64.load offset=112 (local.get $ptr)))
                         (i64.popcnt (i64.load offset=120 (local.get $ptr))))))))
        (if (i32.lt_u (local.get $index) (i32.add (local.get $c) (local.get $c2)))
          (then
            (local.set $n (i32.const 16))
            (br_if $scan (i32.lt_u (local.get $index) (local.get $c)))
            (local.set $index (i32.sub (local.get $index) (local.get $c)))
            (local.set $ptr (i32.add (local.get $ptr) (i32.const 64)))
            (br $scan)))
        (local.set $index (i32.sub (local.get $index) (i32.add (local.get $c) (local.get $c2))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 128)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $steps)))
    (block $found
      (block $none
        (loop $scan_words
          (br_if $none (i32.eqz (local.get $n)))
          (local.set $x (i32.load (local.get $ptr)))
          (local.set $c (i32.popcnt (local.get $x)))
          (br_if $found (i32.lt_u (local.get $index) (local.get $c)))
          (local.set $index (i32.sub (local.get $index) (local.get $c)))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $scan_words)))
      (return (i32.const -1)))
    ;; index < popcnt(x): halve the window 5 times, keeping the half that holds the bit. $start
    ;; becomes the id of bit 0 of the window: 32 * (ptr - start) / 4, plus the shifts taken.
    (local.set $start (i32.shl (i32.sub (local.get $ptr) (local.get $start)) (i32.const 3)))
    (local.set $c (i32.popcnt (i32.and (local.get $x) (i32.const 0xffff))))
    (local.set $t (i32.ge_u (local.get $index) (local.get $c)))
    (local.set $index (i32.sub (local.get $index) (select (local.get $c) (i32.const 0) (local.get $t))))
    (local.set $t (i32.shl (local.get $t) (i32.const 4)))
    (local.set $x (i32.shr_u (local.get $x) (local.get $t)))
    (local.set $start (i32.add (local.get $start) (local.get $t)))
    (local.set $c (i32.popcnt (i32.and (local.get $x) (i32.const 0xff))))
    (local.set $t (i32.ge_u (local.get $index) (local.get $c)))
    (local.set $index (i32.sub (local.get $index) (select (local.get $c) (i32.const 0) (local.get $t))))
    (local.set $t (i32.shl (local.get $t) (i32.const 3)))
    (local.set $x (i32.shr_u (local.get $x) (local.get $t)))
    (local.set $start (i32.add (local.get $start) (local.get $t)))
    (local.set $c (i32.popcnt (i32.and (local.get $x) (i32.const 0xf))))
    (local.set $t (i32.ge_u (local.get $index) (local.get $c)))
    (local.set $index (i32.sub (local.get $index) (select (local.get $c) (i32.const 0) (local.get $t))))
    (local.set $t (i32.shl (local.get $t) (i32.const 2)))
    (local.set $x (i32.shr_u (local.get $x) (local.get $t)))
    (local.set $start (i32.add (local.get $start) (local.get $t)))
    (local.set $c (i32.popcnt (i32.and (local.get $x) (i32.const 0x3))))
    (local.set $t (i32.ge_u (local.get $index) (local.get $c)))
    (local.set $index (i32.sub (local.get $index) (select (local.get $c) (i32.const 0) (local.get $t))))
    (local.set $t (i32.shl (local.get $t) (i32.const 1)))
    (local.set $x (i32.shr_u (local.get $x) (local.get $t)))
    (local.set $start (i32.add (local.get $start) (local.get $t)))
    ;; two bits left and index is 0 or 1: the bit is bit 1 unless index is 0 and bit 0 is set
    (i32.add (local.get $start)
      (i32.ge_u (local.get $index) (i32.and (local.get $x) (i32.const 1)))))

  ;; dst = src for `words` words (memmove semantics: overlapping ranges are fine).
  (func (export "copy_words") (param $dst i32) (param $src i32) (param $words i32)
    (memory.copy (local.get $dst) (local.get $src) (i32.shl (local.get $words) (i32.const 2))))

  ;; 1 if cand & ~known has any bit set, else 0. Four vectors are OR-ed before one branch, and the
  ;; scan stops at the first hit.
  (func (export "any_new") (param $cand i32) (param $known i32) (param $words i32) (result i32)
    (local $n i32)
    (local.set $n (i32.shr_u (local.get $words) (i32.const 4)))
    (block $done64
      (loop $by64
        (br_if $done64 (i32.eqz (local.get $n)))
        (if (v128.any_true
              (v128.or
                (v128.or
                  (v128.andnot (v128.load offset=0 (local.get $cand)) (v128.load offset=0 (local.get $known)))
                  (v128.andnot (v128.load offset=16 (local.get $cand)) (v128.load offset=16 (local.get $known))))
                (v128.or
                  (v128.andnot (v128.load offset=32 (local.get $cand)) (v128.load offset=32 (local.get $known)))
                  (v128.andnot (v128.load offset=48 (local.get $cand)) (v128.load offset=48 (local.get $known))))))
          (then (return (i32.const 1))))
        (local.set $cand (i32.add (local.get $cand) (i32.const 64)))
        (local.set $known (i32.add (local.get $known) (i32.const 64)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by64)))
    (local.set $n (i32.and (i32.shr_u (local.get $words) (i32.const 2)) (i32.const 3)))
    (block $done16
      (loop $by16
        (br_if $done16 (i32.eqz (local.get $n)))
        (if (v128.any_true (v128.andnot (v128.load (local.get $cand)) (v128.load (local.get $known))))
          (then (return (i32.const 1))))
        (local.set $cand (i32.add (local.get $cand) (i32.const 16)))
        (local.set $known (i32.add (local.get $known) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by16)))
    (local.set $n (i32.and (local.get $words) (i32.const 3)))
    (block $done4
      (loop $by4
        (br_if $done4 (i32.eqz (local.get $n)))
        (if (i32.and (i32.load (local.get $cand)) (i32.xor (i32.load (local.get $known)) (i32.const -1)))
          (then (return (i32.const 1))))
        (local.set $cand (i32.add (local.get $cand) (i32.const 4)))
        (local.set $known (i32.add (local.get $known) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $by4)))
    (i32.const 0)))
