// fakecuda.cpp: stand-ins for libcuda.so.1, libcublas.so.13 and
// libnvrtc.so.13 that run on the host, for fakedriver_test.go. Built three
// times with -DFAKE_DRIVER, -DFAKE_CUBLAS or -DFAKE_NVRTC, each exporting
// the C entry points nets/cuda binds (api.go) with their real signatures,
// so that the backend's purego bindings, launch parameter blocks and
// cuBLAS calls run for real without a GPU: "device memory" is host
// memory (filled with NaN bytes), kernels are kernels.cu compiled for the
// host (threads run one after another), GEMMs are column-major loops.
//
// FAKECUDA_CUBIN_FAILS=1 in the environment makes cuModuleLoadData reject
// cubins, so that the PTX fallback runs.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

#define EXPORT extern "C" __attribute__((visibility("default")))

#ifdef FAKE_DRIVER
struct tengen_dim3 {
    unsigned int x, y, z;
};
static thread_local tengen_dim3 blockIdx, threadIdx, blockDim, gridDim; // per thread: two streams launch at once
#define __global__
#define __device__
#define __forceinline__ inline
#include "kernels.cu"

template <typename F> static void run(F f, unsigned grid, unsigned block) {
    gridDim = {grid, 1, 1};
    blockDim = {block, 1, 1};
    for (unsigned b = 0; b < grid; b++) {
        blockIdx = {b, 0, 0};
        for (unsigned t = 0; t < block; t++) {
            threadIdx = {t, 0, 0};
            f();
        }
    }
}

// fakedispatch.inc (generated from kernelTable): kernelNames[] and
// launchKernel(int id, unsigned grid, unsigned block, void** p).
#include "fakedispatch.inc"

static int ctxToken, streamToken, moduleToken;
static thread_local int current; // the context is current on this thread
#define NEED_CTX \
    if (!current) return 201 // CUDA_ERROR_INVALID_CONTEXT

EXPORT CUresult cuInit(unsigned flags) { return flags == 0 ? 0 : 1; }
EXPORT CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
EXPORT CUresult cuDeviceGetCount(int* n) { *n = 1; return 0; }
EXPORT CUresult cuDeviceGet(int* d, int ordinal) {
    if (ordinal != 0) return 101; // CUDA_ERROR_INVALID_DEVICE
    *d = 0;
    return 0;
}
EXPORT CUresult cuDeviceGetName(char* name, int len, int dev) {
    snprintf(name, len, "Fake GPU (host)");
    return 0;
}
EXPORT CUresult cuDeviceGetAttribute(int* v, int attr, int dev) {
    switch (attr) {
    case 16: *v = 132; return 0;
    case 75: *v = 9; return 0;
    case 76: *v = 0; return 0;
    }
    return 1;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, int dev) { *bytes = (size_t)80 << 30; return 0; }
EXPORT CUresult cuDevicePrimaryCtxRetain(void** ctx, int dev) { *ctx = &ctxToken; return 0; }
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int dev) { return 0; }
EXPORT CUresult cuCtxSetCurrent(void* ctx) {
    if (ctx != &ctxToken) return 201; // CUDA_ERROR_INVALID_CONTEXT
    current = 1;
    return 0;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
    NEED_CTX;
    void* m = malloc(n);
    if (!m) return 2;
    memset(m, 0xff, n);
    *p = (CUdeviceptr)(uintptr_t)m;
    return 0;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
    NEED_CTX;
    free((void*)(uintptr_t)p);
    return 0;
}
EXPORT CUresult cuMemAllocHost_v2(void** p, size_t n) {
    NEED_CTX;
    *p = malloc(n);
    memset(*p, 0xff, n);
    return *p ? 0 : 2;
}
EXPORT CUresult cuMemFreeHost(void* p) { free(p); return 0; }
EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) { NEED_CTX; memcpy((void*)(uintptr_t)dst, src, n); return 0; }
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* s) {
    NEED_CTX;
    if (s != &streamToken) return 400; // CUDA_ERROR_INVALID_HANDLE
    memcpy((void*)(uintptr_t)dst, src, n);
    return 0;
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* s) {
    NEED_CTX;
    if (s != &streamToken) return 400;
    memcpy(dst, (const void*)(uintptr_t)src, n);
    return 0;
}
EXPORT CUresult cuStreamCreate(void** s, unsigned flags) { NEED_CTX; *s = &streamToken; return flags == 1 ? 0 : 1; }
EXPORT CUresult cuStreamDestroy_v2(void* s) { return s == &streamToken ? 0 : 400; }
EXPORT CUresult cuStreamSynchronize(void* s) { return s == &streamToken ? 0 : 400; }
EXPORT CUresult cuModuleLoadData(void** m, const void* image) {
    NEED_CTX;
    const char* img = (const char*)image;
    if (strncmp(img, "FAKE-CUBIN", 10) == 0) {
        const char* fail = getenv("FAKECUDA_CUBIN_FAILS");
        if (fail && strcmp(fail, "1") == 0) return 209; // CUDA_ERROR_NO_BINARY_FOR_GPU
    } else if (strncmp(img, "FAKE-PTX", 8) != 0) {
        return 200; // CUDA_ERROR_INVALID_IMAGE
    }
    *m = &moduleToken;
    return 0;
}
EXPORT CUresult cuModuleUnload(void* m) { return m == &moduleToken ? 0 : 400; }
EXPORT CUresult cuModuleGetFunction(void** f, void* m, const char* name) {
    for (int i = 0; kernelNames[i]; i++) {
        if (strcmp(kernelNames[i], name) == 0) {
            *f = (void*)(uintptr_t)(i + 1);
            return 0;
        }
    }
    return 500; // CUDA_ERROR_NOT_FOUND
}
EXPORT CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void* s, void** params, void** extra) {
    NEED_CTX;
    if (s != &streamToken || gy != 1 || gz != 1 || by != 1 || bz != 1 || bx == 0 || bx > 1024 || gx == 0 || shared != 0 || extra != nullptr) {
        return 1; // CUDA_ERROR_INVALID_VALUE
    }
    return launchKernel((int)(uintptr_t)f - 1, gx, bx, params) ? 0 : 1;
}
EXPORT CUresult cuGetErrorName(CUresult r, const char** s) {
    static std::string names[1024];
    if (r < 0 || r >= 1024) { *s = nullptr; return 1; }
    names[r] = "CUDA_ERROR_FAKE_" + std::to_string(r);
    *s = names[r].c_str();
    return 0;
}
EXPORT CUresult cuGetErrorString(CUresult r, const char** s) { *s = "fake driver error"; return 0; }
#endif

#ifdef FAKE_CUBLAS
static int handleToken;
static void* boundStream;

#include "refgemm.h"

static int check(void* h, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc) {
    if (h != &handleToken || boundStream == nullptr) return 1; // CUBLAS_STATUS_NOT_INITIALIZED
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || m < 0 || n < 0 || k < 0) return 7; // INVALID_VALUE
    if (lda < (ta ? k : m) || lda < 1 || ldb < (tb ? n : k) || ldb < 1 || ldc < m || ldc < 1) return 7;
    return 0;
}

EXPORT int cublasCreate_v2(void** h) { *h = &handleToken; return 0; }
EXPORT int cublasDestroy_v2(void* h) { return h == &handleToken ? 0 : 1; }
EXPORT int cublasSetStream_v2(void* h, void* s) { boundStream = s; return h == &handleToken ? 0 : 1; }
EXPORT int cublasSetMathMode(void* h, int mode) { return mode == 0 ? 0 : 7; }
EXPORT int cublasSgemm_v2(void* h, int ta, int tb, int m, int n, int k, const float* alpha, const float* A, int lda,
                          const float* B, int ldb, const float* beta, float* C, int ldc) {
    if (int st = check(h, ta, tb, m, n, k, lda, ldb, ldc)) return st;
    gemm<float>(ta, tb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc);
    return 0;
}
EXPORT int cublasDgemm_v2(void* h, int ta, int tb, int m, int n, int k, const double* alpha, const double* A, int lda,
                          const double* B, int ldb, const double* beta, double* C, int ldc) {
    if (int st = check(h, ta, tb, m, n, k, lda, ldb, ldc)) return st;
    gemm<double>(ta, tb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc);
    return 0;
}
EXPORT const char* cublasGetStatusString(int s) { return "fake cuBLAS status"; }
#endif

#ifdef FAKE_NVRTC
struct program {
    std::string src, arch;
};

EXPORT int nvrtcVersion(int* major, int* minor) { *major = 13; *minor = 0; return 0; }
EXPORT int nvrtcCreateProgram(program** p, const char* src, const char* name, int numHeaders, const char* const* headers,
                              const char* const* includeNames) {
    if (numHeaders != 0 || strstr(src, "extern \"C\" __global__") == nullptr) return 3; // NVRTC_ERROR_INVALID_INPUT
    *p = new program{src, ""};
    return 0;
}
EXPORT int nvrtcCompileProgram(program* p, int n, const char* const* options) {
    for (int i = 0; i < n; i++) {
        if (strncmp(options[i], "--gpu-arch=", 11) == 0) p->arch = options[i] + 11;
    }
    if (p->arch != "sm_90" && p->arch != "compute_90") return 6; // NVRTC_ERROR_COMPILATION
    return 0;
}
EXPORT int nvrtcDestroyProgram(program** p) { delete *p; *p = nullptr; return 0; }
EXPORT int nvrtcGetProgramLogSize(program* p, size_t* n) { *n = 9; return 0; }
EXPORT int nvrtcGetProgramLog(program* p, char* log) { memcpy(log, "fake log", 9); return 0; }
static const char* image(program* p, bool cubin) {
    if (cubin) return p->arch.rfind("sm_", 0) == 0 ? "FAKE-CUBIN" : nullptr;
    return "FAKE-PTX";
}
EXPORT int nvrtcGetPTXSize(program* p, size_t* n) { *n = strlen(image(p, false)) + 1; return 0; }
EXPORT int nvrtcGetPTX(program* p, char* out) { strcpy(out, image(p, false)); return 0; }
EXPORT int nvrtcGetCUBINSize(program* p, size_t* n) {
    const char* img = image(p, true);
    if (!img) return 7; // NVRTC_ERROR_INVALID_OPTION, as the real one for a compute_ target
    *n = strlen(img) + 1;
    return 0;
}
EXPORT int nvrtcGetCUBIN(program* p, char* out) {
    const char* img = image(p, true);
    if (!img) return 7;
    strcpy(out, img);
    return 0;
}
EXPORT const char* nvrtcGetErrorString(int r) { return "fake NVRTC error"; }
#endif
