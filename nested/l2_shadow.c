/* The engine's side of the shadow G-stage (shadow-pt, include/rvnest/shadow.h):
 * its pool placed in L0 memory, its entry points for a vcpu, and the
 * record of the fences L1 asked for.
 *
 * The pool and its contexts are shared by the harts: every entry point
 * holds the VM lock (docs/architecture.md, "Harts and threads"). */
#include "rvnest/engine.h"

static unsigned hart_of(const struct rvnest_vcpu *vc)
{
    return (unsigned)(vc - vc->vm->vcpu);
}

/* The pool: shadow-mem bytes (default the largest power of two at most
 * half of L0 memory), aligned to its size (one NAPOT PMP entry: nested/pmp.c)
 * above L0's microcode page. */
bool rvnest_shadow_setup(struct rvnest_vcpu *vc)
{
    struct rvnest_vm *vm = vc->vm;
    uint64_t size = vm->opt.shadow_mem;
    if (!size) {
        size = 1;
        while (size * 2 <= vm->l0_size / 2)
            size *= 2;
    }
    uint64_t lo = vm->l0_base + 0x10000, base = (lo + size - 1) & ~(size - 1);
    if (size < 256 * 1024 || base + size > vm->l0_base + vm->l0_size) {
        rvnest_fatal(vm, "no room for %llu KiB of shadow tables aligned to their size in %llu MiB of L0 memory; raise l0-mem (to at least twice shadow-mem)",
                     (unsigned long long)(size >> 10), (unsigned long long)(vm->l0_size >> 20));
        return false;
    }
    if (!rvnest_shadow_pt_setup(&vm->shadow, &rvnest_engine_shadow_ops, vm, hart_of(vc), base,
                                size))
        return false;
    vm->shadow.no_large = vm->opt.shadow_large_off;
    return true;
}

void rvnest_shadow_drop_all(struct rvnest_vcpu *vc)
{
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_pt_drop_all(&vc->vm->shadow, hart_of(vc));
    pthread_mutex_unlock(&vc->vm->lock);
}

uint64_t rvnest_shadow_hgatp(struct rvnest_vcpu *vc, uint64_t l1_hgatp, unsigned *idx)
{
    pthread_mutex_lock(&vc->vm->lock);
    uint64_t v = rvnest_shadow_pt_hgatp(&vc->vm->shadow, hart_of(vc), l1_hgatp, idx);
    pthread_mutex_unlock(&vc->vm->lock);
    return v;
}

enum rvnest_fill rvnest_shadow_fill(struct rvnest_vcpu *vc, uint64_t gpa, int access,
                                    struct walk_result *res)
{
    pthread_mutex_lock(&vc->vm->lock);
    enum rvnest_fill v = rvnest_shadow_pt_fill(&vc->vm->shadow, hart_of(vc), vc->world.l2_shadow,
                                               gpa, (enum walk_access)access, res);
    pthread_mutex_unlock(&vc->vm->lock);
    return v;
}

void rvnest_shadow_inval(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_pt_inval(&vc->vm->shadow, hart_of(vc), r);
    pthread_mutex_unlock(&vc->vm->lock);
}

void rvnest_shadow_prefetch(struct rvnest_vcpu *vc)
{
    struct rvnest_world *w = &vc->world;
    if (!w->prefetch.valid)
        return;
    w->prefetch.valid = false;
    if (vc->vm->opt.shadow_prefetch_off || w->prefetch.l1_hgatp != w->l2_hgatp)
        return;
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_pt_prefetch(&vc->vm->shadow, hart_of(vc), w->l2_shadow, w->prefetch.gpa,
                              (enum walk_access)w->prefetch.access);
    pthread_mutex_unlock(&vc->vm->lock);
}

void rvnest_shadow_release(struct rvnest_vcpu *vc, unsigned ctx)
{
    pthread_mutex_lock(&vc->vm->lock);
    rvnest_shadow_pt_release(&vc->vm->shadow, ctx);
    pthread_mutex_unlock(&vc->vm->lock);
}

void rvnest_shadow_invalidate_vvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    vc->inval.vvma++;
    vc->inval.last = *r;
}

void rvnest_shadow_invalidate_gvma(struct rvnest_vcpu *vc, const struct rvnest_inval *r)
{
    vc->inval.gvma++;
    vc->inval.last = *r;
    rvnest_shadow_inval(vc, r);
}
