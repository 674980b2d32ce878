/* Host unit tests of the bench device (vmm/bench.c) and the dirty-log
 * test's write pattern (vmm/benchdev.h). */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "../vmm.h"

#define BASE_GFN (GUEST_RAM_BASE >> 12)
#define SLOT_PAGES 4096u

static void test_registers(void)
{
    struct bench_dev d;
    bench_init(&d, BENCH_F_COALESCED | BENCH_F_CLEAR_LOG);
    g_assert_cmphex(bench_read(&d, BENCH_REG_ID), ==, BENCH_ID_VALUE);
    g_assert_cmphex(bench_read(&d, BENCH_REG_FLAGS), ==, BENCH_F_COALESCED | BENCH_F_CLEAR_LOG);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_COUNT), ==, 0);
    for (int i = 0; i < 5; i++)
        g_assert_cmpint(bench_write(&d, BENCH_REG_ID, 0xdead), ==, BENCH_ACT_NONE);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_COUNT), ==, 5);
    g_assert_cmpuint(d.doorbells, ==, 5);
    /* page 1: writes counted as exits (the ring's entries are the VMM's), reads give the count */
    bench_write(&d, BENCH_COALESCED + 0x10, 1);
    d.coalesced += 100;
    g_assert_cmpuint(bench_read(&d, BENCH_COALESCED + 0x40), ==, 101);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_COAL), ==, 101);
    /* unknown registers read 0, writes to them are ignored */
    g_assert_cmpuint(bench_read(&d, 0x800), ==, 0);
    g_assert_cmpint(bench_write(&d, 0x800, 1), ==, BENCH_ACT_NONE);
    g_assert_cmpuint(d.doorbells, ==, 5);
    d.dl_rounds = 7;
    d.dl_pages = 1234;
    g_assert_cmpuint(bench_read(&d, BENCH_REG_DL_ROUNDS), ==, 7);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_DL_PAGES), ==, 1234);
    bench_free(&d);
}

/* The dirty log a correct KVM reports after round r for a test of pages
 * at pfn[] (only those pages' bits; others stay clear). */
static uint64_t *expected_log(uint32_t r, const uint64_t *pfn, uint32_t pages)
{
    uint64_t *bm = g_malloc0(SLOT_PAGES / 8);
    for (uint32_t i = 0; i < pages; i++)
        if (bench_dt_written(r, i)) {
            uint64_t b = pfn[i] - BASE_GFN;
            bm[b / 64] |= 1ULL << (b % 64);
        }
    return bm;
}

/* Loads a test of pages pages (scattered PFNs) and rounds rounds. */
static void load(struct bench_dev *d, uint32_t pages, uint32_t rounds, uint64_t *pfn)
{
    bench_write(d, BENCH_REG_DT_PAGES, pages);
    bench_write(d, BENCH_REG_DT_ROUNDS, rounds);
    g_assert_cmpint(bench_write(d, BENCH_REG_DT_CMD, BENCH_DT_CMD_LOAD), ==, BENCH_ACT_NONE);
    for (uint32_t i = 0; i < pages; i++) {
        pfn[i] = BASE_GFN + 7 + (i * 37) % (SLOT_PAGES - 7);
        bench_write(d, BENCH_REG_DT_PFN, pfn[i]);
    }
    g_assert_cmpuint(bench_read(d, BENCH_REG_DT_PFN), ==, pages);
}

static void test_dirty_test_clean(void)
{
    enum { PAGES = 512, ROUNDS = 40 };
    struct bench_dev d;
    uint64_t pfn[PAGES];
    char err[256] = "", line[512];
    bench_init(&d, 0);
    load(&d, PAGES, ROUNDS, pfn);
    g_assert_cmpint(bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_START), ==, BENCH_ACT_DT_START);
    g_assert_cmpint(bench_dt_start(&d, BASE_GFN, SLOT_PAGES, err, sizeof(err)), ==, 0);
    uint64_t want = 0;
    for (uint32_t r = 1; r <= ROUNDS; r++) {
        g_assert_cmpint(bench_write(&d, BENCH_REG_DT_ROUND, r), ==, BENCH_ACT_DT_ROUND);
        uint64_t *bm = expected_log(r, pfn, PAGES);
        /* pages outside the buffer may be dirty: they do not count */
        bm[0] |= 0x7f;
        bench_dt_check(&d, bm, NULL);
        g_free(bm);
        for (uint32_t i = 0; i < PAGES; i++)
            want += bench_dt_written(r, i);
        g_assert_cmpuint(bench_read(&d, BENCH_REG_DT_ROUND), ==, r);
        g_assert_cmpuint(bench_read(&d, BENCH_REG_DT_STATUS), ==, 0);
    }
    g_assert_cmpint(bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_FINISH), ==, BENCH_ACT_DT_FINISH);
    g_assert_false(bench_dt_failed(&d));
    g_assert_cmpuint(d.dt.written, ==, want);
    g_assert_cmpuint(d.dt.lost + d.dt.extra, ==, 0);
    /* every kind of write happened: after a write, after loads, after no access */
    g_assert_cmpuint(d.dt.after_write, >, 0);
    g_assert_cmpuint(d.dt.after_read, >, 0);
    g_assert_cmpuint(d.dt.after_none, >, 0);
    g_assert_cmpuint(d.dt.after_write + d.dt.after_read + d.dt.after_none, ==, want);
    bench_dt_summary(&d, "clear-log", line, sizeof(line));
    g_assert_nonnull(strstr(line, "dirty-log: 40 rounds, 512 pages, "));
    g_assert_nonnull(strstr(line, ", 0 lost, 0 extra, mode clear-log"));
    g_assert_null(strchr(line, '\n'));
    /* the pattern is part of the compared output: it must not change by accident */
    g_assert_cmpuint(want, ==, 9050);
    bench_free(&d);
}

static void test_dirty_test_lost_extra(void)
{
    enum { PAGES = 64, ROUNDS = 3 };
    struct bench_dev d;
    uint64_t pfn[PAGES];
    char err[256] = "", line[512];
    bench_init(&d, 0);
    load(&d, PAGES, ROUNDS, pfn);
    bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_START);
    g_assert_cmpint(bench_dt_start(&d, BASE_GFN, SLOT_PAGES, err, sizeof(err)), ==, 0);
    /* round 1: one written page missing from the log */
    bench_write(&d, BENCH_REG_DT_ROUND, 1);
    uint64_t *bm = expected_log(1, pfn, PAGES);
    uint32_t w = 0;
    while (!bench_dt_written(1, w))
        w++;
    uint64_t b = pfn[w] - BASE_GFN;
    bm[b / 64] &= ~(1ULL << (b % 64));
    bench_dt_check(&d, bm, NULL);
    g_free(bm);
    g_assert_cmpuint(d.dt.lost, ==, 1);
    g_assert_cmphex(bench_read(&d, BENCH_REG_DT_STATUS), ==, BENCH_DT_ST_LOST);
    /* round 2: one page reported that was not written */
    bench_write(&d, BENCH_REG_DT_ROUND, 2);
    bm = expected_log(2, pfn, PAGES);
    uint32_t n = 0;
    while (bench_dt_written(2, n))
        n++;
    b = pfn[n] - BASE_GFN;
    bm[b / 64] |= 1ULL << (b % 64);
    bench_dt_check(&d, bm, NULL);
    g_free(bm);
    g_assert_cmpuint(d.dt.extra, ==, 1);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_DT_LOST), ==, 1);
    g_assert_cmpuint(bench_read(&d, BENCH_REG_DT_EXTRA), ==, 1);
    /* finishing before the last round is a protocol error too */
    bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_FINISH);
    g_assert_true(bench_dt_failed(&d));
    bench_dt_summary(&d, "get-log", line, sizeof(line));
    g_assert_nonnull(strstr(line, "dirty-log: 2 of 3 rounds, 64 pages, "));
    g_assert_nonnull(strstr(line, ", 1 lost, 1 extra, mode get-log, PROTOCOL ERROR"));
    bench_free(&d);
}

static void test_dirty_test_protocol(void)
{
    struct bench_dev d;
    uint64_t pfn[8];
    char err[256] = "";
    /* a round before the start */
    bench_init(&d, 0);
    g_assert_cmpint(bench_write(&d, BENCH_REG_DT_ROUND, 1), ==, BENCH_ACT_NONE);
    g_assert_cmphex(bench_read(&d, BENCH_REG_DT_STATUS), ==, BENCH_DT_ST_PROTOCOL);
    g_assert_true(bench_dt_failed(&d));
    bench_free(&d);
    /* too few PFNs */
    bench_init(&d, 0);
    bench_write(&d, BENCH_REG_DT_PAGES, 8);
    bench_write(&d, BENCH_REG_DT_ROUNDS, 2);
    bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_LOAD);
    bench_write(&d, BENCH_REG_DT_PFN, BASE_GFN);
    g_assert_cmpint(bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_START), ==, BENCH_ACT_NONE);
    g_assert_true(bench_dt_failed(&d));
    bench_free(&d);
    /* a PFN twice, a PFN outside RAM */
    for (int k = 0; k < 2; k++) {
        bench_init(&d, 0);
        load(&d, 8, 2, pfn);
        (void)pfn;
        d.dt.pfn[5] = k ? d.dt.pfn[2] : BASE_GFN + SLOT_PAGES;
        bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_START);
        g_assert_cmpint(bench_dt_start(&d, BASE_GFN, SLOT_PAGES, err, sizeof(err)), ==, -1);
        g_assert_nonnull(strstr(err, k ? "twice" : "outside its RAM"));
        g_assert_true(bench_dt_failed(&d));
        bench_free(&d);
    }
    /* rounds out of order, zero pages, a test not finished */
    bench_init(&d, 0);
    load(&d, 8, 2, pfn);
    bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_START);
    g_assert_cmpint(bench_dt_start(&d, BASE_GFN, SLOT_PAGES, err, sizeof(err)), ==, 0);
    g_assert_true(bench_dt_failed(&d));     /* running, not finished */
    g_assert_cmpint(bench_write(&d, BENCH_REG_DT_ROUND, 2), ==, BENCH_ACT_NONE);
    g_assert_cmphex(bench_read(&d, BENCH_REG_DT_STATUS), ==, BENCH_DT_ST_PROTOCOL);
    bench_free(&d);
    bench_init(&d, 0);
    bench_write(&d, BENCH_REG_DT_PAGES, 0);
    bench_write(&d, BENCH_REG_DT_ROUNDS, 2);
    bench_write(&d, BENCH_REG_DT_CMD, BENCH_DT_CMD_LOAD);
    g_assert_cmphex(bench_read(&d, BENCH_REG_DT_STATUS), ==, BENCH_DT_ST_PROTOCOL);
    bench_free(&d);
}

static void test_pattern(void)
{
    unsigned kinds[8] = { 0 };
    for (uint32_t r = 1; r <= 64; r++) {
        unsigned w = 0;
        for (uint32_t i = 0; i < 1024; i++) {
            enum bench_dt_action a = bench_dt_action(r, i);
            kinds[a]++;
            w += bench_dt_written(r, i);
            g_assert_cmpuint(bench_dt_thread(r, i, 2), <, 2);
            g_assert_cmpuint(bench_dt_offset(r, i) % 8, ==, 0);
            g_assert_cmpuint(bench_dt_offset(r, i), <, 4096);
        }
        if (r % 8 == 0)
            g_assert_cmpuint(w, ==, 0);       /* every 8th round writes nothing */
        else
            g_assert_cmpuint(w, >, 0);
    }
    for (int k = BENCH_DT_NONE; k <= BENCH_DT_LOAD_STORE; k++)
        g_assert_cmpuint(kinds[k], >, 1000);
    /* both threads get pages */
    unsigned t1 = 0;
    for (uint32_t i = 0; i < 512; i++)
        t1 += bench_dt_thread(3, i, 2);
    g_assert_cmpuint(t1, >, 100);
    g_assert_cmpuint(t1, <, 412);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/bench/registers", test_registers);
    g_test_add_func("/vmm/bench/dirty-test-clean", test_dirty_test_clean);
    g_test_add_func("/vmm/bench/dirty-test-lost-extra", test_dirty_test_lost_extra);
    g_test_add_func("/vmm/bench/dirty-test-protocol", test_dirty_test_protocol);
    g_test_add_func("/vmm/bench/pattern", test_pattern);
    return g_test_run();
}
