// OpenBLAS's CBLAS interface plus its thread/config controls (openblas_set_num_threads, openblas_get_corename).
#include <cblas.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

// A software prefetch hint (read, keep in all cache levels): Swift has no intrinsic for it.
static inline void rz_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

// Copies n floats with non-temporal stores (around the caches, without first reading the destination's lines)
// when dst is 16-byte aligned and n a multiple of 4, with memcpy otherwise: for buffers written once and read
// only after far more data than the caches hold has passed. Such stores are weakly ordered: the writing thread
// calls rz_store_fence before any other thread may read dst. Swift has no intrinsic for either.
static inline void rz_stream_copy(float *dst, const float *src, long n) {
    typedef float rz_v4 __attribute__((vector_size(16)));
    if (((uintptr_t)dst & 15) != 0 || (n & 3) != 0) { memcpy(dst, src, (size_t)n * sizeof(float)); return; }
    for (long i = 0; i < n; i += 4) {
        rz_v4 v;
        memcpy(&v, src + i, sizeof v);
        __builtin_nontemporal_store(v, (rz_v4 *)(dst + i));
    }
}

// Orders the calling thread's earlier non-temporal stores before its later stores (sfence on x86).
static inline void rz_store_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

// CPUID leaf/subleaf into regs[0..3] = eax, ebx, ecx, edx; returns 0 (regs zeroed) when the leaf is beyond the
// CPU's maximum or the machine is not x86.
static inline int rz_cpuid(unsigned leaf, unsigned subleaf, uint32_t regs[4]) {
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid_count(leaf, subleaf, &a, &b, &c, &d)) return 0;
    regs[0] = a; regs[1] = b; regs[2] = c; regs[3] = d;
    return 1;
#else
    (void)leaf; (void)subleaf;
    return 0;
#endif
}

// XCR0 (the register states the OS saves: bit 1 SSE, 2 AVX, 5-7 AVX-512), or 0 when the OS has not enabled XGETBV
// (CPUID.1:ECX.OSXSAVE[bit 27] clear) or the machine is not x86.
static inline uint64_t rz_xcr0(void) {
#if defined(__x86_64__) || defined(__i386__)
    uint32_t r[4];
    if (!rz_cpuid(1, 0, r) || !(r[2] & (1u << 27))) return 0;
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));  // xgetbv, ecx = 0
    return ((uint64_t)hi << 32) | lo;
#else
    return 0;
#endif
}

// The start-up check of a chosen OpenBLAS core runs kernels that may hold instructions the CPU lacks. While armed, a
// SIGILL re-executes `path` with `argv` and `envp` (prepared beforehand and kept alive by the caller: execve is
// async-signal-safe, building them is not), which must select the fallback; disarm restores the previous action
// (the Swift runtime's crash handler).
// (The state lives in a function-local static: Swift's importer emits the header's functions, not its globals.)
struct rz_sigill_target { const char *path; char *const *argv; char *const *envp; struct sigaction previous; };
static inline struct rz_sigill_target *rz_sigill_target(void) {
    static struct rz_sigill_target target;
    return &target;
}
static void rz_sigill_handler(int sig) {
    struct rz_sigill_target *t = rz_sigill_target();
    execve(t->path, t->argv, t->envp);
    _exit(128 + sig);  // the re-exec failed: die as the signal would have
}
static inline int rz_arm_sigill_fallback(const char *path, char *const argv[], char *const envp[]) {
    struct rz_sigill_target *t = rz_sigill_target();
    t->path = path; t->argv = argv; t->envp = envp;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = rz_sigill_handler;
    sa.sa_flags = SA_NODEFER;  // the re-executed image must not inherit SIGILL blocked
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGILL, &sa, &t->previous);
}
static inline void rz_disarm_sigill_fallback(void) { sigaction(SIGILL, &rz_sigill_target()->previous, 0); }
