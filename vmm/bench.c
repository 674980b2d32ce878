/* rvnest-vmm: the bench device's registers and the dirty-log test's checks
 * (portable, unit-tested on the host: vmm/tests/test-bench.c). The KVM side
 * (the coalesced ring, KVM_GET/CLEAR_DIRTY_LOG) is vm.c's; the register
 * map and the test's write pattern are benchdev.h's. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

void bench_init(struct bench_dev *d, uint32_t flags)
{
    *d = (struct bench_dev){ .flags = flags };
}

void bench_free(struct bench_dev *d)
{
    free(d->dt.pfn);
    d->dt.pfn = NULL;
}

static uint32_t reg_read(const struct bench_dev *d, uint64_t off)
{
    const struct bench_dt *t = &d->dt;
    switch (off) {
    case BENCH_REG_ID: return BENCH_ID_VALUE;
    case BENCH_REG_COUNT: return (uint32_t)d->doorbells;
    case BENCH_REG_COAL: return (uint32_t)(d->coalesced + d->page1_exits);
    case BENCH_REG_FLAGS: return d->flags;
    case BENCH_REG_DL_ROUNDS: return (uint32_t)d->dl_rounds;
    case BENCH_REG_DL_PAGES: return (uint32_t)d->dl_pages;
    case BENCH_REG_DL_CTRL: return d->dl_ms;
    case BENCH_REG_DT_PAGES: return t->pages;
    case BENCH_REG_DT_ROUNDS: return t->rounds;
    case BENCH_REG_DT_PFN: return t->npfn;
    case BENCH_REG_DT_ROUND: return t->last_round;
    case BENCH_REG_DT_STATUS: return t->status;
    case BENCH_REG_DT_WRITTEN: return (uint32_t)t->written;
    case BENCH_REG_DT_LOST: return (uint32_t)t->lost;
    case BENCH_REG_DT_EXTRA: return (uint32_t)t->extra;
    default: return 0;
    }
}

uint64_t bench_read(struct bench_dev *d, uint64_t off)
{
    if (off >= BENCH_COALESCED)
        return (uint32_t)(d->coalesced + d->page1_exits);
    return reg_read(d, off & ~3ULL);
}

static void dt_protocol_error(struct bench_dt *t)
{
    t->status |= BENCH_DT_ST_PROTOCOL;
}

enum bench_act bench_write(struct bench_dev *d, uint64_t off, uint64_t val)
{
    struct bench_dt *t = &d->dt;
    uint32_t v = (uint32_t)val;
    if (off >= BENCH_COALESCED) {
        d->page1_exits++;
        return BENCH_ACT_NONE;
    }
    switch (off & ~3ULL) {
    case BENCH_REG_ID:
        d->doorbells++;
        return BENCH_ACT_NONE;
    case BENCH_REG_DL_CTRL:
        d->dl_request = v > BENCH_DL_MAX_MS ? BENCH_DL_MAX_MS : v;
        return BENCH_ACT_DL_CTRL;
    case BENCH_REG_DT_PAGES:
        if (t->state == DT_RUNNING) { dt_protocol_error(t); return BENCH_ACT_NONE; }
        t->pages = v;
        return BENCH_ACT_NONE;
    case BENCH_REG_DT_ROUNDS:
        if (t->state == DT_RUNNING) { dt_protocol_error(t); return BENCH_ACT_NONE; }
        t->rounds = v;
        return BENCH_ACT_NONE;
    case BENCH_REG_DT_PFN:
        if (t->state != DT_LOADING || t->npfn >= t->pages) {
            dt_protocol_error(t);
            return BENCH_ACT_NONE;
        }
        t->pfn[t->npfn++] = v;
        return BENCH_ACT_NONE;
    case BENCH_REG_DT_CMD:
        switch (v) {
        case BENCH_DT_CMD_LOAD: {
            uint32_t pages = t->pages, rounds = t->rounds;
            free(t->pfn);
            *t = (struct bench_dt){ .pages = pages, .rounds = rounds, .state = DT_LOADING };
            if (pages == 0 || pages > BENCH_DT_MAX_PAGES || rounds == 0 || rounds > BENCH_DT_MAX_ROUNDS
                || !(t->pfn = calloc(pages, sizeof(*t->pfn)))) {
                t->state = DT_IDLE;
                dt_protocol_error(t);
            }
            return BENCH_ACT_NONE;
        }
        case BENCH_DT_CMD_START:
            if (t->state != DT_LOADING || t->npfn != t->pages) {
                dt_protocol_error(t);
                return BENCH_ACT_NONE;
            }
            return BENCH_ACT_DT_START;
        case BENCH_DT_CMD_FINISH:
            if (t->state != DT_RUNNING || t->last_round != t->rounds)
                dt_protocol_error(t);
            if (t->state == DT_RUNNING)
                t->state = DT_FINISHED;
            return BENCH_ACT_DT_FINISH;
        default:
            dt_protocol_error(t);
            return BENCH_ACT_NONE;
        }
    case BENCH_REG_DT_ROUND:
        if (t->state != DT_RUNNING || v != t->last_round + 1 || v > t->rounds) {
            dt_protocol_error(t);
            return BENCH_ACT_NONE;
        }
        t->pending_round = v;
        return BENCH_ACT_DT_ROUND;
    default:
        return BENCH_ACT_NONE;     /* read-only or no register: ignored */
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int bench_dt_start(struct bench_dev *d, uint64_t base_gfn, uint64_t slot_pages, char *err, size_t errlen)
{
    struct bench_dt *t = &d->dt;
    uint64_t *s = malloc(t->pages * sizeof(*s));
    if (!s) {
        dt_protocol_error(t);
        return fail(err, errlen, "dirty-log: out of memory");
    }
    memcpy(s, t->pfn, t->pages * sizeof(*s));
    qsort(s, t->pages, sizeof(*s), cmp_u64);
    for (uint32_t i = 0; i < t->pages; i++) {
        if (s[i] < base_gfn || s[i] >= base_gfn + slot_pages || (i && s[i] == s[i - 1])) {
            uint64_t bad = s[i];
            bool dup = i && s[i] == s[i - 1];
            free(s);
            t->state = DT_IDLE;
            dt_protocol_error(t);
            return fail(err, errlen, "dirty-log: the guest declared PFN 0x%" PRIx64 " %s", bad,
                        dup ? "twice" : "outside its RAM");
        }
    }
    free(s);
    t->state = DT_RUNNING;
    t->base_gfn = base_gfn;
    t->slot_pages = slot_pages;
    return 0;
}

static bool bit(const uint64_t *bitmap, uint64_t i)
{
    return bitmap[i / 64] >> (i % 64) & 1;
}

static const char *const action_name[] = {
    [BENCH_DT_NONE] = "no access", [BENCH_DT_READ] = "loads",
    [BENCH_DT_STORE64] = "8-byte store", [BENCH_DT_STORE8] = "byte store",
    [BENCH_DT_AMO] = "AMO", [BENCH_DT_LOAD_STORE] = "load then store",
};

void bench_dt_check(struct bench_dev *d, const uint64_t *bitmap, FILE *diag)
{
    struct bench_dt *t = &d->dt;
    uint32_t r = t->pending_round;
    for (uint32_t i = 0; i < t->pages; i++) {
        enum bench_dt_action a = bench_dt_action(r, i);
        bool wrote = a >= BENCH_DT_STORE64;
        bool dirty = bit(bitmap, t->pfn[i] - t->base_gfn);
        /* what the page saw in the round before (round 1: the guest's
         * first touch, before the test's first GET/CLEAR) */
        enum bench_dt_action prev = r > 1 ? bench_dt_action(r - 1, i) : BENCH_DT_STORE64;
        if (wrote) {
            t->written++;
            if (prev >= BENCH_DT_STORE64)
                t->after_write++;
            else if (prev == BENCH_DT_READ)
                t->after_read++;
            else
                t->after_none++;
        }
        if (wrote && !dirty) {
            t->lost++;
            t->status |= BENCH_DT_ST_LOST;
        } else if (!wrote && dirty) {
            t->extra++;
            t->status |= BENCH_DT_ST_EXTRA;
        } else {
            continue;
        }
        if (diag && t->diag_lines < 10) {
            t->diag_lines++;
            fprintf(diag, VMM_NAME ": dirty-log: round %" PRIu32 ": page %" PRIu32 " (pfn 0x%" PRIx64 ") %s: "
                    "%s (%s; round before: %s)\n", r, i, t->pfn[i], wrote ? "LOST" : "EXTRA",
                    wrote ? "written, not reported" : "reported, not written", action_name[a],
                    r > 1 ? action_name[prev] : "first touch");
        }
    }
    t->last_round = r;
    t->pending_round = 0;
}

bool bench_dt_failed(const struct bench_dev *d)
{
    const struct bench_dt *t = &d->dt;
    if (t->status)
        return true;
    /* started (or loading) but not finished */
    return t->state == DT_LOADING || t->state == DT_RUNNING;
}

void bench_dt_summary(const struct bench_dev *d, const char *mode, char *buf, size_t len)
{
    const struct bench_dt *t = &d->dt;
    char rounds[64];
    if (t->last_round == t->rounds)
        snprintf(rounds, sizeof(rounds), "%" PRIu32 " rounds", t->rounds);
    else
        snprintf(rounds, sizeof(rounds), "%" PRIu32 " of %" PRIu32 " rounds", t->last_round, t->rounds);
    snprintf(buf, len, "dirty-log: %s, %" PRIu32 " pages, %" PRIu64 " written (%" PRIu64 " after a write, %"
             PRIu64 " after loads, %" PRIu64 " after no access), %" PRIu64 " lost, %" PRIu64 " extra, mode %s%s",
             rounds, t->pages, t->written, t->after_write, t->after_read, t->after_none, t->lost, t->extra, mode,
             t->status & BENCH_DT_ST_PROTOCOL ? ", PROTOCOL ERROR" :
             t->status & BENCH_DT_ST_KVM ? ", KVM ERROR" : "");
}
