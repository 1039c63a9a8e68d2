// OpenBLAS's CBLAS interface plus its thread/config controls (openblas_set_num_threads, openblas_get_corename).
#include <cblas.h>

// A software prefetch hint (read, keep in all cache levels): Swift has no intrinsic for it.
static inline void rz_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
